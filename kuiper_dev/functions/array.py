"""Array functions (``array_functions.md``), following ``funcs_array.go``.

eKuiper validates only the argument count of these; kinds are checked at run time.

Element comparison is Go's interface equality (:func:`go_eq`): the types must
match, so ``1`` (a BIGINT) is not ``1.0`` (a JSON number). Positions are 0-based,
as eKuiper's code returns them.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from ..errors import FunctionError
from ..go import go_str, to_int, to_string
from ..sql import ast
from ._slices import go_extreme
from .registry import BUILTINS, builtin

_NOT_ARRAY_1 = "first argument should be array of interface{}"
_NOT_ARRAY_2 = "second argument should be array of interface{}"


def go_eq(a: Any, b: Any) -> bool:
    """Go's ``==`` on ``interface{}`` values: same dynamic type and equal value.

    >>> go_eq(1, 1.0), go_eq(1.0, 1.0), go_eq("a", "a")
    (False, True, True)
    """
    return type(a) is type(b) and a == b


def _key(v: Any) -> Any:
    # a hashable identity with Go's type-sensitive equality
    if isinstance(v, list | dict):
        return (type(v).__name__, repr(v))
    return (type(v).__name__, v)


def _array(v: Any, msg: str = _NOT_ARRAY_1) -> list[Any]:
    if not isinstance(v, list):
        raise FunctionError(msg)
    return v


@builtin("array", ["any"], null="zero")
def cardinality(v: Any) -> int:
    """Items in an array; 0 for anything else (and null)."""
    return len(v) if isinstance(v, list) else 0


@builtin("array", [], variadic="any", null="pass", validator=lambda args: None)
def array_create(*args: Any) -> list[Any] | None:
    """An array of the non-null arguments; null when none is left."""
    items = [a for a in args if a is not None]
    return items or None


@builtin("array", ["array", "any"], null="pass")
def array_position(arr: Any, value: Any) -> int:
    """0-based index of the first item equal to ``value``, -1 when absent."""
    if arr is None:
        return -1
    return next((i for i, x in enumerate(_array(arr)) if go_eq(x, value)), -1)


@builtin("array", ["array", "any"], null="pass")
def array_last_position(arr: Any, value: Any) -> int:
    """0-based index of the last item equal to ``value``, -1 when absent."""
    if arr is None:
        return -1
    items = _array(arr)
    return next((i for i in range(len(items) - 1, -1, -1) if go_eq(items[i], value)), -1)


@builtin("array", ["any", "any"])
def element_at(container: Any, key: Any) -> Any:
    """Item ``key`` of an array (0-based, negative from the end) or value of an object."""
    if isinstance(container, list):
        i = to_int(key, "strict")
        if i >= len(container) or -i > len(container):
            raise FunctionError("index out of range")
        return container[i]
    if isinstance(container, dict):
        if not isinstance(key, str):
            raise FunctionError("second argument should be string")
        return container.get(key)
    raise FunctionError("first argument should be []interface{} or map[string]interface{}")


@builtin("array", ["array", "any"], null="pass")
def array_contains(arr: Any, value: Any) -> bool:
    """Whether an item equals ``value``; false for a null array."""
    if arr is None:
        return False
    return any(go_eq(x, value) for x in _array(arr))


@builtin("array", ["array", "any"], null="pass")
def array_remove(arr: Any, value: Any) -> list[Any] | None:
    """The array without the items equal to ``value``."""
    if arr is None:
        return None
    return [x for x in _array(arr) if not go_eq(x, value)]


@builtin("array", ["array", "array"], null="pass")
def array_contains_any(a: Any, b: Any) -> bool:
    """Whether the arrays share an item."""
    if a is None:
        return False
    first, second = _array(a), _array(b, _NOT_ARRAY_2)
    return any(go_eq(x, y) for x in first for y in second)


@builtin("array", ["array", "array"])
def array_intersect(a: Any, b: Any) -> list[Any]:
    """Items of the second array also in the first, each once, in the second's order."""
    seen = {_key(x) for x in _array(a)}
    out = []
    for y in _array(b, _NOT_ARRAY_2):
        if _key(y) in seen:
            out.append(y)
            seen.discard(_key(y))
    return out


@builtin("array", ["array", "array"], null="pass")
def array_union(a: Any, b: Any) -> list[Any]:
    """Distinct items of both arrays, first array first; a null side counts as empty."""
    first = _array(a) if a is not None else []
    second = _array(b, _NOT_ARRAY_2) if b is not None else []
    return _distinct(first + second)


def _distinct(items: list[Any]) -> list[Any]:
    seen: set[Any] = set()
    out = []
    for x in items:
        if _key(x) not in seen:
            seen.add(_key(x))
            out.append(x)
    return out


@builtin("array", ["array"])
def array_max(arr: Any) -> Any:
    """Largest item; the first non-null item fixes the kind (int, float or text)."""
    return go_extreme(_array(arr), True)


@builtin("array", ["array"])
def array_min(arr: Any) -> Any:
    """Smallest item; the first non-null item fixes the kind (int, float or text)."""
    return go_extreme(_array(arr), False)


@builtin("array", ["array", "array"], null="pass")
def array_except(a: Any, b: Any) -> list[Any] | None:
    """Distinct items of the first array that are not in the second."""
    if a is None:
        return None
    drop = {_key(y) for y in (_array(b, _NOT_ARRAY_2) if b is not None else [])}
    return _distinct([x for x in _array(a) if _key(x) not in drop])


@builtin("array", ["any", "any"])
def repeat(value: Any, count: Any) -> list[Any]:
    """An array of ``count`` copies of ``value``."""
    if type(count) is not int:
        raise FunctionError("second argument should be int")
    return [value] * max(count, 0)


def _sequence_validator(args: Sequence[ast.Expr]) -> str | None:
    if len(args) not in (2, 3):
        return f"Expect two or three arguments but found {len(args)}."
    return None


@builtin("array", ["any", "any", "any"], optional=1, validator=_sequence_validator)
def sequence(start: Any, stop: Any, step: Any = None) -> list[int]:
    """Ints from ``start`` to ``stop`` inclusive by ``step`` (default 1 or -1)."""
    if type(start) is not int:
        raise FunctionError("first argument should be int")
    if type(stop) is not int:
        raise FunctionError("second argument should be int")
    if step is None:
        step = 1 if start < stop else -1
    elif type(step) is not int:
        raise FunctionError("third argument should be int")
    if step == 0:
        raise FunctionError("invalid step: should not be zero")
    n = (stop - start) // step + 1 if (stop - start) * step >= 0 else 0
    return [start + i * step for i in range(max(n, 0))]


@builtin("array", ["array"], null="zero")
def array_cardinality(arr: Any) -> int:
    """Items in the array."""
    return len(_array(arr))


@builtin("array", ["array"])
def array_flatten(arr: Any) -> list[Any]:
    """Nested arrays spliced in one level deep; other items kept as they are."""
    out: list[Any] = []
    for x in _array(arr):
        if isinstance(x, list):
            out.extend(x)
        else:
            out.append(x)
    return out


@builtin("array", ["array"])
def array_distinct(arr: Any) -> list[Any]:
    """Scalars deduplicated in first-seen order; arrays and objects all kept, as in Go."""
    seen: set[Any] = set()
    out = []
    for x in _array(arr):
        if isinstance(x, list | dict):
            out.append(x)
        elif _key(x) not in seen:
            seen.add(_key(x))
            out.append(x)
    return out


@builtin("array", ["any", "array"])
def array_map(func: Any, arr: Any) -> list[Any]:
    """Each item passed through the one-argument scalar built-in named ``func``."""
    if not isinstance(func, str):
        raise FunctionError("first argument should be string")
    items = _array(arr, _NOT_ARRAY_2)
    spec = BUILTINS.get(func)
    if spec is None:
        raise FunctionError(f"unknown built-in function: {func}.")
    if spec.kind != "scalar":
        raise FunctionError("first argument should be a scalar function.")
    if spec.context or spec.validate([ast.FieldRef("_")]) is not None:
        raise FunctionError(f"validate {func} arguments failed")
    return [spec.fn(v) for v in items]


def _join_validator(args: Sequence[ast.Expr]) -> str | None:
    if len(args) not in (2, 3):
        return f"Expect two or three arguments but found {len(args)}."
    return None


@builtin("array", ["array", "any", "any"], optional=1, validator=_join_validator)
def array_join(arr: Any, delimiter: Any, null_text: Any = None) -> str:
    """The items as text joined by ``delimiter``; nulls dropped or replaced by ``null_text``."""
    items = _array(arr)
    if not isinstance(delimiter, str):
        raise FunctionError("second argument should be string")
    if null_text is not None and not isinstance(null_text, str):
        raise FunctionError("third argument should be string")
    parts = []
    for x in items:
        if x is None:
            if null_text:  # an empty replacement drops nulls, as in Go
                parts.append(null_text)
            continue
        try:
            parts.append(to_string(x, "all"))
        except FunctionError:
            raise FunctionError("array elements should be string") from None
    return delimiter.join(parts)


@builtin("array", ["array"])
def array_shuffle(arr: Any) -> list[Any]:
    """A shuffled copy of the array."""
    items = list(_array(arr))
    random.shuffle(items)
    return items


@builtin("array", ["array"])
def array_sort(arr: Any) -> list[Any]:
    """The items sorted by their ``%v`` text, as eKuiper sorts (so 10 < 9)."""
    if not isinstance(arr, list):
        raise FunctionError("array elements should be array")
    return sorted(arr, key=go_str)


@builtin("array", ["array"], variadic="array", null="pass")
def array_concat(*arrays: Any) -> list[Any] | None:
    """All arrays joined; null arguments skipped (null when nothing is left)."""
    out: list[Any] = []
    for a in arrays:
        if a is None:
            continue
        if not isinstance(a, list):
            raise FunctionError("array elements should be array")
        out.extend(a)
    return out or None


@builtin("array", ["array"])
def kvpair_array_to_obj(arr: Any) -> dict[str, Any]:
    """An object from an array of ``{"key": k, "value": v}`` pairs."""
    obj: dict[str, Any] = {}
    for item in _array(arr):
        if not isinstance(item, dict):
            raise FunctionError("array item should be map[string]interface{}")
        if len(item) != 2 or not isinstance(item.get("key"), str) or "value" not in item:
            raise FunctionError("array item should be key-value pair")
        obj[item["key"]] = item["value"]
    return obj
