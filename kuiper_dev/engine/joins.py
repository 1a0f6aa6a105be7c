"""JOINs over a window's rows (and a table's), following eKuiper's ``join_operator.go``.

Rows entering a join rule are tagged with their stream (its alias when it has one).
A joined row is a dict of the merged fields (the first stream's value wins for a
shared name, as eKuiper's JoinTuple reads it) that also keeps each stream's own
row in ``tables`` for qualified references like ``s1.id``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ..errors import EvalError, PlanError
from ..go import describe
from ..sql import ast, walk
from .values import column

if TYPE_CHECKING:
    from .join_loop import JoinLoop

__all__ = [
    "EquiKeys",
    "JoinPlan",
    "JoinedRow",
    "TaggedRow",
    "equality_keys",
    "equality_sides",
    "join_streams",
]

_EMPTY: dict[str, Any] = {}


class TaggedRow(dict[str, Any]):
    """One stream's row, knowing which stream (emitter) it came from.

    ``tables`` (a qualified name's view, as a joined row has) is made when read,
    not kept: a row holding a mapping to itself would be a reference cycle, freed
    only by the garbage collector, and a join keeps every row of its window.

    >>> row = TaggedRow("a", {"id": 1})
    >>> row.emitter, row.tables
    ('a', {'a': {'id': 1}})
    """

    __slots__ = ("emitter",)

    def __init__(self, emitter: str, row: dict[str, Any]) -> None:
        super().__init__(row)
        self.emitter = emitter

    @property
    def tables(self) -> dict[str, dict[str, Any]]:
        return {self.emitter: self}


class JoinedRow(dict[str, Any]):
    """Rows of several streams joined together."""

    __slots__ = ("parts", "tables")

    def __init__(self, parts: list[TaggedRow]) -> None:
        if len(parts) == 2:  # one join's pair, the common case, without the loops
            first, second = parts
            super().__init__(second)
            self.update(first)
            tables: dict[str, dict[str, Any]] = {first.emitter: first}
            if second.emitter not in tables:
                tables[second.emitter] = second
        else:
            super().__init__()
            for part in reversed(parts):
                self.update(part)
            tables = {}
            for part in parts:
                tables.setdefault(part.emitter, part)
        self.parts = parts
        self.tables = tables


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
EquiKeys = tuple[Condition, Condition]
"""The two sides of an equality ON, compiled: the left stream's, then the right's."""


def equality_sides(
    node: ast.Join, from_tag: str, tag_of: Mapping[str, str]
) -> tuple[ast.FieldRef, ast.FieldRef] | None:
    """The columns of an INNER join's ``ON a.x = b.y`` over its two streams, the left
    stream's first (the stream the ON names first: :func:`join_streams`), or None
    for any other condition; ``tag_of`` maps names to row tags.

    >>> from kuiper_dev.sql import parse_select
    >>> sql = "SELECT * FROM a INNER JOIN b ON b.y = a.x GROUP BY COUNTWINDOW(2)"
    >>> j = parse_select(sql).joins[0]
    >>> [(r.stream, r.name) for r in equality_sides(j, "a", {"a": "a", "b": "b"})]
    [('b', 'y'), ('a', 'x')]
    """
    on = node.on
    while isinstance(on, ast.ParenExpr):
        on = on.expr
    if node.kind != "INNER" or not isinstance(on, ast.BinaryExpr) or on.op != "=":
        return None
    lhs, rhs = on.lhs, on.rhs
    if not (isinstance(lhs, ast.FieldRef) and isinstance(rhs, ast.FieldRef)):
        return None
    lhs_tag = tag_of.get(lhs.stream) if lhs.stream is not None else None
    rhs_tag = tag_of.get(rhs.stream) if rhs.stream is not None else None
    if lhs_tag is None or rhs_tag is None:
        return None  # unqualified (the merged row decides) or a JSON path
    left, right = join_streams(node, from_tag)
    tags = (lhs_tag, rhs_tag)
    if left == right:
        return None
    if tags == (left, right):
        return lhs, rhs
    if tags == (right, left):
        return rhs, lhs
    return None


def equality_keys(sides: tuple[ast.FieldRef, ast.FieldRef]) -> EquiKeys:
    """Readers of an equality ON's two columns (:func:`equality_sides`), each applied
    to a row of its own stream: the column as the compiled reference reads it from
    ``row.tables[tag]``, which for a stream's own row is the row itself.

    >>> from kuiper_dev.sql import ast
    >>> left, right = equality_keys((ast.FieldRef("x", "a"), ast.FieldRef("y", "b")))
    >>> left(TaggedRow("a", {"x": 1})), right(TaggedRow("b", {})), left(TaggedRow("a", {"X": 2}))
    (1, None, 2)
    """
    return ColumnKey(sides[0].name), ColumnKey(sides[1].name)


class ColumnKey:
    """One side of an equality ON: a column of the side's own row, which the hash
    join reads inline (no call per row); calling it reads one row's."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, row: dict[str, Any]) -> Any:
        return column(row, self.name)


class JoinPlan:
    """The compiled joins of one rule; the first join may carry its equality ON's
    sides (``keys``), to join each window through a hash table instead of pairs."""

    def __init__(
        self,
        joins: list[tuple[ast.Join, Condition | None]],
        from_tag: str,
        keys: EquiKeys | None = None,
        loop: JoinLoop | None = None,
    ) -> None:
        if not joins:
            raise PlanError("a join plan needs at least one JOIN")
        self.joins = joins
        self.from_tag = from_tag
        self.keys = keys
        self.loop = loop  # the generated ingest loop of typed streams, when planned
        # the streams each join pairs, found once: the first's from its ON
        tags = [
            join_streams(node, from_tag) if i == 0 else (from_tag, node.alias or node.source)
            for i, (node, _) in enumerate(joins)
        ]
        self._paired = list(zip(joins, tags, strict=True))

    def apply(self, rows: list[TaggedRow]) -> list[JoinedRow]:
        sets: list[list[TaggedRow]] = []
        for i, ((node, on), (left_tag, right_tag)) in enumerate(self._paired):
            rights = [r for r in rows if r.emitter == right_tag]
            if i > 0:
                sets = _join(sets, rights, node.kind, on)
                continue
            firsts = [r for r in rows if r.emitter == left_tag]
            pairs = _hash_join(firsts, rights, self.keys) if self.keys is not None else None
            if pairs is None:
                sets = _join([[r] for r in firsts], rights, node.kind, on)
            elif len(self._paired) == 1 and left_tag != right_tag:
                return _joined_pairs(pairs, left_tag, right_tag)
            else:
                sets = [[left, right] for left, right in pairs]
        return [JoinedRow(parts) for parts in sets]


def _joined_pairs(
    pairs: list[tuple[TaggedRow, TaggedRow]], left_tag: str, right_tag: str
) -> list[JoinedRow]:
    """Each pair of a hash join as the JoinedRow its ``__init__`` would make of
    ``[left, right]``, built inline: a join rule makes one per pair per window."""
    out: list[JoinedRow] = []
    new = dict.__new__
    append = out.append
    for left, right in pairs:
        row = new(JoinedRow)
        row.update(right)
        row.update(left)  # the first stream's value wins a shared name
        row.parts = [left, right]
        row.tables = {left_tag: left, right_tag: right}
        append(row)
    return out


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


_EXACT_INT = 2**53  # ints up to this size compare with floats as Go's float64 would


def _hash_join(
    lefts: list[TaggedRow], rights: list[TaggedRow], keys: EquiKeys
) -> list[tuple[TaggedRow, TaggedRow]] | None:
    """The INNER join of ``ON l = r`` through a hash table of the right rows, or None
    when some pair's ``=`` would fail or compare otherwise than Python's ``==`` (then
    the pairwise join runs, and fails where eKuiper's would).

    A null side makes ``=`` false, so null keys join nothing. Otherwise ``=`` holds
    for two texts, two booleans or two numbers (an int and a float compared as
    float64) and fails for any other pair, so the table is used only when every
    non-null key on both sides is of one kind.
    """
    left_of, right_of = keys
    left_keys = _keys(left_of, lefts)
    right_keys = _keys(right_of, rights)
    kinds = _kinds(left_keys)
    right_kinds = _kinds(right_keys)
    if kinds is None or right_kinds is None:
        return None
    if kinds and right_kinds:
        if kinds != right_kinds or len(kinds) != 1:
            return None
        if "num" in kinds and not _numbers_compare_exactly(left_keys, right_keys):
            return None
    table: dict[Any, list[TaggedRow]] = {}
    for key, right in zip(right_keys, rights, strict=True):
        if key is not None:
            table.setdefault(key, []).append(right)
    out: list[tuple[TaggedRow, TaggedRow]] = []
    for key, left in zip(left_keys, lefts, strict=True):
        if key is not None:
            for right in table.get(key, ()):
                out.append((left, right))
    return out


def _keys(key: Condition, rows: list[TaggedRow]) -> list[Any]:
    """Each row's key; a column (:class:`ColumnKey`) read as :func:`.values.column`
    reads it, inline."""
    if key.__class__ is not ColumnKey:
        return [key(r) for r in rows]
    name = key.name
    return [v if (v := r.get(name)) is not None or name in r else column(r, name) for r in rows]


_ONE_KIND = {str: {"str"}, int: {"num"}, bool: {"bool"}}  # a float may be NaN: see below


def _kinds(values: list[Any]) -> set[str] | None:
    """The kinds of the non-null values (None when one cannot be a key)."""
    classes = set(map(type, values))
    classes.discard(type(None))
    if not classes:
        return set()
    if len(classes) == 1:  # one class of key, the usual window: no loop over the values
        one = _ONE_KIND.get(next(iter(classes)))
        if one is not None:
            return set(one)
    kinds: set[str] = set()
    for v in values:
        t = v.__class__
        if v is None:
            continue
        if t is str:
            kinds.add("str")
        elif t is int or (t is float and v == v):  # NaN equals nothing, itself neither
            kinds.add("num")
        elif t is bool:
            kinds.add("bool")
        else:
            return None
    return kinds


def _numbers_compare_exactly(*sides: list[Any]) -> bool:
    """Whether Python's ``==`` and hash agree with Go's comparison on these numbers:
    an int meets a float as float64, which is exact up to 2**53."""
    values = [v for side in sides for v in side if v is not None]
    if not any(v.__class__ is float for v in values):
        return True
    return all(v.__class__ is float or -_EXACT_INT <= v <= _EXACT_INT for v in values)
