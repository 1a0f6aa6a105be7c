"""What crosses the portable runtime's JSON boundary, checked cheaply in-process.

Under eKuiper a Python plugin gets arguments that Go marshalled to JSON (so a whole
float ``3.0`` arrives as ``3``) and its results are unmarshalled by Go (so every
number comes back as a float). Values JSON cannot carry make eKuiper fail; here
they fail at once with a message that says why.
"""

from __future__ import annotations

import math
from typing import Any

from .._gojson import normalize, numbers_as_floats

__all__ = ["NotPortable", "check_result", "from_plugin", "to_plugin_args"]


class NotPortable(TypeError):
    """A plugin produced a value eKuiper's portable runtime could not carry."""


def to_plugin_args(args: list[Any]) -> list[Any]:
    """Arguments as the plugin would see them after Go's JSON encoding (in place)."""
    for i, a in enumerate(args):
        t = type(a)
        if t is float or t is dict or t is list:
            args[i] = normalize(a)
    return args


def check_result(v: Any, where: str = "result") -> None:
    """Raise NotPortable unless ``v`` survives a JSON round trip unchanged in kind."""
    t = type(v)
    if v is None or t is str or t is bool or t is int:
        return
    if t is float:
        if not math.isfinite(v):
            raise NotPortable(
                f"{where} is {v!r}: JSON has no NaN or Infinity, so eKuiper fails to "
                "unmarshal it; return None instead"
            )
        return
    if t is list:
        for i, x in enumerate(v):
            check_result(x, f"{where}[{i}]")
        return
    if t is dict:
        for k, x in v.items():
            if type(k) is not str:
                raise NotPortable(
                    f"{where} has key {k!r} of type {type(k).__name__}: JSON object keys "
                    "are strings; convert the key with str()"
                )
            check_result(x, f"{where}[{k!r}]")
        return
    hint = "return a list" if t in (tuple, set, frozenset) else "return a JSON value"
    raise NotPortable(
        f"{where} is a {t.__name__}, which eKuiper's portable runtime cannot send as JSON; {hint}"
    )


def from_plugin(v: Any) -> Any:
    """A checked plugin result as eKuiper's Go side reads it: numbers become floats."""
    check_result(v)
    return numbers_as_floats(v)
