"""Generative round trip: ``parse(render(tree)) == tree`` for generated trees.

The strategies build only trees the parser itself can produce (its image):
binary operands are parenthesised, ``s.x`` names only sources of the statement,
sort keys start with a name, windows sit in GROUP BY. Options are keyword-only
and checked at once, the ``hypothesis.extra`` way (STYLE habit 18).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kuiper_dev.sql import ast, parse, parse_expr, render
from kuiper_dev.sql._funcs import (
    ANALYTIC_FUNCS,
    COLS_FUNCS,
    META_FUNCS,
    WINDOW_CALLS,
    WINDOW_FUNCS,
)
from kuiper_dev.sql._tree import transform
from kuiper_dev.sql.parser_ddl import FORMATS
from kuiper_dev.sql.types import SIMPLE_TYPES
from kuiper_dev.sql.windows import build_window

_RESERVED_CALLS = (
    set(WINDOW_CALLS) | WINDOW_FUNCS | COLS_FUNCS | META_FUNCS | ANALYTIC_FUNCS | {"dedup_trigger"}
)
_COMPARISONS = ("=", "!=", "<", "<=", ">", ">=")
_OPS = ("+", "-", "*", "/", "%", "&", "|", "^", "AND", "OR", *_COMPARISONS)

plain_names = st.from_regex(r"[a-zA-Z][a-zA-Z0-9_]{0,8}", fullmatch=True)
# names that need back quotes: keywords, blanks, other scripts, a leading digit
odd_names = st.one_of(
    st.sampled_from(
        ["select", "ss", "END", "from", "my field", "中文", "1a", "a-b", "create", "_a"]
    ),
    st.text(
        st.characters(blacklist_characters="`", blacklist_categories=["Cs"]),
        min_size=1,
        max_size=6,
    ),
)
# "*" as a name would read as the wildcard's name, which refuses an alias
names = st.one_of(plain_names, plain_names, odd_names).filter(lambda n: n != "*")
call_names = names.filter(lambda n: n.lower() not in _RESERVED_CALLS)


UNITS: list[ast.TimeUnit] = ["DD", "HH", "MI", "SS", "MS"]
_SLOTS = 6
_SLOT_NAMES = st.integers(0, _SLOTS - 1).map(lambda i: f"\0{i}")


def bind_streams(tree: Any, streams: Sequence[str]) -> Any:
    """Point every slot qualifier (``s.x``, ``s.*``) at one of ``streams``."""

    def bind(node: object) -> object:
        if isinstance(node, ast.FieldRef | ast.Wildcard) and (node.stream or "").startswith("\0"):
            stream = streams[int(node.stream[1:]) % len(streams)]  # type: ignore[index]
            if isinstance(node, ast.FieldRef):
                return ast.FieldRef(node.name, stream)
            return ast.Wildcard(node.except_, node.replace, stream)
        return node

    return transform(tree, bind)


def _check_positive(name: str, value: int) -> None:
    if value < 1:
        raise ValueError(f"{name}={value!r} must be at least 1")


literals = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(ast.IntegerLiteral),
    st.floats(allow_nan=False).map(ast.NumberLiteral),
    st.text(max_size=8).map(ast.StringLiteral),
    st.booleans().map(ast.BooleanLiteral),
    st.sampled_from(UNITS).map(ast.TimeLiteral),
)


def expressions(*, qualified: bool = False, max_leaves: int = 10) -> st.SearchStrategy[ast.Expr]:
    """Expressions the parser can produce.

    With ``qualified``, some names are ``s.x`` whose ``s`` is a slot (``"\\0" + digit``)
    that :func:`bind_streams` later points at a source of the statement; keeping
    the strategy independent of the statement lets Hypothesis build it once.
    """
    _check_positive("max_leaves", max_leaves)
    refs = names.map(ast.FieldRef)
    if qualified:
        refs = st.one_of(refs, st.builds(ast.FieldRef, names, _SLOT_NAMES))
    leaves = st.one_of(literals, refs)

    def extend(children: st.SearchStrategy[ast.Expr]) -> st.SearchStrategy[ast.Expr]:
        paren = children.map(ast.ParenExpr)
        postfix = st.one_of(refs, paren)
        index = st.one_of(
            st.integers(-99, 99).map(ast.IntegerLiteral),
            refs,
            paren,
            st.text(max_size=3).map(ast.StringLiteral),
        )
        condition = st.builds(ast.BinaryExpr, st.sampled_from(_COMPARISONS), paren, paren)
        return st.one_of(
            st.builds(ast.BinaryExpr, st.sampled_from(_OPS), paren, paren),
            st.builds(
                ast.BinaryExpr,
                st.sampled_from(["IN", "NOT IN"]),
                paren,
                st.lists(children, min_size=1, max_size=3).map(lambda xs: ast.ValueSet(tuple(xs))),
            ),
            st.builds(
                ast.BinaryExpr,
                st.sampled_from(["BETWEEN", "NOT BETWEEN"]),
                paren,
                st.builds(ast.BetweenExpr, postfix, postfix),
            ),
            st.builds(ast.BinaryExpr, st.sampled_from(["LIKE", "NOT LIKE"]), paren, postfix),
            st.builds(ast.BinaryExpr, st.just("->"), postfix, names.map(ast.JsonFieldRef)),
            st.builds(ast.IndexExpr, postfix, index),
            st.builds(ast.SliceExpr, postfix, st.none() | index, st.none() | index),
            st.builds(ast.Call, call_names, st.lists(children, max_size=3).map(tuple)),
            st.builds(
                ast.Call,
                st.sampled_from(sorted(ANALYTIC_FUNCS)),
                st.lists(children, max_size=2).map(tuple),
                st.lists(children, max_size=2).map(tuple),
                st.none() | condition,
            ),
            st.builds(
                ast.CaseExpr,
                st.none(),
                st.lists(
                    st.builds(ast.WhenClause, condition, children), min_size=1, max_size=3
                ).map(tuple),
                st.none() | children,
            ),
            st.builds(
                ast.CaseExpr,
                paren,
                st.lists(st.builds(ast.WhenClause, children, children), min_size=1, max_size=3).map(
                    tuple
                ),
                st.none() | children,
            ),
            st.builds(
                ast.Call,
                st.sampled_from(["count", "collect"]),
                st.tuples(wildcards(aliased=children)),
            ),
        )

    return st.recursive(leaves, extend, max_leaves=max_leaves)


def wildcards(*, aliased: st.SearchStrategy[ast.Expr]) -> st.SearchStrategy[ast.Wildcard]:
    """``*`` with optional EXCEPT and REPLACE (whose fields are always aliased)."""
    replace = st.builds(lambda e, a: ast.Field(e, a, a), aliased, names)
    return st.builds(
        ast.Wildcard,
        st.lists(names, max_size=3).map(tuple),
        st.lists(replace, max_size=2).map(tuple),
    )


_WINDOW_EXPRS = expressions(qualified=True, max_leaves=3)


@st.composite
def windows(draw: st.DrawFn) -> ast.Window:
    """A valid GROUP BY window, built the way the parser builds it from its call."""
    kind = draw(st.sampled_from(sorted(WINDOW_CALLS)))
    spelled = "".join(c.upper() if draw(st.booleans()) else c for c in kind)
    exprs = _WINDOW_EXPRS
    unit = ast.TimeLiteral(draw(st.sampled_from(UNITS)))
    ints = st.integers(1, 10**6).map(ast.IntegerLiteral)
    args: tuple[ast.Expr, ...]
    if kind == "statewindow":
        args = tuple(draw(st.lists(exprs.map(ast.ParenExpr), min_size=1, max_size=2)))
    elif kind == "countwindow":
        length = draw(st.integers(1, 1000))
        args = (ast.IntegerLiteral(length),)
        if draw(st.booleans()):
            args += (ast.IntegerLiteral(draw(st.integers(-5, length))),)
    elif kind == "tumblingwindow":
        args = (unit, draw(ints))
    elif kind == "slidingwindow":
        args = (unit, draw(ints), *draw(st.lists(ints, max_size=1)))
    else:
        args = (unit, draw(ints), draw(ints))
    window = build_window(ast.Call(spelled, args))
    assert isinstance(window, ast.Window)
    return ast.Window(
        window.kind,
        window.unit,
        window.length,
        window.interval,
        window.begin,
        window.end,
        draw(st.none() | exprs),
        draw(st.none() | exprs),
        tuple(draw(st.lists(exprs, max_size=2))),
        window.raw,
    )


_SORT_EXPRS = expressions(qualified=True, max_leaves=4)


@st.composite
def sort_fields(draw: st.DrawFn) -> ast.SortField:
    # eKuiper reads a sort key only when it starts with a name
    exprs = _SORT_EXPRS
    head: ast.Expr = draw(
        st.one_of(
            names.map(ast.FieldRef),
            st.builds(ast.Call, call_names, st.lists(exprs, max_size=2).map(tuple)),
        )
    )
    if draw(st.booleans()):
        head = ast.BinaryExpr(draw(st.sampled_from(_OPS)), head, ast.ParenExpr(draw(exprs)))
    return ast.SortField(head, draw(st.booleans()))


sources = (
    st.lists(plain_names | odd_names, min_size=1, max_size=3)
    .map("/".join)
    .flatmap(lambda s: st.sampled_from([s, s + "/#", s + "/+", "/" + s]))
)


_SELECT_EXPRS = expressions(qualified=True, max_leaves=5)
_JOIN_KINDS: list[ast.JoinKind] = ["INNER", "LEFT", "RIGHT", "FULL", "CROSS"]
_JOIN_HEADS = st.tuples(st.sampled_from(_JOIN_KINDS), sources, st.none() | names)


@st.composite
def selects(draw: st.DrawFn, *, max_fields: int = 4, max_joins: int = 2) -> ast.Select:
    """A full SELECT: fields, joins, WHERE, GROUP BY with a window, HAVING, ORDER BY, LIMIT."""
    _check_positive("max_fields", max_fields)
    source = draw(sources)
    alias = draw(st.none() | names)
    joins = draw(st.lists(_JOIN_HEADS, max_size=max_joins))
    streams = sorted(
        {source, *(s for _, s, _ in joins), *(a for a in (alias, *(a for *_, a in joins)) if a)}
    )
    exprs = _SELECT_EXPRS
    built_joins = tuple(
        ast.Join(kind, src, al, None if kind == "CROSS" else draw(st.none() | exprs))
        for kind, src, al in joins
    )
    fields: list[ast.Field] = []
    unnamed = 0
    for _ in range(draw(st.integers(1, max_fields))):
        choice = draw(st.integers(0, 3))
        invisible = draw(st.booleans())
        if choice == 0:
            as_name = draw(names)
            fields.append(ast.Field(draw(exprs), as_name, as_name, invisible))
        elif choice == 1:
            named = draw(
                st.one_of(
                    names.map(ast.FieldRef),
                    st.builds(ast.Call, call_names, st.lists(exprs, max_size=2).map(tuple)),
                )
            )
            fields.append(ast.Field(named, named.name, None, invisible))
        elif choice == 2:
            # "s.*" takes neither EXCEPT nor REPLACE, as in eKuiper
            star = draw(
                st.one_of(
                    wildcards(aliased=exprs),
                    _SLOT_NAMES.map(lambda slot: ast.Wildcard(stream=slot)),
                )
            )
            fields.append(ast.Field(star, "*", None, invisible))
        else:
            expr = draw(exprs)
            if isinstance(expr, ast.FieldRef | ast.Call):
                fields.append(ast.Field(expr, expr.name, None, invisible))
            else:
                fields.append(ast.Field(expr, f"kuiper_field_{unnamed}", None, invisible))
                unnamed += 1
    if draw(st.booleans()):
        row = ast.Call(
            "row_number",
            (),
            tuple(draw(st.lists(exprs, min_size=1, max_size=2))),
            None,
            tuple(draw(st.lists(sort_fields(), max_size=2))),
        )
        fields.append(ast.Field(row, "r", "r"))
    tree = ast.Select(
        tuple(fields),
        source,
        alias,
        draw(st.none() | exprs),
        built_joins,
        tuple(draw(st.lists(exprs, max_size=2))),
        draw(st.none() | windows()),
        draw(st.none() | exprs),
        tuple(draw(st.lists(sort_fields(), max_size=2))),
        draw(st.none() | st.integers(-5, 10**6)),
    )
    return bind_streams(tree, streams)  # type: ignore[no-any-return]


def _default_for(type_name: str) -> st.SearchStrategy[ast.Expr | None]:
    values: dict[str, st.SearchStrategy[Any]] = {
        "bigint": st.integers(-(2**62), 2**62).map(ast.IntegerLiteral),
        "float": st.floats(allow_nan=False).map(ast.NumberLiteral),
        "string": st.text(max_size=6).map(ast.StringLiteral),
        "boolean": st.booleans().map(ast.BooleanLiteral),
    }
    return st.none() | values[type_name] if type_name in values else st.none()


@st.composite
def column_types(draw: st.DrawFn, *, name: str, depth: int) -> ast.ColumnDef:
    """A column (or, with ``name=""``, an array item) of any type, nested up to ``depth``."""
    kinds = sorted(SIMPLE_TYPES) + (["array", "struct"] if depth > 0 else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "array":
        return ast.ColumnDef(name, "array", items=draw(column_types(name="", depth=depth - 1)))
    if kind == "struct":
        fields = draw(st.lists(names, min_size=1, max_size=3, unique=True))
        return ast.ColumnDef(
            name,
            "struct",
            fields=tuple(draw(column_types(name=f, depth=depth - 1)) for f in fields),
        )
    default = draw(_default_for(kind)) if name else None
    return ast.ColumnDef(name, kind, default=default)


_OPTION_VALUES: dict[str, st.SearchStrategy[str]] = {
    "STRICT_VALIDATION": st.sampled_from(["true", "false", "TRUE", "False"]),
    "SHARED": st.sampled_from(["true", "false"]),
    "TEMP": st.sampled_from(["true", "false"]),
    "RETAIN_SIZE": st.integers(0, 1000).map(str),
    "KIND": st.sampled_from(["scan", "lookup"]),
    "VERSION": st.text("abcv0123456789.", max_size=5),
    "EXTRA": st.dictionaries(plain_names, st.integers(), max_size=2).map(json.dumps),
    "FORMAT": st.sampled_from(sorted(FORMATS - {"binary"}) + ["JSON"]),
    "TYPE": st.sampled_from(["mqtt", "file", "httppull"]),
}


@st.composite
def create_streams(draw: st.DrawFn, *, max_depth: int = 3) -> ast.CreateStream:
    """CREATE STREAM/TABLE with nested ARRAY/STRUCT columns, defaults and every WITH key."""
    col_names = draw(st.lists(names, max_size=4, unique=True))
    columns = tuple(draw(column_types(name=n, depth=max_depth)) for n in col_names)
    keys = draw(
        st.lists(
            st.sampled_from(
                [
                    "DATASOURCE",
                    "KEY",
                    "CONF_KEY",
                    "TIMESTAMP",
                    "TIMESTAMP_FORMAT",
                    "SCHEMAID",
                    "DELIMITER",
                    *_OPTION_VALUES,
                ]
            ),
            unique=True,
            max_size=6,
        )
    )
    options = tuple((k, draw(_OPTION_VALUES.get(k, st.text(max_size=6)))) for k in keys)
    return ast.CreateStream(
        draw(names), columns, options, draw(st.sampled_from(["stream", "table"]))
    )


others = st.one_of(
    st.builds(ast.DropStream, names, st.sampled_from(["stream", "table"])),
    st.builds(ast.DescribeStream, names, st.sampled_from(["stream", "table"])),
    st.builds(ast.ExplainStream, names, st.sampled_from(["stream", "table"])),
    st.builds(ast.ShowStreams, st.sampled_from(["stream", "table"])),
)


@given(expressions())
def test_expression_round_trip(expr: ast.Expr) -> None:
    assert parse_expr(render(expr)) == expr


@settings(max_examples=200, deadline=None)
@given(selects())
def test_select_round_trip(tree: ast.Select) -> None:
    assert parse(render(tree)) == tree


@given(create_streams())
def test_create_round_trip(tree: ast.CreateStream) -> None:
    assert parse(render(tree)) == tree


@given(others)
def test_other_statements_round_trip(tree: ast.Statement) -> None:
    assert parse(render(tree)) == tree
