"""eKuiper's incremental aggregate calls (``funcs_inc_agg.go``): ``inc_count`` ... ``inc_last_value``.

eKuiper's planner rewrites window aggregates into these when a rule enables
``planOptimizeStrategy.enableIncrementalWindow``; a rule may also call them
itself. Each is a *scalar* function whose call site keeps a running value in its
own state (eKuiper keys it by the call's function id; here it is
``ctx.state``, the call site's dict): every evaluation folds one more value and
returns the total so far, over every row the rule has seen, not per window.

eKuiper's ``check: returnNilIfHasAnyNil`` runs first: a null argument (or an
empty array or object) gives null and leaves the state untouched, which the
registry's ``null="nil"`` policy does here. Typing follows eKuiper: ``inc_sum``
and ``inc_avg`` cast to float64 (``cast.ToFloat64`` with ``CONVERT_ALL``, so
``"2"`` and ``true`` count as numbers); ``inc_count`` is an int64;
``inc_max``/``inc_min`` keep the Go kind the ``max``/``min`` aggregates give.
"""

from __future__ import annotations

from typing import Any

from ..errors import FunctionError
from ..go import to_float
from ._slices import go_extreme
from .registry import builtin

_CATEGORY = "incremental"


def _bump_count(state: dict[str, Any]) -> int:
    count = int(state.get("count", 0)) + 1
    state["count"] = count
    return count


def _add_sum(state: dict[str, Any], value: float) -> float:
    total = state.get("sum")
    total = value if total is None else total + value  # Go: first value, then adds in order
    state["sum"] = total
    return float(total)


@builtin(_CATEGORY, ["any"], context=True)
def inc_count(ctx: Any, value: Any) -> int:
    """Non-null values this call has seen so far, this one included.

    >>> from types import SimpleNamespace
    >>> from kuiper_dev.functions import lookup
    >>> ctx = SimpleNamespace(state={})
    >>> call = lookup("inc_count").fn
    >>> [call(ctx, v) for v in ("a", None, 3)]
    [1, None, 2]
    """
    return _bump_count(ctx.state)


@builtin(_CATEGORY, ["number"], context=True)
def inc_sum(ctx: Any, value: Any) -> float:
    """Running float64 sum of the values so far (a bad value fails and adds nothing).

    >>> from types import SimpleNamespace
    >>> from kuiper_dev.functions import lookup
    >>> ctx = SimpleNamespace(state={})
    >>> call = lookup("inc_sum").fn
    >>> [call(ctx, v) for v in (3, None, "1.5")]
    [3.0, None, 4.5]
    """
    return _add_sum(ctx.state, to_float(value, "all"))


@builtin(_CATEGORY, ["number"], context=True)
def inc_avg(ctx: Any, value: Any) -> float:
    """Running float64 mean: the running sum over the running count.

    >>> from types import SimpleNamespace
    >>> from kuiper_dev.functions import lookup
    >>> ctx = SimpleNamespace(state={})
    >>> call = lookup("inc_avg").fn
    >>> [call(ctx, v) for v in (1, 3, None, 8)]
    [1.0, 2.0, None, 4.0]
    """
    number = to_float(value, "all")  # the cast fails before either total moves
    count = _bump_count(ctx.state)
    return _add_sum(ctx.state, number) / count


def _extreme(ctx: Any, value: Any, pick_max: bool) -> Any:
    # eKuiper runs its max/min over [value, kept] (the new value picks the kind) and,
    # when they disagree in kind or the value is no number or text, returns null
    # without an error and keeps the old extreme (it returns the nil GetState error).
    kept = ctx.state.get("extreme")
    try:
        best = go_extreme([value] if kept is None else [value, kept], pick_max)
    except FunctionError:
        return None
    ctx.state["extreme"] = best
    return best


@builtin(_CATEGORY, ["number"], context=True)
def inc_max(ctx: Any, value: Any) -> Any:
    """Running maximum, typed as the ``max`` aggregate (int64, float64 or string).

    A value whose kind disagrees with the kept maximum gives null and changes nothing.

    >>> from types import SimpleNamespace
    >>> from kuiper_dev.functions import lookup
    >>> ctx = SimpleNamespace(state={})
    >>> call = lookup("inc_max").fn
    >>> [call(ctx, v) for v in (2, 5, 3.5, 1)]
    [2, 5, None, 5]
    """
    return _extreme(ctx, value, True)


@builtin(_CATEGORY, ["number"], context=True)
def inc_min(ctx: Any, value: Any) -> Any:
    """Running minimum, typed as the ``min`` aggregate (int64, float64 or string).

    >>> from types import SimpleNamespace
    >>> from kuiper_dev.functions import lookup
    >>> ctx = SimpleNamespace(state={})
    >>> call = lookup("inc_min").fn
    >>> [call(ctx, v) for v in ("b", "a", "c")]
    ['b', 'a', 'a']
    """
    return _extreme(ctx, value, False)


@builtin(_CATEGORY, ["number"], context=True)
def inc_merge_agg(ctx: Any, value: Any) -> dict[str, Any]:
    """The objects seen so far merged into one, later keys overwriting earlier ones.

    >>> from types import SimpleNamespace
    >>> from kuiper_dev.functions import lookup
    >>> ctx = SimpleNamespace(state={})
    >>> call = lookup("inc_merge_agg").fn
    >>> [call(ctx, v) for v in ({"a": 1}, {"a": 2, "b": 3})]
    [{'a': 1}, {'a': 2, 'b': 3}]
    """
    if not isinstance(value, dict):
        raise FunctionError("argument is not a map[string]interface{}")
    merged: dict[str, Any] = ctx.state.setdefault("merged", {})
    merged.update(value)
    # a copy: eKuiper hands out its state map itself, which later rows then change
    return dict(merged)


@builtin(_CATEGORY, ["number"], context=True)
def inc_collect(ctx: Any, value: Any) -> list[Any]:
    """The non-null values seen so far, in arrival order.

    >>> from types import SimpleNamespace
    >>> from kuiper_dev.functions import lookup
    >>> ctx = SimpleNamespace(state={})
    >>> call = lookup("inc_collect").fn
    >>> [call(ctx, v) for v in (1, None, "x")]
    [[1], None, [1, 'x']]
    """
    kept: list[Any] = ctx.state.setdefault("collected", [])
    kept.append(value)
    return list(kept)  # each result keeps its own length, as Go's appended slices do


@builtin(_CATEGORY, ["number", "number"], context=True)
def inc_last_value(ctx: Any, value: Any, ignore_null: Any) -> Any:
    """The latest non-null value; ``ignore_null`` must be a boolean.

    eKuiper's null check returns null for a null ``value`` before the function
    runs, so the result is ``value`` itself; the state only remembers it. eKuiper's
    validator refuses literal booleans (``inc_last_value(a, true)``), so the flag
    has to come from a field or an expression.

    >>> from types import SimpleNamespace
    >>> from kuiper_dev.functions import lookup
    >>> ctx = SimpleNamespace(state={})
    >>> call = lookup("inc_last_value").fn
    >>> [call(ctx, v, True) for v in (1, None, 2)]
    [1, None, 2]
    """
    if not isinstance(ignore_null, bool):
        raise FunctionError("second argument is not a bool")
    if value is None:  # unreachable behind the null check, kept as eKuiper writes it
        return ctx.state.get("last") if ignore_null else None
    ctx.state["last"] = value
    return value
