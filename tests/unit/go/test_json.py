"""The one Go-style JSON encoder: Go's ``encoding/json`` output, byte for byte."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kuiper_dev.go import dumps
from kuiper_dev.go.json import _encode, _fast


def test_encodes_like_go() -> None:
    assert (
        dumps([{"b": 2.0, "a": 1.5, "c": "<&>", "d": None}])
        == '[{"a":1.5,"b":2,"c":"\\u003c\\u0026\\u003e","d":null}]'
    )


# (value, Go's json.Marshal output): floats use 'f' for 1e-6 <= |v| < 1e21, else 'e'
# with the exponent's leading zero dropped; whole floats have no fraction.
GO_CASES: list[tuple[Any, str]] = [
    (20.0, "20"),
    (-0.0, "0"),
    (1e20, "100000000000000000000"),
    (2.0**62, "4611686018427388000"),
    (1e21, "1e+21"),
    (1e-7, "1e-7"),
    (5e-6, "0.000005"),
    (1.2345e-5, "0.000012345"),
    (123456789.125, "123456789.125"),
    (2**70, "1180591620717411303424"),
    ("\b\f\n\r\t\x01\x7f", '"\\b\\f\\n\\r\\t\\u0001\x7f"'),
    ("\u2028\u2029é😀", '"\\u2028\\u2029é😀"'),
    ("a\ud800b", '"a\ufffdb"'),
    (b"hi", '"aGk="'),
    ((1, 2), "[1,2]"),
    ({"b": [], "a": {}}, '{"a":{},"b":[]}'),
    ({10: "x", 9: "y"}, '{"10":"x","9":"y"}'),
    (datetime(2024, 1, 2, 3, 4, 5, 120000, UTC), '"2024-01-02T03:04:05.12Z"'),
    (
        datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=8))),
        '"2024-01-02T03:04:05+08:00"',
    ),
]


@pytest.mark.parametrize(("value", "expected"), GO_CASES, ids=[repr(c[0]) for c in GO_CASES])
def test_writes_what_go_writes(value: Any, expected: str) -> None:
    assert dumps(value) == expected


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, [1.0, {"a": math.nan}]])
def test_nan_and_infinities_are_errors_as_in_go(value: Any) -> None:
    with pytest.raises(ValueError, match=r"json: unsupported value: (NaN|\+Inf|-Inf)"):
        dumps(value)


def test_unsupported_types_are_errors() -> None:
    with pytest.raises(ValueError, match="json: unsupported type: object"):
        dumps({"a": object()})


def test_raw_keeps_html_characters() -> None:
    assert dumps({"a": "<&>\u2028"}, escape_html=False) == '{"a":"<&>\\u2028"}'


def test_indent_is_go_marshal_indent() -> None:
    value = {"b": [1, {"c": None}], "a": {}, "d": [], "e": "x,{}: y"}
    assert dumps(value, indent="  ") == (
        '{\n  "a": {},\n  "b": [\n    1,\n    {\n      "c": null\n    }\n  ],\n'
        '  "d": [],\n  "e": "x,{}: y"\n}'
    )


_FLOATS = st.floats(allow_nan=False, allow_infinity=False) | st.sampled_from(
    [1e-6, 9.99e-6, 1e-5, 2.0**53, 2.0**53 + 2, 1e16, 1e20, 1e21, -5e-6]
)
_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**64), max_value=2**64)
    | _FLOATS
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=12,
)


@given(_JSON, st.booleans())
def test_fast_path_writes_what_the_step_by_step_writer_writes(value: Any, html: bool) -> None:
    fast = _fast(value, html)
    assert fast is None or fast == _encode(value, html)
