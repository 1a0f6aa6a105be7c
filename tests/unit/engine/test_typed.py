"""The typed expression compiler: types, null guards, and eKuiper's number rules."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kuiper_dev import Workspace
from kuiper_dev.engine.typed import (
    RUNTIME,
    Fallback,
    NotTyped,
    TypedCompiler,
    call,
    define,
)
from kuiper_dev.engine.values import binary_op, group_key_part
from kuiper_dev.errors import EvalError
from kuiper_dev.sql import parse_expr, parse_stream

DDL = (
    "CREATE STREAM demo (id BIGINT, n BIGINT, t FLOAT, name STRING, ok BOOLEAN, "
    'tags ARRAY(STRING)) WITH (DATASOURCE="demo")'
)
SCHEMA = {c.name: c for c in parse_stream(DDL).columns}


def evaluate(expr: str, **row: Any) -> Any:
    """``expr``'s typed text run on ``row`` (columns not given are null)."""
    typed = TypedCompiler(SCHEMA, ["demo"])
    code = typed.expr(parse_expr(expr))
    params = ", ".join(typed.var(c) for c in SCHEMA)
    fn = define(f"def f({params}):\n    return {code.text}")["f"]
    return fn(*(row.get(c) for c in SCHEMA))


@pytest.mark.parametrize(
    ("expr", "type_", "nullable"),
    [
        ("1", "int", False),
        ("1.5", "float", False),
        ("'a'", "str", False),
        ("true", "bool", False),
        ("id", "int", True),
        ("t", "float", True),
        ("id + 1", "int", True),
        ("id * t", "float", True),  # mixing an int with a float gives a float
        ("id / 2", "int", True),
        ("7 / 2", "int", False),
        ("7 % 2.0", "float", False),
        ("(id)", "int", True),
        ("demo.id - n", "int", True),
        ("id > t", "bool", False),  # a comparison with a null side is false, never null
        ("name = 'x' AND ok = true", "bool", False),
    ],
)
def test_types_are_inferred(expr: str, type_: str, nullable: bool) -> None:
    code = TypedCompiler(SCHEMA, ["demo"]).expr(parse_expr(expr))
    assert (code.type, code.nullable) == (type_, nullable)


@pytest.mark.parametrize(
    "expr",
    [
        "name + 1",  # eKuiper's invalid operation: the general path reports it
        "ok < true",
        "name = 1",
        "ok AND id > 1",  # a nullable boolean in logic
        "abs(t)",
        "tags",  # nested columns only the general path converts
        "other.id",
        "missing",
    ],
)
def test_what_the_types_cannot_decide_is_not_typed(expr: str) -> None:
    with pytest.raises(NotTyped):
        TypedCompiler(SCHEMA, ["demo"]).expr(parse_expr(expr))


def test_a_column_shadowed_by_an_alias_is_not_typed() -> None:
    with pytest.raises(NotTyped):
        TypedCompiler(SCHEMA, ["demo"], aliases=["id"]).expr(parse_expr("id + 1"))


@pytest.mark.parametrize(
    ("expr", "row", "want"),
    [
        ("id + 1", {}, None),
        ("id * t", {"id": 2}, None),
        ("id / n", {"id": 2}, None),
        ("id > 1", {}, False),
        ("t = t", {}, False),  # null is not equal to null
        ("name != 'x'", {}, False),
        ("id + 1", {"id": 2}, 3),
        ("id > 1 OR t < 0", {"id": 2}, True),
    ],
)
def test_null_guards_follow_the_general_paths_policy(expr: str, row: Any, want: Any) -> None:
    assert evaluate(expr, **row) == want


@pytest.mark.parametrize(
    ("expr", "row"),
    [
        ("id / n", {"id": 1, "n": 0}),
        ("id % n", {"id": 1, "n": 0}),
        ("t / 0", {"t": 1.5}),
        ("t % n", {"t": 1.5, "n": 0}),
        # the general path evaluates both sides before its null test, so neither
        # a null left side nor short-circuit may hide the division
        ("t > id / n", {"id": 1, "n": 0}),
        ("t + id / n", {"id": 1, "n": 0}),
    ],
)
def test_division_by_zero_raises_the_general_paths_error(expr: str, row: Any) -> None:
    with pytest.raises(EvalError, match="divided by zero"):
        evaluate(expr, **row)


def test_division_by_zero_in_a_generated_loop_falls_back_to_the_general_path() -> None:
    ws = Workspace(plugins_dir=None)
    ws.create_stream(DDL)
    rule = ws.rule("SELECT id / n AS q FROM demo", auto_stream=False)
    fast = rule.plan.fast
    assert fast is not None
    slow: list[bytes] = []
    out: list[Any] = []
    payloads = [b'{"id": 7, "n": 0}', b'{"id": -7, "n": 2}']
    assert fast.run_payloads(payloads, out.append, print, slow.append) == (1, 1)
    assert slow == payloads[:1] and out == [[{"q": -3}]]
    rule.push_payloads(payloads, 0)
    [error] = rule.result.errors
    assert error.message.endswith("divided by zero")  # the general path's words


@pytest.mark.parametrize(
    ("a", "op", "b"),
    [(7, "/", 2), (-7, "/", 2), (7, "/", -2), (-7, "/", -2), (-7, "%", 3), (7, "%", -3)],
)
def test_int_division_truncates_toward_zero(a: int, op: str, b: int) -> None:
    got = evaluate(f"id {op} n", id=a, n=b)
    assert got == binary_op(op)(a, b) and type(got) is int
    assert evaluate(f"id {op} n", id=-7, n=2) == (-3 if op == "/" else -1)


@pytest.mark.parametrize(
    ("i", "op", "f"),
    [
        (1, "=", 1.0),
        (1, "<", 1.5),
        (2, ">=", 1.5),
        (-1, "!=", -1.5),
        (2**53 + 1, "=", float(2**53)),  # Go converts the int to float64 first
        (0, "=", -0.0),
    ],
)
def test_an_int_compares_with_a_float_as_in_the_general_path(i: int, op: str, f: float) -> None:
    want = binary_op(op)(i, f)
    assert evaluate(f"id {op} t", id=i, t=f) is want is True
    assert evaluate(f"t {op} id", id=i, t=f) is binary_op(op)(f, i)


def test_decode_reads_columns_with_their_types_and_converts_ints_to_floats() -> None:
    typed = TypedCompiler(SCHEMA)
    body = "\n".join("    " + line for line in typed.decode(conv=True))
    source = f"def read(obj):\n    conv = False\n{body}\n    return c0, c2, conv"
    read = define(source)["read"]
    assert read({"id": 1, "t": 2}) == (1, 2.0, True)
    assert type(read({"t": 2})[1]) is float
    assert read({"t": 2.5}) == (None, 2.5, False)
    for wrong in ({"id": 1.0}, {"t": "2"}, {"ok": 1}, {"name": 5}, {"tags": ["a"]}):
        with pytest.raises(Fallback):
            read(wrong)
    for not_an_object in ([1], "t", 5, None):  # the general path decides these
        with pytest.raises(TypeError):
            read(not_an_object)


@given(
    st.lists(st.one_of(st.none(), st.sampled_from(["", "<nil>", "a", "a,", ",", "b"])), max_size=8)
)
def test_a_fold_key_groups_as_the_key_text_does(names: list[str | None]) -> None:
    typed = TypedCompiler(SCHEMA)
    text = define(f"def key(c3):\n    return {typed.group_key(['name'])}")["key"]
    fold = define(f"def key(c3):\n    return {typed.fold_key(['name'])}")["key"]
    assert typed.var("name") == "c3"
    for a in names:
        for b in names:
            assert (text(a) == text(b)) is (fold(a) == fold(b)), (a, b)


def test_group_keys_are_ekuipers_key_text() -> None:
    typed = TypedCompiler(SCHEMA)
    names = ("name", "t", "id", "ok")
    key = define(f"def key({', '.join(typed.var(c) for c in names)}):\n    return "
                 f"{typed.group_key(names)}")["key"]  # fmt: skip
    for row in [("a", 1.0, 1, True), (None, -0.0, None, None), ("a,b", 1e21, -5, False)]:
        assert key(*row) == "".join(group_key_part(v) for v in row)
    assert key(None, None, None, None) == key("<nil>", None, None, None)  # as in eKuiper


def test_generated_code_calls_only_the_runtime() -> None:
    assert set(RUNTIME) >= {"int_quotient", "float_quotient", "group_key_part", "int_avg"}
    with pytest.raises(ValueError, match="not in the typed runtime"):
        call(print, "x")
