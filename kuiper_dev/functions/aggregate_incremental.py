"""Incremental forms of the decomposable aggregates (see :class:`Incremental`).

Each fold must give what the list form in ``aggregate.py`` gives over the same
rows, bit for bit, and raise the same error. Two facts of the list forms shape
the accumulators:

- The first non-null value fixes the kind (int, float or text) and every later
  value is checked against it. A partial accumulator cannot know whether an
  earlier range will fix another kind, so it tracks each interpretation it may
  be read under (an :class:`_Interp`): its summary and its first error in row
  order. An interpretation dies at its first error and costs nothing after, so
  int data pays for one interpretation and float data for two (a float range may
  follow an int one, whose kind truncates floats).
- Go adds floats one by one in row order. Rounding makes that order matter, so
  no summary of a range can be added to an earlier total with the same result:
  float sums keep their floats (8 bytes each) to replay them onto the earlier
  total in ``merge``. Int totals are exact (Python ints, wrapped to int64 when
  read, which modular arithmetic makes the same as wrapping at each step).

Errors are recorded by ``add`` (with :func:`error_text`, the list form's exact
message) and raised by ``result``; ``add`` never raises for a value.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable
from typing import Any

from ..errors import FunctionError
from ..go import go_str, go_type, int_avg, wrap_int64
from ._slices import _as_float, _as_int, _as_str
from .registry import Incremental, error_text

__all__ = [
    "COUNT",
    "LAST_VALUE",
    "MERGE_AGG",
    "extreme",
    "total",
]


def _describe(v: Any) -> str:
    return f"{go_type(v)}({go_str(v)})"


def _caught(label: str, exc: Exception) -> str:
    text = error_text(label, exc)
    if text is None:  # not a value error: a bug, which the list form lets through too
        raise exc
    return text


def _error_of(label: str, conv: Callable[..., Any], v: Any) -> str | None:
    """The error converting ``v`` gives (the list form's text), or None."""
    try:
        conv(v)
    except Exception as exc:
        return _caught(label, exc)
    return None


# -- count ---------------------------------------------------------------------


def _count_init() -> list[int]:
    return [0, 0]  # rows, non-null values


def _count_add(acc: list[int], value: Any) -> list[int]:
    acc[0] += 1
    if value is not None:
        acc[1] += 1
    return acc


def _count_merge(a: list[int], b: list[int]) -> list[int]:
    a[0] += b[0]
    a[1] += b[1]
    return a


def _count_result(acc: list[int]) -> int | None:
    return acc[1] if acc[0] else None  # no rows: the empty list is null to the policy


COUNT = Incremental(_count_init, _count_add, _count_merge, _count_result)


# -- sum and avg ---------------------------------------------------------------


class _Total:
    """Rows, non-null count, first value, and the int and float totals.

    ``ints`` is the exact total when the kind is int (floats truncated to int64
    one by one); ``floats`` the float values in row order with ``ftotal`` their
    running sum from 0.0, as Go's loop adds them. ``ierr``/``ferr`` are the first
    error of each kind; a float kind that has failed drops its floats.
    """

    __slots__ = ("rows", "n", "first", "ints", "ierr", "ftotal", "floats", "ferr")

    def __init__(self) -> None:
        self.rows = 0
        self.n = 0
        self.first: Any = None
        self.ints = 0
        self.ierr: str | None = None
        self.ftotal = 0.0
        self.floats = array("d")
        self.ferr: str | None = None


def total(label: str, mean: bool) -> Incremental:
    """The fold of ``sum`` (``mean`` false) or ``avg`` (true); ``label`` names errors."""

    def add(acc: _Total, v: Any) -> _Total:
        acc.rows += 1
        if v is None:
            return acc
        acc.n += 1
        if acc.first is None:
            acc.first = v
        cls = v.__class__
        if cls is int:
            acc.ints += v
            if acc.ferr is None:
                _fail_floats(acc, _error_of(label, _as_float, v))
        elif cls is float:
            if acc.ferr is None:
                acc.ftotal += v
                acc.floats.append(v)
            if acc.ierr is None:
                try:
                    acc.ints += _to_int(v)
                except Exception as exc:
                    acc.ierr = _caught(label, exc)
        else:
            if acc.ierr is None:
                acc.ierr = _error_of(label, _to_int, v)
            if acc.ferr is None:
                _fail_floats(acc, _error_of(label, _as_float, v))
        return acc

    def merge(a: _Total, b: _Total) -> _Total:
        a.rows += b.rows
        a.n += b.n
        if a.first is None:
            a.first = b.first
        a.ints += b.ints
        a.ierr = a.ierr or b.ierr
        if a.ferr is None and b.ferr is not None:
            a.ferr = b.ferr
            a.floats = array("d")
        elif a.ferr is None:
            t = a.ftotal
            for x in b.floats:  # replayed in order: Go's rounding, not a sum of sums
                t += x
            a.ftotal = t
            a.floats.extend(b.floats)
        return a

    def result(acc: _Total) -> Any:
        if acc.rows == 0 or acc.n == 0:
            return None
        first = acc.first
        if type(first) is int:
            if acc.ierr is not None:
                raise FunctionError(acc.ierr)
            t = wrap_int64(acc.ints)
            return int_avg(t, acc.n) if mean else t
        if type(first) is float:
            if acc.ferr is not None:
                raise FunctionError(acc.ferr)
            return acc.ftotal / acc.n if mean else acc.ftotal
        raise FunctionError(f"run {label} function error: found invalid arg {_describe(first)}")

    return Incremental(_Total, add, merge, result)


def _to_int(v: Any) -> int:
    return _as_int(v, "int")


def _fail_floats(acc: _Total, err: str | None) -> None:
    acc.ferr = err
    acc.floats = array("d")  # the float kind has failed: its floats are not needed


# -- min and max ---------------------------------------------------------------


class _Interp:
    """One kind's reading of a range: its extreme so far and its first error.

    ``best`` is the earliest value attaining the extreme; NaN never becomes it
    (in Go's loop a NaN neither replaces nor is replaced, so only a NaN first
    value matters, and :func:`extreme` reads that from the first value).
    """

    __slots__ = ("conv", "best", "err")

    def __init__(self, conv: Callable[[Any], Any]) -> None:
        self.conv = conv
        self.best: Any = None
        self.err: str | None = None


class _Extreme:
    __slots__ = ("rows", "first", "kinds")

    def __init__(self, kinds: tuple[_Interp, _Interp, _Interp]) -> None:
        self.rows = 0
        self.first: Any = None
        self.kinds = kinds  # int, float, text


def _to_int64(v: Any) -> int:
    return _as_int(v, "int64")  # max/min name the kind "int64", sum/avg "int"


def extreme(label: str, pick_max: bool) -> Incremental:
    """The fold of ``max`` (``pick_max``) or ``min``, as ``go_extreme`` scans."""

    def better(c: Any, best: Any) -> bool:
        return bool(c > best) if pick_max else bool(c < best)

    def init() -> _Extreme:
        return _Extreme((_Interp(_to_int64), _Interp(_as_float), _Interp(_as_str)))

    def add(acc: _Extreme, v: Any) -> _Extreme:
        acc.rows += 1
        if v is None:
            return acc
        if acc.first is None:
            acc.first = v
        for k in acc.kinds:
            if k.err is not None:
                continue
            try:
                c = k.conv(v)
            except Exception as exc:
                k.err = _caught(label, exc)
                continue
            if c == c and (k.best is None or better(c, k.best)):  # c != c: NaN
                k.best = c
        return acc

    def merge(a: _Extreme, b: _Extreme) -> _Extreme:
        a.rows += b.rows
        if a.first is None:
            a.first = b.first
        for ka, kb in zip(a.kinds, b.kinds, strict=True):
            if ka.err is not None:
                continue
            if kb.err is not None:
                ka.err = kb.err
            elif kb.best is not None and (ka.best is None or better(kb.best, ka.best)):
                ka.best = kb.best  # strictly better: on a tie the earlier one stays
        return a

    def result(acc: _Extreme) -> Any:
        first = acc.first
        if acc.rows == 0 or first is None:
            return None
        if type(first) is int:
            k = acc.kinds[0]
        elif type(first) is float:
            k = acc.kinds[1]
        elif isinstance(first, str):
            k = acc.kinds[2]
        else:
            raise FunctionError(f"found invalid arg {_describe(first)}")
        if k.err is not None:
            raise FunctionError(k.err)
        if type(first) is float and math.isnan(first):
            return first  # Go's loop starts at the first value; nothing beats a NaN
        return k.best

    return Incremental(init, add, merge, result)


# -- merge_agg -----------------------------------------------------------------


def _merge_agg_add(acc: dict[str, Any], value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        acc.update(value)
    return acc


def _merge_agg_merge(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    a.update(b)  # keys keep their first position, values the last: as row by row
    return a


def _merge_agg_result(acc: dict[str, Any]) -> dict[str, Any] | None:
    return dict(acc) if acc else None


MERGE_AGG = Incremental(dict, _merge_agg_add, _merge_agg_merge, _merge_agg_result)


# -- last_value ----------------------------------------------------------------


class _Last:
    """Rows, the last value, the last non-null one and the first non-null flag."""

    __slots__ = ("rows", "last", "last_valid", "flag")

    def __init__(self) -> None:
        self.rows = 0
        self.last: Any = None
        self.last_valid: Any = None
        self.flag: Any = None


def _last_add(acc: _Last, value: Any, ignore_null: Any) -> _Last:
    acc.rows += 1
    acc.last = value
    if value is not None:
        acc.last_valid = value
    if acc.flag is None:
        acc.flag = ignore_null
    return acc


def _last_merge(a: _Last, b: _Last) -> _Last:
    if b.rows:
        a.last = b.last
    if b.last_valid is not None:
        a.last_valid = b.last_valid
    if a.flag is None:
        a.flag = b.flag
    a.rows += b.rows
    return a


def _last_result(acc: _Last) -> Any:
    if acc.rows == 0:
        return None
    flag = acc.flag
    if not isinstance(flag, bool):
        raise FunctionError(f"the second parameter requires bool but found {_describe(flag)}")
    if flag and acc.last_valid is not None:
        return acc.last_valid
    return acc.last


LAST_VALUE = Incremental(_Last, _last_add, _last_merge, _last_result)
