"""Laws of the array and object built-ins."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from kuiper_dev.functions import BUILTINS

scalars = st.one_of(
    st.integers(-5, 5), st.sampled_from([0.5, 1.0, 2.0]), st.sampled_from(["a", "b"])
)
arrays = st.lists(scalars, max_size=8)


def call(name: str, *args: Any) -> Any:
    return BUILTINS[name].fn(*args)


@given(arrays, scalars)
def test_position_and_element_at_agree(arr: list[Any], x: Any) -> None:
    i = call("array_position", arr, x) if arr else -1
    if i >= 0:
        got = call("element_at", arr, i)
        assert got == x and type(got) is type(x)
    assert (i >= 0) == (call("array_contains", arr, x) if arr else False)


@given(st.lists(st.integers(-5, 5), min_size=1, max_size=8))
def test_distinct_union_except(arr: list[int]) -> None:
    distinct = call("array_distinct", arr)
    assert sorted(distinct) == sorted(set(arr))
    assert call("array_union", arr, arr) == distinct
    assert call("array_except", arr, arr) == []


@given(st.integers(-20, 20), st.integers(-20, 20))
def test_sequence_bounds(a: int, b: int) -> None:
    seq = call("sequence", a, b)
    assert seq[0] == a and seq[-1] == b and len(seq) == abs(b - a) + 1


@given(st.dictionaries(st.text(max_size=4), st.integers(), max_size=6))
def test_object_round_trips(obj: dict[str, int]) -> None:
    if obj:
        assert call("object", call("keys", obj), call("values", obj)) == obj
        assert call("zip", call("items", obj)) == obj
        assert call("kvpair_array_to_obj", call("obj_to_kvpair_array", obj)) == obj
