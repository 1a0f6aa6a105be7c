"""What crosses the portable runtime's JSON boundary, checked cheaply in-process.

Under eKuiper a Python plugin gets arguments that Go marshalled to JSON (so a whole
float ``3.0`` arrives as ``3``) and its results are unmarshalled by Go (so every
number comes back as a float). Values JSON cannot carry make eKuiper fail; here
they fail at once with a message that says why.
"""

from __future__ import annotations

import math
from typing import Any

from ..errors import NotJsonNumber, NotPortable
from ..go import normalize

__all__ = [
    "from_plugin",
    "through_json",
    "to_plugin_args",
]


def to_plugin_args(args: list[Any]) -> list[Any]:
    """Arguments as the plugin would see them after Go's JSON encoding (in place)."""
    for i, a in enumerate(args):
        t = type(a)
        if t is float or t is dict or t is list:
            args[i] = normalize(a)
    return args


def from_plugin(v: Any) -> Any:
    """A plugin result as eKuiper's Go side reads it: numbers become floats.

    The SDK sends ``json.dumps`` of the result, so tuples arrive as lists and int
    keys as strings; what ``json.dumps`` refuses, or Go cannot parse, raises
    :class:`NotPortable`. One walk, no text.

    >>> from_plugin({"n": 2, 1: (3, None)})
    {'n': 2.0, '1': [3.0, None]}
    """
    return through_json(v, "result")


def through_json(v: Any, where: str = "message") -> Any:
    """``v`` as it comes out of the SDK's ``json.dumps`` and Go's ``json.Unmarshal``.

    One walk, no text: tuples become lists, non-string keys become strings the way
    ``json.dumps`` writes them, numbers become floats as Go reads them. Raises
    :class:`NotPortable` where ``json.dumps`` raises (the SDK raises in the plugin)
    and :class:`NotJsonNumber` where Go fails to parse (eKuiper drops the message).

    >>> through_json({"a": 1, 2: (True, None)})
    {'a': 1.0, '2': [True, None]}
    """
    t = type(v)
    if t is str or t is bool or v is None:
        return v
    if t is int:
        return float(v)
    if t is float:
        if not math.isfinite(v):
            raise NotJsonNumber(
                f"{where} is {v!r}: Python's json writes it but eKuiper (Go) cannot read "
                "NaN or Infinity, so the message is dropped; send None instead"
            )
        return v
    if t is dict:
        return {_json_key(k, where): through_json(x, f"{where}[{k!r}]") for k, x in v.items()}
    if t is list or t is tuple:
        return [through_json(x, f"{where}[{i}]") for i, x in enumerate(v)]
    if isinstance(v, int | float | str | dict | list | tuple):  # subclasses json accepts
        return through_json(_base_value(v), where)
    raise NotPortable(
        f"{where} is a {t.__name__}: the SDK's json.dumps raises 'Object of type {t.__name__} "
        "is not JSON serializable' in the plugin; convert it to a JSON value "
        "(str, number, bool, None, list, dict)"
    )


def _base_value(v: Any) -> Any:
    bases: tuple[Any, ...] = (int, float, str, dict, list, tuple)
    for base in bases:
        if isinstance(v, base):
            return base(v)
    return v  # pragma: no cover - guarded by the caller


def _json_key(k: Any, where: str) -> str:
    t = type(k)
    if t is str:
        return str(k)
    if k is True:
        return "true"
    if k is False:
        return "false"
    if k is None:
        return "null"
    if t is int:
        return str(k)
    if t is float:
        if math.isnan(k):
            return "NaN"
        if math.isinf(k):
            return "Infinity" if k > 0 else "-Infinity"
        return repr(k)
    raise NotPortable(
        f"{where} has key {k!r} of type {t.__name__}: the SDK's json.dumps raises "
        "'keys must be str, int, float, bool or None'; convert the key with str()"
    )
