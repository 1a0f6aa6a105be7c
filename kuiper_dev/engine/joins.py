"""JOINs over a window's rows (and a table's), following eKuiper's ``join_operator.go``.

Rows entering a join rule are tagged with their stream (its alias when it has one).
A joined row is a dict of the merged fields (the first stream's value wins for a
shared name, as eKuiper's JoinTuple reads it) that also keeps each stream's own
row in ``tables`` for qualified references like ``s1.id``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import EvalError, PlanError
from ..go import describe
from ..sql import ast, walk

__all__ = ["JoinPlan", "JoinedRow", "TaggedRow", "join_streams"]

_EMPTY: dict[str, Any] = {}


class TaggedRow(dict[str, Any]):
    """One stream's row, knowing which stream (emitter) it came from."""

    __slots__ = ("emitter", "tables")

    def __init__(self, emitter: str, row: dict[str, Any]) -> None:
        super().__init__(row)
        self.emitter = emitter
        self.tables: dict[str, dict[str, Any]] = {emitter: self}


class JoinedRow(dict[str, Any]):
    """Rows of several streams joined together."""

    __slots__ = ("parts", "tables")

    def __init__(self, parts: list[TaggedRow]) -> None:
        super().__init__()
        for part in reversed(parts):
            self.update(part)
        self.parts = parts
        self.tables: dict[str, dict[str, Any]] = {}
        for part in parts:
            self.tables.setdefault(part.emitter, part)


def join_streams(node: ast.Join, from_tag: str) -> tuple[str, str]:
    """The two streams a join pairs: those its ON names, else FROM and the joined one."""
    right_tag = node.alias or node.source
    if node.kind == "CROSS" or node.on is None:
        return from_tag, right_tag
    names: list[str] = []
    for ref in walk(node.on):
        if isinstance(ref, ast.FieldRef) and ref.stream is not None and ref.stream not in names:
            names.append(ref.stream)
    if len(names) == 2:
        return names[0], names[1]
    return from_tag, right_tag


Condition = Callable[[Any], Any]


class JoinPlan:
    """The compiled joins of one rule."""

    def __init__(self, joins: list[tuple[ast.Join, Condition | None]], from_tag: str) -> None:
        if not joins:
            raise PlanError("a join plan needs at least one JOIN")
        self.joins = joins
        self.from_tag = from_tag

    def apply(self, rows: list[TaggedRow]) -> list[JoinedRow]:
        sets: list[list[TaggedRow]] = []
        for i, (node, on) in enumerate(self.joins):
            right_tag = node.alias or node.source
            if i == 0:
                left_tag, right_tag = join_streams(node, self.from_tag)
                lefts = [[r] for r in rows if r.emitter == left_tag]
            else:
                lefts = sets
            rights = [r for r in rows if r.emitter == right_tag]
            sets = _join(lefts, rights, node.kind, on)
        return [JoinedRow(parts) for parts in sets]


def _holds(on: Condition | None, kind: str, parts: list[TaggedRow]) -> bool:
    if on is None:
        return True
    try:
        value = on(JoinedRow(parts))
    except EvalError as exc:
        raise EvalError(f"run Join error: {exc}") from None
    if value is True or value is False:
        return value
    raise EvalError(
        f"run Join error: invalid join condition that returns non-bool value {describe(value)}"
    )


def _join(
    lefts: list[list[TaggedRow]], rights: list[TaggedRow], kind: str, on: Condition | None
) -> list[list[TaggedRow]]:
    if kind == "RIGHT":
        return _right_join(lefts, rights, on, exclude_joint=False)
    out: list[list[TaggedRow]] = []
    for left in lefts:
        left_joined = False
        for index, right in enumerate(rights):
            merged: list[TaggedRow] = list(left) if kind in ("LEFT", "FULL", "CROSS") else []
            tuple_joined = False
            if kind == "CROSS":
                tuple_joined = True
                merged.append(right)
            elif _holds(on, kind, [*left, right]):
                left_joined = tuple_joined = True
                merged = [*left, right] if kind == "INNER" else [*merged, right]
            if tuple_joined or (not left_joined and index == len(rights) - 1 and merged):
                left_joined = True
                out.append(merged)
        if not left_joined and kind not in ("INNER", "CROSS"):
            out.append(list(left))
    if kind == "FULL":
        out.extend(_right_join(lefts, rights, on, exclude_joint=True))
    return out


def _right_join(
    lefts: list[list[TaggedRow]],
    rights: list[TaggedRow],
    on: Condition | None,
    *,
    exclude_joint: bool,
) -> list[list[TaggedRow]]:
    out: list[list[TaggedRow]] = []
    for right in rights:
        joint = False
        for index, left in enumerate(lefts):
            merged: list[TaggedRow] = [right]
            tuple_joined = False
            if _holds(on, "RIGHT", [right, *left]):
                merged.extend(left)
                joint = tuple_joined = True
            if not exclude_joint and (
                tuple_joined or (not joint and index == len(lefts) - 1 and merged)
            ):
                joint = True
                out.append(merged)
        if not joint:
            out.append([right])
    return out
