"""Laws of the mathematical built-ins."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from kuiper_dev.functions import BUILTINS

ints = st.integers(min_value=-(2**62), max_value=2**62)
floats = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15)


def f(name: str) -> object:
    return BUILTINS[name].fn


@given(st.one_of(ints, floats))
def test_abs_is_non_negative_and_keeps_the_type(x: float) -> None:
    r = BUILTINS["abs"].fn(x)
    assert r >= 0 and type(r) is type(x)


@given(floats)
def test_floor_le_x_le_ceil(x: float) -> None:
    assert BUILTINS["floor"].fn(x) <= x <= BUILTINS["ceil"].fn(x)


@given(floats)
def test_round_is_within_half(x: float) -> None:
    assert abs(BUILTINS["round"].fn(x) - x) <= 0.5


@given(ints, ints)
def test_bit_laws(a: int, b: int) -> None:
    band, bor, bxor = (BUILTINS[n].fn for n in ("bitand", "bitor", "bitxor"))
    assert bxor(a, b) == bor(a, b) - band(a, b)
    assert BUILTINS["bitnot"].fn(BUILTINS["bitnot"].fn(a)) == a


@given(floats)
def test_sign_agrees_with_comparison(x: float) -> None:
    assert BUILTINS["sign"].fn(x) == (x > 0) - (x < 0)


@given(st.floats(min_value=1e-9, max_value=1e9))
def test_exp_inverts_ln(x: float) -> None:
    assert math.isclose(BUILTINS["exp"].fn(BUILTINS["ln"].fn(x)), x, rel_tol=1e-9)


@given(st.integers(min_value=0, max_value=2**63 - 1), st.integers(min_value=2, max_value=36))
def test_conv_round_trips(n: int, base: int) -> None:
    text = BUILTINS["conv"].fn(str(n), 10, base)
    assert BUILTINS["conv"].fn(text, base, 10) == str(n)
