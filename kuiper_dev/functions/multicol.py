"""Multi-column functions (``multi_column_functions.md``): ``changed_cols``.

The function returns an object of columns that the engine merges into the
result row. eKuiper's planner appends one hidden argument, the list of the
column names of ALL arguments (the first two are the prefix and the flag; the
names of the rest are their field names or aliases). The function gets a
CallContext whose ``state`` keeps the last value of each column.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..errors import FunctionError
from ..go import verb_v
from ..sql import ast
from .registry import builtin


def _validator(args: Sequence[ast.Expr]) -> str | None:
    if len(args) <= 2:
        return f"expect more than two args but got {len(args)}"
    if isinstance(args[0], ast.IntegerLiteral | ast.NumberLiteral | ast.BooleanLiteral):
        return "Expect string type for parameter 1"
    if isinstance(args[1], ast.IntegerLiteral | ast.NumberLiteral | ast.StringLiteral):
        return "Expect bool type for parameter 2"
    return None


def _equal(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    return type(a) is type(b) and a == b


@builtin("multicol", ["string", "bool"], variadic="any", null="pass", kind="cols", context=True,
         validator=_validator, column_names_arg=True)  # fmt: skip
def changed_cols(ctx: Any, *args: Any) -> dict[str, Any] | None:
    """Columns whose value changed since the last message, named ``prefix + column``.

    Null when nothing changed. With the flag true, null values are ignored.
    """
    keys = args[-1] if args else None
    if not isinstance(keys, list):
        raise FunctionError(f"the last arg is not the key list but got {verb_v(keys)}")
    sql = args[:-1]
    if len(sql) <= 2:
        raise FunctionError(f"expect more than two args but got {len(sql)}")
    prefix, ignore_null = sql[0], sql[1]
    if not isinstance(prefix, str):
        raise FunctionError(f"first arg is not a string but got {verb_v(prefix)}")
    if not isinstance(ignore_null, bool):
        raise FunctionError(f"second arg is not a bool but got {verb_v(ignore_null)}")
    if len(sql) != len(keys):
        raise FunctionError(
            f"the length of keys {len(keys)} does not match the args {len(sql) - 2}"
        )
    out: dict[str, Any] = {}
    for k, v in zip(keys[2:], sql[2:], strict=True):
        if ignore_null and v is None:
            continue
        if not _equal(v, ctx.state.get(k)):
            out[prefix + k] = v
            ctx.state[k] = v
    return out or None
