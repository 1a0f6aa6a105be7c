"""What happens to a fired window: WHERE, GROUP BY, HAVING, ORDER BY, SELECT, LIMIT.

eKuiper's operator order after the window (``internal/topo/planner/planner.go``):
filter, aggregate (group by), having, order, project. A WHERE that leaves no row
and a GROUP BY over no row emit nothing; a window without GROUP BY emits its rows
(an empty list for an empty window) or, when the SELECT aggregates, one row.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from functools import cmp_to_key
from typing import Any

from ..errors import EvalError, FunctionError
from ..go import go_type
from ..go.timefmt import to_time
from ..sql import ast
from .calls import is_aggregate
from .compiler import compile_condition, compile_expr
from .joins import JoinPlan, TaggedRow
from .projection import Projector
from .runtime import Compiled, Group, Scope, StampedRow
from .values import binary_op, group_key_part

__all__ = ["CollectionPlan"]

_LT = binary_op("<")


class CollectionPlan:
    """The compiled post-window pipeline of one rule."""

    def __init__(
        self,
        select: ast.Select,
        scope: Scope,
        make_projector: Callable[[Scope], Projector],
        *,
        where: bool,
        join: JoinPlan | None = None,
        group: bool = True,
    ) -> None:
        self.join = join
        self.runtime = scope.runtime
        binder = scope.binder
        self.dims = [compile_expr(d, scope) for d in select.group_by] if group else []
        only = select.group_by[0] if group and len(select.group_by) == 1 else None
        self.dim_column: str | None = (
            only.name
            if isinstance(only, ast.FieldRef)
            and (only.stream is None or only.stream in scope.sources)
            and not scope.joined
            and only.name not in scope.aliases
            else None
        )
        having = getattr(select, "having", None)
        self.aggregate = bool(self.dims) or is_aggregate(
            (select.fields, having, getattr(select, "order_by", ())), binder
        )
        self.where: Callable[[Any], bool] | None = (
            compile_condition(select.where, scope, "run Where error")
            if where and select.where
            else None
        )
        group_scope = dataclasses.replace(scope, op_id="op_project", group=True)
        mode = group_scope if self.aggregate else scope
        self.having: Callable[[Any], bool] | None = (
            compile_condition(having, group_scope, "run Having error")
            if having is not None
            else None
        )
        self.order = [
            (compile_expr(s.expr, mode), s.ascending) for s in getattr(select, "order_by", ())
        ]
        self.limit: int | None = getattr(select, "limit", None)
        self.project = make_projector(mode)

    def apply(
        self, rows: Sequence[dict[str, Any]], tables: Sequence[TaggedRow] = ()
    ) -> list[dict[str, Any]] | None:
        """The emission for one fired window (joined with ``tables``' rows), or None
        when eKuiper sends nothing."""
        if self.join is not None:
            rows = list(self.join.apply([*rows, *tables]))  # type: ignore[list-item]
            if not rows:
                return None
        if self.where is not None:
            rows = [r for r in rows if self.where(r)]
            if not rows:
                return None
        items = self._groups(rows)
        return self.finish(items) if items is not None else None

    def key_of(self, row: dict[str, Any]) -> str:
        """The GROUP BY key of one row, as eKuiper prints it (``"a,1,"``)."""
        try:
            if self.dim_column is not None:  # GROUP BY one plain column: no call per row
                v = row.get(self.dim_column)
                return v + "," if v.__class__ is str else group_key_part(v)
            return "".join([group_key_part(d(row)) for d in self.dims])
        except EvalError as exc:
            raise EvalError(f"run Group By error: {exc}") from None

    def _groups(self, rows: Sequence[dict[str, Any]]) -> list[Any] | None:
        if not self.dims:
            return [Group(list(rows))] if self.aggregate else list(rows)
        if not rows:
            return None
        groups: dict[str, list[dict[str, Any]]] = {}
        name = self.dim_column
        if name is not None:  # GROUP BY one plain column: no call per row
            for r in rows:
                v = r.get(name)
                key = v + "," if v.__class__ is str else group_key_part(v)
                groups.setdefault(key, []).append(r)
        else:
            key_of = self.key_of
            for r in rows:
                groups.setdefault(key_of(r), []).append(r)
        return [Group(g) for g in groups.values()]

    def finish(self, items: list[Any]) -> list[dict[str, Any]] | None:
        """HAVING, ORDER BY, SELECT and LIMIT over a window's groups (or rows)."""
        if self.having is not None:
            having = self.having
            items = [g for g in items if having(g)]
            if not items:
                return None
        if self.order:
            items = _sorted(items, self.order)
        out: list[dict[str, Any]] = []
        runtime = self.runtime
        message = runtime.message
        try:
            for index, item in enumerate(items):
                runtime.row_index = index
                self._row_context(item)
                out.extend(self.project(item))
        finally:
            runtime.message, runtime.meta_of = message, None
        return out[: self.limit] if self.limit is not None else out

    def _row_context(self, item: Any) -> None:
        """What ``event_time()`` and ``meta()`` read for one item, as eKuiper's row
        valuers give it: a row its own time and message; a GROUP BY group its first
        row's message; a whole-window aggregate the first row's *columns* for meta
        (eKuiper's WindowTuples.Meta reads Value, a quirk matched on purpose).
        Aggregate rows keep the window end as their event time (set by the window)."""
        runtime = self.runtime
        if isinstance(item, StampedRow):
            runtime.event_time, runtime.message = item.ts, item.message
            return
        first = getattr(item, "first", None)
        if first is None:
            return
        if not self.dims:
            runtime.meta_of = dict(first)
        elif isinstance(first, StampedRow):
            runtime.message = first.message


def _sorted(items: list[Any], order: list[tuple[Compiled, bool]]) -> list[Any]:
    """eKuiper's MultiSorter: nulls last whatever the direction; each key's values
    must share the type of its first non-null value (numbers mix, a time accepts
    what converts, maps and arrays never sort); values that do not compare (two
    booleans) count as equal and keep their order."""
    try:
        keyed = [([f(i) for f, _ in order], i) for i in items]
    except EvalError as exc:
        raise EvalError(f"run Order By error: {exc}") from None
    for k in range(len(order)):
        _check_sortable([key[k] for key, _ in keyed])

    def compare(a: tuple[list[Any], Any], b: tuple[list[Any], Any]) -> int:
        for (va, vb), (_, ascending) in zip(zip(a[0], b[0], strict=True), order, strict=True):
            if va is None or vb is None:
                if va is None and vb is not None:
                    return 1
                if vb is None and va is not None:
                    return -1
                continue
            if _less(va, vb):
                return -1 if ascending else 1
            if _less(vb, va):
                return 1 if ascending else -1
        return 0

    return [i for _, i in sorted(keyed, key=cmp_to_key(compare))]


_SORT_KINDS = {"int64": "number", "float64": "number", "bool": "bool", "string": "string"}


def _check_sortable(values: list[Any]) -> None:
    """eKuiper's sorter validation of one key's values against its first type."""
    first = next((v for v in values if v is not None), None)
    if first is None:
        return
    t = go_type(first)
    kind = _SORT_KINDS.get(t)
    for v in values:
        if v is None:
            continue
        vt = go_type(v)
        if t == "time.Time":
            ok = _converts_to_time(v)
        else:
            ok = kind is not None and _SORT_KINDS.get(vt) == kind
        if not ok:
            raise EvalError(f"run Order By error: incompatible types for comparison: {t} and {vt}")


def _converts_to_time(value: Any) -> bool:
    try:
        to_time(value)
    except (EvalError, FunctionError, ValueError, TypeError):
        return False
    return True


def _less(a: Any, b: Any) -> bool:
    try:
        return _LT(a, b) is True
    except EvalError:  # Go's SimpleDataEval gives an error value, which is not true
        return False
