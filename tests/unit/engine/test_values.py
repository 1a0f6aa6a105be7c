"""Operator semantics checked against eKuiper's valuer.go rules."""

from __future__ import annotations

import re

import pytest

from kuiper_dev.engine.values import binary_op
from kuiper_dev.errors import EvalError


@pytest.mark.parametrize(
    ("lhs", "op", "rhs", "want"),
    [
        (7, "/", 2, 3),
        (-7, "/", 2, -3),  # Go truncates toward zero
        (-7, "%", 3, -1),  # remainder takes the dividend's sign
        (7.0, "/", 2, 3.5),
        (7, "/", 2.0, 3.5),
        (-7.5, "%", 2, -1.5),
        (6, "&", 3, 2),
        (6, "|", 3, 7),
        (6, "^", 3, 5),
        (1, "=", 1.0, True),
        ("a", "<", "b", True),
        (True, "AND", False, False),
        (True, "^", True, False),
        (None, "+", 1, None),
        (None, "=", None, False),
        (None, "AND", True, False),
        (1, ">", None, False),
    ],
)
def test_operator_results(lhs: object, op: str, rhs: object, want: object) -> None:
    got = binary_op(op)(lhs, rhs)
    assert got == want and type(got) is type(want)


@pytest.mark.parametrize(
    ("lhs", "op", "rhs", "message"),
    [
        (1, "/", 0, "divided by zero"),
        (1.0, "%", 0, "divided by zero"),
        ("a", ">", 1, "invalid operation string(a) > int64(1)"),
        (1.5, "&", 1, "invalid operation float64(1.5) & float64(1)"),
        (True, ">", False, "invalid operation bool(true) > bool(false)"),
        (1, "AND", True, "invalid operation int64(1) AND bool(true)"),
        ("a", "+", "b", "invalid operation string(a) + string(b)"),
    ],
)
def test_operator_errors(lhs: object, op: str, rhs: object, message: str) -> None:
    with pytest.raises(EvalError, match=re.escape(message)):
        binary_op(op)(lhs, rhs)


# -- conditions as eKuiper's filter, having and join operators read them ---------------


def _first_error(sql: str, rows: list[dict[str, object]]) -> str:
    from kuiper_dev import Workspace

    ws = Workspace(plugins_dir=None)
    ws.create_stream('CREATE STREAM t () WITH (DATASOURCE="t")')
    result = ws.run(sql, rows, drain_ms=2000)
    assert result.errors, f"expected an error from {sql}"
    return result.errors[0].message


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        (
            "SELECT a FROM s WHERE a / 0 > 1 GROUP BY SLIDINGWINDOW(ss, 1)",
            "run Where error: divided by zero",
        ),
        (
            "SELECT a FROM s WHERE x GROUP BY SLIDINGWINDOW(ss, 1)",
            "run Where error: invalid condition that returns non-bool value string(yes)",
        ),
        (
            "SELECT a FROM s WHERE x GROUP BY TUMBLINGWINDOW(ss, 1)",  # pushed below the window
            "run Where error: invalid condition that returns non-bool value string(yes)",
        ),
        (
            "SELECT count(*) AS n FROM s GROUP BY TUMBLINGWINDOW(ss, 1) FILTER (WHERE a)",
            "run Where error: invalid condition that returns non-bool value float64(1)",
        ),
        (
            "SELECT sum(a) AS s FROM s GROUP BY TUMBLINGWINDOW(ss, 1) HAVING sum(a) / 0 > 1",
            "run Having error: divided by zero",
        ),
        (
            "SELECT a FROM s GROUP BY TUMBLINGWINDOW(ss, 1) ORDER BY a / 0",
            "run Order By error: divided by zero",
        ),
        (
            "SELECT a FROM s WHERE n LIKE 'x%'",
            "run Where error: LIKE operator left operand expects string, but found <nil>",
        ),
    ],
)
def test_operator_errors_carry_ekuipers_prefix_and_go_printing(sql: str, message: str) -> None:
    assert _first_error(sql, [{"a": 1, "x": "yes"}]) == message


def test_a_non_bool_join_condition_prints_in_go_terms() -> None:
    from kuiper_dev import Message, Workspace

    ws = Workspace(plugins_dir=None)
    sql = "SELECT * FROM s INNER JOIN t ON s.x GROUP BY TUMBLINGWINDOW(ss, 1)"
    for name in ("s", "t"):
        ws.create_stream(f'CREATE STREAM {name} () WITH (DATASOURCE="{name}")')
    feeds = {"s": [Message("s", b'{"x": "yes"}', 1)], "t": [Message("t", b'{"y": 1}', 2)]}
    result = ws.run(sql, feeds, drain_ms=2000)
    assert [e.message for e in result.errors] == [
        "run Join error: invalid join condition that returns non-bool value string(yes)"
    ]


def test_a_column_is_found_by_its_exact_name_first_then_ignoring_case() -> None:
    from kuiper_dev.engine.values import column

    assert column({"a": 1, "A": 2}, "A") == 2
    assert column({"a": 1}, "A") == 1
    assert column({"a": None}, "A") is None
    assert column({}, "A") is None


def test_int64_arithmetic_wraps_as_go_does() -> None:
    add, mul, div = binary_op("+"), binary_op("*"), binary_op("/")
    top = (1 << 63) - 1
    assert add(top, 1) == -(1 << 63)
    assert mul(top, 2) == -2
    assert div(-(1 << 63), -1) == -(1 << 63)


def test_an_int_compared_with_a_float_is_converted_first() -> None:
    # 2**53 + 1 is no float64: Go compares float64(2**53 + 1) == 2**53
    assert binary_op(">")((1 << 53) + 1, float(1 << 53)) is False
    assert binary_op("=")((1 << 53) + 1, float(1 << 53)) is True
