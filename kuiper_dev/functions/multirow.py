"""Multi-row (set-returning) functions (``multi_row_functions.md``): unnest, extract.

The function returns the LIST of rows to emit; the engine expands them (eKuiper's
project-set operator): for ``unnest``, each item becomes a row, an object item's
keys becoming columns and any other item the value of the alias (or ``unnest``);
the other selected columns repeat on every row. For ``extract``, the one object's
keys become columns. A null argument gives null: no row for that message.
"""

from __future__ import annotations

from typing import Any

from ..errors import FunctionError
from .registry import builtin


@builtin("multirow", ["any"], kind="srf")
def unnest(v: Any) -> Any:
    """The array's items as rows (a non-array is returned as it is, as eKuiper does)."""
    return v


@builtin("multirow", ["object"], kind="srf")
def extract(v: Any) -> list[dict[str, Any]]:
    """One row whose columns are the object's keys."""
    if not isinstance(v, dict):
        raise FunctionError("extract should use map")
    return [v]
