"""The source-side JSON boundary: what the SDK's json.dumps and Go's parser make of it."""

from __future__ import annotations

import json
import math
from collections import OrderedDict
from typing import Any

import pytest

from kuiper_dev.plugins import NotJsonNumber, NotPortable, through_json


@pytest.mark.parametrize(
    "value",
    [
        {"a": 1, "b": [1.5, True, None, "s"], "c": {"d": (1, 2)}},
        {3: "int key", 2.5: "float key", True: "bool key", None: "none key"},
        OrderedDict(x=1),
    ],
)
def test_same_as_a_real_json_round_trip_with_go_numbers(value: Any) -> None:
    def as_go(v: Any) -> Any:  # Go's json.Unmarshal into interface{}: numbers are float64
        if isinstance(v, bool) or v is None or isinstance(v, str):
            return v
        if isinstance(v, int | float):
            return float(v)
        if isinstance(v, list):
            return [as_go(x) for x in v]
        return {k: as_go(x) for k, x in v.items()}

    assert through_json(value) == as_go(json.loads(json.dumps(value)))


def test_nan_is_go_side_and_objects_are_sdk_side() -> None:
    with pytest.raises(NotJsonNumber, match=r"message\['t'\] is nan"):
        through_json({"t": math.nan})
    with pytest.raises(NotPortable, match="bytes.*not JSON serializable"):
        through_json({"raw": b"\x00"})
    with pytest.raises(NotPortable, match="key"):
        through_json({(1, 2): 1})
