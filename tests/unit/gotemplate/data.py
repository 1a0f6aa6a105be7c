"""Shared data for the template tests."""

from __future__ import annotations

from hypothesis import strategies as st

ROWS = [{"ab": "hello1"}, {"ab": "hello2"}]
AWS = [
    {"device_id": "1", "t_av": 36.25, "t_count": 4.0, "t_max": 80.0, "t_min": 10.0},
    {"device_id": "2", "t_av": 27.0, "t_count": 4.0, "t_max": 45.0, "t_min": 12.0},
]

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53), max_value=2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=12,
)
