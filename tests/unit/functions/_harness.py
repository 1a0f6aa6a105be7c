"""Data-driven checks of built-ins: cases live in ``cases/<category>.json``.

A case file holds ``calls`` -- ``[name, [args...], expected]`` run through
``BUILTINS[name].fn`` (``{"error": text}`` expects a FunctionError with that
text, ``{"approx": x}`` a float close to x, ``{"bytes_b64": s}`` bytes) -- and
``validate`` -- ``[name, [literal args...], message-or-null]`` run through
``Builtin.validate``, where ints, floats, strings and bools become literals and
``{"field": "a"}`` a field reference. Results must match in type as well as value
(``1`` is not ``1.0``), as eKuiper's int64 and float64 differ.
"""

from __future__ import annotations

import base64
import json
import math
from pathlib import Path
from typing import Any

import pytest

from kuiper_dev.functions import BUILTINS, FunctionError
from kuiper_dev.sql import ast

CASES = Path(__file__).parent / "cases"


def load(category: str, section: str) -> list[Any]:
    """The ``section`` list of ``cases/<category>.json`` as pytest params."""
    data = json.loads((CASES / f"{category}.json").read_text(encoding="utf-8"))
    return [pytest.param(*case, id=f"{case[0]}-{i}") for i, case in enumerate(data[section])]


def literal(v: Any) -> ast.Expr:
    """A JSON value as the SQL literal node eKuiper's validators would see."""
    if isinstance(v, dict):
        return ast.FieldRef(v["field"])
    if isinstance(v, bool):
        return ast.BooleanLiteral(v)
    if isinstance(v, int):
        return ast.IntegerLiteral(v)
    if isinstance(v, float):
        return ast.NumberLiteral(v)
    return ast.StringLiteral(v)


def same(got: Any, want: Any) -> bool:
    """Equal with Go's type strictness (int vs float vs bool), recursively."""
    if isinstance(want, dict) and set(want) == {"approx"}:
        return type(got) is float and math.isclose(got, float(want["approx"]), rel_tol=1e-12)
    if isinstance(want, dict) and set(want) == {"bytes_b64"}:
        return bool(got == base64.b64decode(want["bytes_b64"]))
    if type(got) is not type(want):
        return False
    if isinstance(want, list):
        return len(got) == len(want) and all(same(g, w) for g, w in zip(got, want, strict=True))
    if isinstance(want, dict):
        return got.keys() == want.keys() and all(same(got[k], want[k]) for k in want)
    return bool(got == want)


def check_call(name: str, args: list[Any], want: Any, *prefix: Any) -> None:
    """Call the built-in and compare with ``want`` (or the error it names)."""
    fn = BUILTINS[name].fn
    if isinstance(want, dict) and set(want) == {"error"}:
        with pytest.raises(FunctionError) as info:
            fn(*prefix, *args)
        assert str(info.value) == want["error"]
        return
    got = fn(*prefix, *args)
    assert same(got, want), f"{name}{tuple(args)} = {got!r}, want {want!r}"


def check_validate(name: str, args: list[Any], want: str | None) -> None:
    """``Builtin.validate`` on literal nodes gives eKuiper's message (or None)."""
    assert BUILTINS[name].validate([literal(a) for a in args]) == want


class FakeContext:
    """A CallContext for direct calls: fixed clock, rule id, state and meta."""

    def __init__(self, now_ms: int = 1_700_000_000_000, meta: dict[str, Any] | None = None) -> None:
        self.rule_id = "rule1"
        self.state: dict[Any, Any] = {}
        self.meta: dict[str, Any] = meta or {}
        self._now = now_ms

    def now_ms(self) -> int:
        return self._now
