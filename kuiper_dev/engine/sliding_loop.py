"""The generated ingest loop of a sliding window that folds typed columns.

Each message is decoded as :mod:`.fastpath`'s loops decode it, joins the window
through the plan's own ``step`` statements (inlined), which also give the result
of the window ending at it, as the general path fires one window per row. A message the typed decode
cannot take goes to the general path (``slow``), which updates the same
:class:`~.incremental_sliding.SlidingGroups`, so either path may take the next.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import orjson

from ..sql import ast
from .incremental_sliding import SlidingPlan
from .typed import TypedCompiler, define, indent

__all__ = ["SlidingFastPath", "compile_sliding_fast_path"]


@dataclass(slots=True)
class SlidingFastPath:
    """``run(messages, state, emit, failed, slow) -> (handled, emitted, last_ts)``.

    ``emit`` and ``failed`` are :meth:`~.emit.Emitter.direct`'s pair; every handled
    message fired one window, and ``emitted`` of them had a result to emit.
    """

    run: Callable[..., tuple[int, int, int | None]]
    source: str


def compile_sliding_fast_path(
    select: ast.Select, schema: dict[str, ast.ColumnDef], plan: SlidingPlan
) -> SlidingFastPath:
    """The loop for ``plan`` (made for ``select`` over ``schema``)."""
    compiler = TypedCompiler.for_select(select, schema)
    source = "\n".join(
        [
            "def run(messages, state, emit, failed, slow):",
            "    handled = emitted = 0",
            "    ts = None",
            "    groups = state.groups",
            "    times = state.times",
            "    keys = state.keys",
            "    for m in messages:",
            "        ts = m.ts",
            "        try:",
            "            obj = loads(m.payload)",
            *indent(compiler.decode(), 3),
            "        except Exception:",  # Fallback, bad JSON...: the general path decides
            "            slow(m)",
            "            continue",
            "        handled += 1",
            *indent(plan.step_body, 2),
            "        if out is not None:",
            "            emitted += 1",
            "            try: emit(out)",
            "            except Exception as exc: failed(exc)",  # reported; the rule goes on
            "    return handled, emitted, ts",
        ]
    )
    env = define(source, loads=orjson.loads, **plan.names)
    return SlidingFastPath(env["run"], source)
