from __future__ import annotations

from kuiper_dev._gojson import dumps


def test_encodes_like_go() -> None:
    assert (
        dumps([{"b": 2.0, "a": 1.5, "c": "<&>", "d": None}])
        == '[{"a":1.5,"b":2,"c":"\\u003c\\u0026\\u003e","d":null}]'
    )
