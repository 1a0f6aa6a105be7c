"""Object functions (``object_functions.md``), following ``funcs_obj.go``.

Key order: eKuiper's objects are Go maps, printed and encoded with sorted keys,
so ``keys``/``values``/``items`` return them in sorted key order here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..errors import FunctionError
from ..go import go_str, to_string
from ..sql import ast
from .registry import builtin, check_kind


def _obj(v: Any, msg: str = "the argument should be map[string]interface{}") -> dict[str, Any]:
    if not isinstance(v, dict):
        raise FunctionError(msg)
    return v


@builtin("object", ["object"])
def keys(obj: Any) -> list[str]:
    """The object's keys, sorted."""
    return sorted(_obj(obj))


@builtin("object", ["object"])
def values(obj: Any) -> list[Any]:
    """The object's values, in sorted key order."""
    o = _obj(obj)
    return [o[k] for k in sorted(o)]


@builtin("object", ["array", "array"])
def object_(ks: Any, vs: Any) -> dict[str, Any]:
    """An object from an array of keys and an array of values of the same length."""
    if not isinstance(ks, list):
        raise FunctionError("first argument should be []string")
    if not isinstance(vs, list):
        raise FunctionError("second argument should be []interface{}")
    if len(ks) != len(vs):
        raise FunctionError("the length of the arguments should be same")
    out: dict[str, Any] = {}
    for k, v in zip(ks, vs, strict=True):
        if not isinstance(k, str):
            raise FunctionError("first argument should be []string")
        out[k] = v
    return out


@builtin("object", ["array"])
def zip_(pairs: Any) -> dict[str, Any]:
    """An object from an array of ``[key, value]`` pairs; null pairs are skipped."""
    msg = "each argument should be [][2]interface{}"
    if not isinstance(pairs, list):
        raise FunctionError(msg)
    out: dict[str, Any] = {}
    for p in pairs:
        if p is None:  # eKuiper's zip passes over a null item
            continue
        if not isinstance(p, list) or len(p) != 2:
            raise FunctionError(msg)
        if not isinstance(p[0], str):
            raise FunctionError("the first element in the list item should be string")
        out[p[0]] = p[1]
    return out


@builtin("object", ["object"])
def items(obj: Any) -> list[list[Any]]:
    """The object's ``[key, value]`` pairs, sorted by key."""
    o = _obj(obj, "first argument should be map[string]interface{}")
    return [[k, o[k]] for k in sorted(o)]


def _at_least_two(args: Sequence[ast.Expr]) -> str | None:
    if len(args) < 2:
        return f"At least has 2 argument but found {len(args)}."
    return None


@builtin("object", ["object", "object"], variadic="object", null="pass", validator=_at_least_two)
def object_concat(*objs: Any) -> dict[str, Any]:
    """The objects merged left to right (later keys win); null arguments skipped."""
    out: dict[str, Any] = {}
    for o in objs:
        if o is None:
            continue
        if not isinstance(o, dict):
            raise FunctionError(f"the argument should be map[string]interface{{}}, got {go_str(o)}")
        out.update(o)
    return out


def _pairs_validator(args: Sequence[ast.Expr]) -> str | None:
    if len(args) % 2:
        return "the args must be key value pairs"
    for i in range(0, len(args), 2):
        msg = check_kind(args[i], "string", i)
        if msg:
            return msg
    return None


@builtin("object", [], variadic="any", null="pass", validator=_pairs_validator)
def object_construct(*args: Any) -> dict[str, Any]:
    """An object from key, value, key, value... arguments; a null key skips its pair."""
    out: dict[str, Any] = {}
    for i in range(0, len(args) - 1, 2):
        if args[i] is None:
            continue
        try:
            out[to_string(args[i])] = args[i + 1]
        except FunctionError:
            raise FunctionError(f"key {go_str(args[i])} is not a string") from None
    return out


@builtin("object", ["object", "any"], variadic="any", validator=_at_least_two)
def erase(obj: Any, names: Any, *more: Any) -> dict[str, Any]:
    """The object without the key ``names`` (text) or keys (array of text)."""
    if more:
        raise FunctionError(f"the argument number should be 2, got {2 + len(more)}")
    if not isinstance(obj, dict):
        raise FunctionError(
            f"the first argument should be map[string]interface{{}}, got {go_str(obj)}"
        )
    if isinstance(names, str):
        drop = {names}
    elif isinstance(names, list):
        drop = {to_string(n, "all") for n in names}
    else:
        raise FunctionError("the argument should be slice or string")
    return {k: v for k, v in obj.items() if k not in drop}


@builtin("object", ["object"], null="pass")
def object_size(obj: Any) -> int:
    """Keys in the object; 0 for null."""
    if obj is None:
        return 0
    return len(_obj(obj, f"the first argument should be map[string]any, got {go_str(obj)}"))


def _pick(out: dict[str, Any], src: dict[str, Any], path: str) -> None:
    """Copy ``path`` (``a.b`` nests) from ``src`` into ``out`` as Go's ``pick`` does.

    Go only descends into an output object it has just created, so a second
    ``a.c`` after ``a.b`` lands at the top level; kept for fidelity.
    """
    keys = path.split(".")
    node: Any = src
    for k in keys[:-1]:
        node = node.get(k) if isinstance(node, dict) else None
        if not isinstance(node, dict):
            return
    if keys[-1] not in node:
        return
    target = out
    for k in keys[:-1]:
        if target.get(k) is None:
            target[k] = {}
            target = target[k]
    target[keys[-1]] = node[keys[-1]]


@builtin("object", ["object", "any"], variadic="any", null="pass", validator=_at_least_two)
def object_pick(obj: Any, first: Any, *more: Any) -> dict[str, Any] | None:
    """The object with only the named keys (texts or one array of texts; ``a.b`` nests)."""
    if obj is None:
        return None
    if not isinstance(obj, dict):
        raise FunctionError(f"the first argument should be a map, got {go_str(obj)}")
    names = first if isinstance(first, list) else [first, *more]
    out: dict[str, Any] = {}
    for n in names:
        if isinstance(n, str):
            _pick(out, obj, n)
    return out


@builtin("object", ["object"])
def obj_to_kvpair_array(obj: Any) -> list[dict[str, Any]]:
    """The object as an array of ``{"key": k, "value": v}`` pairs, sorted by key."""
    o = _obj(obj, f"the first argument should be map[string]interface{{}}, got {go_str(obj)}")
    return [{"key": k, "value": o[k]} for k in sorted(o)]
