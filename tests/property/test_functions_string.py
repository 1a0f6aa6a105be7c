"""Laws of the string built-ins."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kuiper_dev.functions import BUILTINS

ascii_text = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=30)


def call(name: str, *args: object) -> object:
    return BUILTINS[name].fn(*args)


@given(ascii_text)
def test_lower_upper(s: str) -> None:
    assert call("lower", call("upper", s)) == call("lower", s)
    assert call("upper", call("lower", s)) == call("upper", s)


@given(st.text(max_size=30))
def test_reverse_is_an_involution_and_keeps_length(s: str) -> None:
    assert call("reverse", call("reverse", s)) == s
    assert call("length", call("reverse", s)) == call("length", s)


@given(st.text(max_size=30), st.text(max_size=5))
def test_concat_prefix_suffix(a: str, b: str) -> None:
    joined = call("concat", a, b)
    assert call("startswith", joined, a) and call("endswith", joined, b)
    assert call("numbytes", joined) == len(a.encode()) + len(b.encode())


@given(ascii_text, st.integers(min_value=0, max_value=10))
def test_pad_then_trim(s: str, n: int) -> None:
    assert call("trim", call("lpad", call("rpad", s.strip(), n), n)) == s.strip()


@given(ascii_text, st.integers(min_value=0, max_value=40), st.integers(min_value=0, max_value=40))
def test_substring_matches_slicing_for_ascii(s: str, a: int, b: int) -> None:
    start, end = min(a, b), max(a, b)
    assert call("substring", s, start, end) == (s[start:end] if start <= len(s) else "")


@given(
    st.lists(st.text(st.characters(blacklist_characters="/"), max_size=5), min_size=1, max_size=5)
)
def test_split_value_picks_each_part(parts: list[str]) -> None:
    text = "/".join(parts)
    assert [call("split_value", text, "/", i) for i in range(len(parts))] == parts
