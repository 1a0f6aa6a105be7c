"""String functions (``docs/en_US/sqls/functions/string_functions.md``)."""

from __future__ import annotations

from typing import Any

from ._cast import go_str
from .registry import builtin


@builtin("string", ["string"])
def upper(s: Any) -> str:
    """Upper-case text; non-strings are printed first, as Go's ``%v`` does."""
    return go_str(s).upper()


@builtin("string", ["string"])
def lower(s: Any) -> str:
    """Lower-case text."""
    return go_str(s).lower()


@builtin("string", ["any"], null="zero")
def length(s: Any) -> int:
    """Characters in a string, items in an array or keys in an object."""
    if isinstance(s, list | dict):
        return len(s)
    return len(go_str(s))


@builtin("string", ["string"], variadic="string", null="pass")
def concat(*parts: Any) -> str:
    """Join the arguments' text; null counts as empty."""
    return "".join(go_str(p) for p in parts)
