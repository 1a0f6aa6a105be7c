"""Built-in SQL functions: one registry, one module per eKuiper category."""

from __future__ import annotations

from . import math, string  # noqa: F401  (importing registers the built-ins)
from .math import FunctionError
from .registry import BUILTINS, Builtin, builtin, lookup

__all__ = ["BUILTINS", "Builtin", "FunctionError", "builtin", "lookup"]
