"""JSON text as eKuiper (Go's ``encoding/json``) writes it.

eKuiper's sinks marshal maps with sorted keys, write whole floats without a
fraction (``20`` not ``20.0``), and escape ``<``, ``>`` and ``&``. Printing emissions
the same way lets users diff our output against a real eKuiper's.
"""

from __future__ import annotations

import math
from typing import Any

import orjson

__all__ = ["dumps", "normalize", "numbers_as_floats"]

_INT64_LIMIT = 2**63  # orjson writes 64-bit ints only; larger whole floats stay floats


def normalize(value: Any) -> Any:
    """Return ``value`` with whole floats turned into ints, as Go prints them.

    >>> normalize({"a": 2.0, "b": [1.5, 3.0]})
    {'a': 2, 'b': [1.5, 3]}
    """
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < _INT64_LIMIT:
            return int(value)
        return value
    if isinstance(value, dict):
        return {k: normalize(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [normalize(v) for v in value]
    return value


def numbers_as_floats(value: Any) -> Any:
    """Return ``value`` with every int turned into a float, as Go's ``json.Unmarshal``
    into ``interface{}`` (and so eKuiper's schemaless JSON decoding) reads numbers.

    >>> numbers_as_floats({"a": 1, "b": [2, "x", True]})
    {'a': 1.0, 'b': [2.0, 'x', True]}
    """
    t = type(value)
    if t is int:
        return float(value)
    if t is dict:
        return {k: numbers_as_floats(v) for k, v in value.items()}
    if t is list:
        return [numbers_as_floats(v) for v in value]
    return value


def dumps(value: Any) -> str:
    """Encode ``value`` as eKuiper would send it to a sink.

    >>> dumps([{"b": 1.0, "a": "x<y"}])
    '[{"a":"x\\\\u003cy","b":1}]'
    """
    text = orjson.dumps(normalize(value), option=orjson.OPT_SORT_KEYS).decode()
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
