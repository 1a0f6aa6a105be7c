"""Typed text computes what the general path's closures compute, expression by expression.

Random well-typed expressions over a typed stream's columns, random rows: the
typed text gives the general path's value, of the same Python type, or raises
wherever the general path raises (the generated loops then hand the message to
the general path, which reports the error).
"""

from __future__ import annotations

from typing import Any

from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from kuiper_dev import Workspace
from kuiper_dev.engine.compiler import Scope, compile_expr
from kuiper_dev.engine.typed import NotTyped, TypedCompiler, define
from kuiper_dev.sql import parse_expr, parse_stream

DDL = 'CREATE STREAM demo (id BIGINT, n BIGINT, t FLOAT, name STRING) WITH (DATASOURCE="demo")'
SCHEMA = {c.name: c for c in parse_stream(DDL).columns}
SCOPE = Scope(Workspace(plugins_dir=None).binder, "r", ("demo",))

int_literals = st.integers(min_value=0, max_value=3).map(str) | st.sampled_from(
    ["50", "9007199254740993", "99999999999999999999999"]  # a float meets them as float64
)  # negatives come from "-"
float_literals = st.sampled_from(["0.0", "0.5", "1.5", "2.0", "100000000000000000000.0"])
numbers = st.recursive(
    st.sampled_from(["id", "n", "t", "demo.id"]) | int_literals | float_literals,
    lambda inner: st.tuples(inner, st.sampled_from("+-*/%"), inner).map(
        lambda p: f"({p[0]} {p[1]} {p[2]})"
    ),
    max_leaves=6,
)
texts = st.sampled_from(["name", "'a'", "''"])
comparisons = st.one_of(
    st.tuples(numbers, st.sampled_from(["=", "!=", "<", "<=", ">", ">="]), numbers),
    st.tuples(texts, st.sampled_from(["=", "!=", "<", ">="]), texts),
).map(" ".join)
conditions = st.recursive(
    comparisons,
    lambda inner: st.tuples(inner, st.sampled_from(["AND", "OR"]), inner).map(
        lambda p: f"({p[0]} {p[1]} {p[2]})"
    ),
    max_leaves=3,
)
small = st.integers(min_value=-5, max_value=5)
rows = st.fixed_dictionaries(
    {
        "id": st.none() | small | st.integers(min_value=-(2**63), max_value=2**63 - 1),
        "n": st.none() | small,
        "t": st.none() | st.floats(allow_nan=False, width=32) | st.sampled_from([0.0, -0.0]),
        "name": st.none() | st.sampled_from(["", "a", "b"]),
    }
)


def outcome(fn: Any, *args: Any) -> tuple[str, str]:
    """The value's type and repr (so 0.0 and -0.0 differ), or the error's class."""
    try:
        value = fn(*args)
    except Exception as exc:  # EvalError (divided by zero); OverflowError for ints past floats
        return "error", type(exc).__name__
    return type(value).__name__, repr(value)


@settings(max_examples=400, deadline=None)
@given(expr=numbers | conditions, row=rows)
@example(expr="(t > (id / n))", row={"id": 1, "n": 0, "t": None, "name": None})
@example(expr="(t + (id % n))", row={"id": 1, "n": 0, "t": None, "name": None})
def test_typed_text_agrees_with_the_general_path(expr: str, row: dict[str, Any]) -> None:
    node = parse_expr(expr)
    typed = TypedCompiler(SCHEMA, ["demo"])
    try:
        code = typed.expr(node)
    except NotTyped:
        assume(False)
    params = ", ".join(typed.var(c) for c in SCHEMA)
    fn = define(f"def f({params}):\n    return {code.text}")["f"]
    general = outcome(compile_expr(node, SCOPE), row)
    assert outcome(fn, *(row[c] for c in SCHEMA)) == general
    if general[0] == "NoneType":
        assert code.nullable
    elif general[0] != "error":
        assert general[0] == code.type
