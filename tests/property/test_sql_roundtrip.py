"""Generative round trip: ``parse(render(tree)) == tree`` for generated trees."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kuiper_dev.sql import ast, parse, render
from kuiper_dev.sql.tokens import KEYWORDS

names = st.from_regex(r"[a-zA-Z_][a-zA-Z0-9_]{0,8}", fullmatch=True).filter(
    lambda s: s.upper() not in KEYWORDS
)
literals = st.one_of(
    st.integers(min_value=-(2**40), max_value=2**40).map(ast.IntegerLiteral),
    st.floats(min_value=-1e9, max_value=1e9, allow_nan=False)
    .filter(lambda f: "e" not in repr(f))
    .map(ast.NumberLiteral),
    st.text(max_size=8).map(ast.StringLiteral),
    st.booleans().map(ast.BooleanLiteral),
)
ops = st.sampled_from(
    ["+", "-", "*", "/", "%", "&", "|", "^", "=", "!=", "<", "<=", ">", ">=", "AND", "OR"]
)


def _extend(children: st.SearchStrategy[ast.Expr]) -> st.SearchStrategy[ast.Expr]:
    # binary operands are parenthesised, so the tree does not depend on precedence
    paren = children.map(ast.ParenExpr)
    return st.one_of(
        st.builds(ast.BinaryExpr, ops, paren, paren),
        st.builds(ast.Call, names, st.lists(children, max_size=3).map(tuple)),
        st.builds(
            ast.BinaryExpr,
            st.just("IN"),
            paren,
            st.lists(children, min_size=1, max_size=3).map(lambda xs: ast.ValueSet(tuple(xs))),
        ),
    )


exprs = st.recursive(st.one_of(literals, names.map(ast.FieldRef)), _extend, max_leaves=12)


@given(exprs, names)
def test_select_round_trip(expr: ast.Expr, stream: str) -> None:
    field = ast.Field(expr, "x", "x")
    tree = ast.Select((field,), stream, None, expr)
    assert parse(render(tree)) == tree
