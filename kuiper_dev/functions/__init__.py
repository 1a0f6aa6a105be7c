"""Built-in SQL functions: one registry, one module per eKuiper category."""

from __future__ import annotations

# importing each category module registers its built-ins
from . import array, datetime, hashing, jsonpath, math, object, other, string, transform  # noqa: F401
from .registry import BUILTINS, Builtin, CallContext, FunctionError, builtin, lookup

__all__ = ["BUILTINS", "Builtin", "CallContext", "FunctionError", "builtin", "lookup"]
