"""Built-in SQL functions: one registry, one module per eKuiper category."""

from __future__ import annotations

from ..errors import FunctionError

# importing each category module registers its built-ins
from . import (  # noqa: F401
    aggregate,
    analytic,
    array,
    datetime,
    hashing,
    incremental_calls,
    jsonpath,
    math,
    multicol,
    multirow,
    object,
    other,
    string,
    transform,
    window,
)
from .registry import BUILTINS, Builtin, CallContext, builtin, lookup

__all__ = ["BUILTINS", "Builtin", "CallContext", "FunctionError", "builtin", "lookup"]
