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
        (1.5, "&", 1, "invalid operation float64(1.5) & int64(1)"),
        (True, ">", False, "invalid operation bool(true) > bool(false)"),
        (1, "AND", True, "invalid operation int64(1) AND bool(true)"),
        ("a", "+", "b", "invalid operation string(a) + string(b)"),
    ],
)
def test_operator_errors(lhs: object, op: str, rhs: object, message: str) -> None:
    with pytest.raises(EvalError, match=re.escape(message)):
        binary_op(op)(lhs, rhs)
