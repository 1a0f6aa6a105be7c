"""The few function names the parser itself must know, as eKuiper's parser does.

eKuiper's parser consults its function registry for these (``parser.go``
``parseCall``, ``parseOver``; ``internal/binder/function/function.go``). The
sql layer may not import ``kuiper_dev.functions`` (it sits above us), so the
names are listed here; everything else about functions is the binder's job.
"""

from __future__ import annotations

from typing import Final

from . import ast

__all__ = [
    "ANALYTIC_FUNCS",
    "COLS_FUNCS",
    "META_FUNCS",
    "WINDOW_CALLS",
    "WINDOW_FUNCS",
    "is_window_call",
]

# analytic functions accept OVER (PARTITION BY .. WHEN ..)
ANALYTIC_FUNCS: Final = frozenset(
    {"lag", "changed_col", "had_changed", "latest"}
    | {"acc_sum", "acc_min", "acc_max", "acc_avg", "acc_count"}
)
# window functions accept OVER (PARTITION BY .. ORDER BY ..), only in the SELECT list
WINDOW_FUNCS: Final = frozenset({"row_number"})
# multi-column functions, only in the SELECT list
COLS_FUNCS: Final = frozenset({"changed_cols"})
# inside these calls a ``*`` is the metadata wildcard, without EXCEPT/REPLACE
META_FUNCS: Final = frozenset({"meta", "mqtt"})

# GROUP BY window calls and the Window.kind each makes
WINDOW_CALLS: Final[dict[str, ast.WindowKind]] = {
    "tumblingwindow": "tumbling",
    "hoppingwindow": "hopping",
    "slidingwindow": "sliding",
    "sessionwindow": "session",
    "countwindow": "count",
    "statewindow": "state",
}


def is_window_call(name: str) -> bool:
    """Whether ``name`` (any case) is a GROUP BY window such as ``TumblingWindow``."""
    return name.lower() in WINDOW_CALLS
