"""The one registry of built-in functions.

Each category module registers its functions with :func:`builtin`; the engine's
binder looks names up here first, case-insensitively, as eKuiper does.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypeAlias

from ..errors import FunctionError
from ..sql import ast

__all__ = [
    "BUILTINS",
    "ArgKind",
    "Builtin",
    "CallContext",
    "FuncKind",
    "FunctionError",  # defined in kuiper_dev.errors; re-exported beside the functions raising it
    "Incremental",
    "IncrementalFactory",
    "WindowBound",
    "builtin",
    "check_kind",
    "error_text",
    "keep_values",
    "lookup",
]

ArgKind: TypeAlias = Literal[
    "number", "int", "string", "bool", "datetime", "array", "object", "any"
]
NullPolicy: TypeAlias = Literal["nil", "zero", "false", "pass"]
FuncKind: TypeAlias = Literal["scalar", "aggregate", "analytic", "window", "srf", "cols"]
Validator: TypeAlias = Callable[[Sequence[ast.Expr]], "str | None"]
WindowBound: TypeAlias = Literal["start", "end"]

# Literal node types that a parameter of each kind refuses at rule creation, as
# eKuiper's validators do (they only see literals; fields are checked at run time).
_REFUSED: dict[str, tuple[type, ...]] = {
    "number": (ast.StringLiteral, ast.BooleanLiteral, ast.TimeLiteral),
    "int": (ast.StringLiteral, ast.BooleanLiteral, ast.NumberLiteral, ast.TimeLiteral),
    "string": (ast.IntegerLiteral, ast.NumberLiteral, ast.BooleanLiteral, ast.TimeLiteral),
    "bool": (ast.IntegerLiteral, ast.NumberLiteral, ast.StringLiteral, ast.TimeLiteral),
    "datetime": (ast.IntegerLiteral, ast.NumberLiteral, ast.StringLiteral, ast.BooleanLiteral),
    # eKuiper's array and object functions check only the argument count
    "array": (),
    "object": (),
    "any": (),
}
_EXPECT_TEXT = {
    "number": "number - float or int",
    "int": "int",
    "string": "string",
    "bool": "bool",
    "datetime": "datetime",
    "array": "array",
    "object": "map",
}


class CallContext(Protocol):
    """What a built-in declared with ``context=True`` gets as its first argument.

    The engine supplies one per call site: ``state`` persists between calls of that
    site (for stateful functions), ``meta`` is the current message's metadata.
    """

    rule_id: str
    state: dict[str, Any]
    meta: dict[str, Any]

    def now_ms(self) -> int: ...


@dataclass(frozen=True, slots=True)
class Incremental:
    """An aggregate's incremental form: fold a group's rows one at a time.

    Beside its list form (``Builtin.fn``, called once with each argument's list of
    values over the group), an aggregate declares how to fold rows as they arrive,
    so a window needs to keep accumulators instead of rows:

    - ``init()`` makes an empty accumulator;
    - ``add(acc, *values)`` folds one row: the values of the call's arguments for
      that row (after the hidden ones a flag asks for: ``rows_arg`` puts the row
      first). It may mutate ``acc`` and returns the accumulator to keep. It never
      raises for a bad value: it records the error for ``result``;
    - ``merge(a, b)`` combines the accumulators of two disjoint, consecutive row
      ranges, ``a``'s rows before ``b``'s (panes of hopping and sliding windows).
      It may mutate and return ``a``; it leaves ``b`` unchanged and shares none of
      ``b``'s mutable parts, so a pane may be merged into several windows;
    - ``result(acc)`` is what the list form gives over the same rows, bit for bit
      (int vs float, int64 wrapping, Go's float summation order), or raises the
      same :class:`FunctionError`. Errors are raised here, never by ``add``, so a
      bad row fails the window's result exactly as the list form would. It does
      not change ``acc`` (adding after a result is fine) and returns fresh values.

    ``keeps_values`` says the accumulator holds every row's values (median,
    percentiles, collect ...) rather than a summary. ``sum`` and ``avg`` are
    summaries but keep a float column's floats (8 bytes a row): ``merge`` must
    replay them onto the earlier total to round as Go's in-order loop does.
    """

    init: Callable[[], Any]
    add: Callable[..., Any]
    merge: Callable[[Any, Any], Any]
    result: Callable[[Any], Any]
    keeps_values: bool = False


IncrementalFactory: TypeAlias = Callable[[Callable[..., Any], int], Incremental]
"""Makes an :class:`Incremental` from the checked list form and its list count."""


def keep_values(list_fn: Callable[..., Any], arity: int) -> Incremental:
    """The honest incremental form of an aggregate that is not decomposable.

    The accumulator keeps each argument's values (one list per argument, hidden
    ones included) and ``result`` calls the list form on them, so results and
    errors are the list form's own. Pass it as ``incremental=keep_values``.

    >>> inc = keep_values(lambda xs: sorted(xs)[len(xs) // 2], 1)
    >>> acc = inc.init()
    >>> for x in (3, 1, 2):
    ...     acc = inc.add(acc, x)
    >>> inc.result(acc)
    2
    """

    def init() -> list[list[Any]]:
        return [[] for _ in range(arity)]

    def add(acc: list[list[Any]], *values: Any) -> list[list[Any]]:
        if len(values) != arity:
            raise TypeError(f"add takes {arity} values per row, got {len(values)}")
        for kept, v in zip(acc, values, strict=True):
            kept.append(v)
        return acc

    def add_one(acc: list[list[Any]], value: Any) -> list[list[Any]]:
        acc[0].append(value)  # the common one-argument case without the loop
        return acc

    def merge(a: list[list[Any]], b: list[list[Any]]) -> list[list[Any]]:
        for kept, more in zip(a, b, strict=True):
            kept.extend(more)
        return a

    def result(acc: list[list[Any]]) -> Any:
        return list_fn(*acc)

    return Incremental(init, add_one if arity == 1 else add, merge, result, keeps_values=True)


@dataclass(frozen=True, slots=True)
class Builtin:
    """A built-in function: how to call it and what eKuiper checks at rule creation.

    ``null`` is eKuiper's ``check``: ``"nil"`` returns null when any argument is
    null (or an empty array or object, as eKuiper does), ``"zero"`` returns 0,
    ``"false"`` returns false, ``"pass"`` hands nulls to the function. ``fn``
    already applies the policy, so calling it directly behaves as eKuiper.

    An aggregate's ``fn`` is its list form; ``incremental`` is its
    :class:`Incremental` form (every aggregate has one, except the ``update_arg``
    ones, whose value does not depend on the group's rows).

    Calling conventions that differ from "evaluate each SQL argument, call ``fn``"
    are flags, so the engine reads them instead of checking names. Hidden
    arguments come in this order: CallContext (``context``), the rows
    (``rows_arg``), the SQL arguments, then the others below.

    - ``rows_arg``: an aggregate that gets the group's rows (each as a dict) as a
      hidden FIRST list, before its arguments' lists (``deduplicate``); in the
      incremental form, ``add`` gets the row first.
    - ``update_arg``: gets a hidden ``do_update`` after its arguments, true only
      when evaluated for the projection (the rule's WHERE or HAVING held), false
      inside conditions. Its ``CallContext.state`` is rule-wide: one per function
      name per rule, shared by all its call sites. An aggregate with this flag is
      given no group values (``last_hit_*``, ``last_agg_hit_*``).
    - ``event_time_arg``: after ``do_update``, also the current event time in ms
      (what it records as the last hit time); only with ``update_arg``.
    - ``key_args``: its argument names a meta key and is not evaluated
      (``meta(topic)``, ``meta(*)``, ``mqtt(messageid)``); the engine passes the
      key's name as text (``"*"`` for ``*``) and resolves a trailing ``->`` path
      (``meta(a->b)``) on the result.
    - ``column_names_arg``: gets a hidden LAST argument, the list of the column
      names of all its arguments (a field's or call's name, ``""`` for others), as
      eKuiper's multi-column functions do (``changed_cols``).
    - ``row_index_arg``: gets, instead of SQL arguments, the 0-based position of
      the row in the emitted result; the engine numbers the rows (``row_number``).
    - ``window_bound``: its value is the current window's start or end (read from
      ``CallContext.window_start_ms``/``window_end_ms``), constant over a window,
      so an incremental plan can compute it at emission without rows.
    """

    name: str
    category: str
    fn: Callable[..., Any]
    params: tuple[ArgKind, ...]
    variadic: ArgKind | None = None
    optional: int = 0
    null: NullPolicy = "nil"
    doc: str = ""
    kind: FuncKind = "scalar"
    validator: Validator | None = field(default=None, compare=False)
    context: bool = False
    incremental: Incremental | None = field(default=None, compare=False)
    rows_arg: bool = False
    update_arg: bool = False
    event_time_arg: bool = False
    key_args: bool = False
    column_names_arg: bool = False
    row_index_arg: bool = False
    window_bound: WindowBound | None = None

    @property
    def signature(self) -> str:
        parts = list(self.params)
        required = len(parts) - self.optional
        shown = [p if i < required else f"[{p}]" for i, p in enumerate(parts)]
        if self.variadic:
            shown.append(f"{self.variadic}...")
        return f"{self.name}({', '.join(shown)})"

    def validate(self, args: Sequence[ast.Expr]) -> str | None:
        """eKuiper's message for wrong arguments, or None when they are fine.

        A custom ``validator`` speaks first (eKuiper's wording differs per
        function), then arity, then the literal kinds of the arguments.
        """
        if self.validator is not None:
            msg = self.validator(args)
            if msg is not None:
                return msg
        n, total = len(args), len(self.params)
        required = total - self.optional
        if self.variadic is None and self.optional == 0 and n != total:
            return f"Expect {total} arguments but found {n}."
        if self.variadic is None and self.optional and not required <= n <= total:
            if self.optional == 1:
                return f"Expect {required} or {total} arguments only"
            return f"Expect {required} to {total} arguments only"
        if n < required:
            return f"At least has {required} argument but found {n}."
        for i, arg in enumerate(args):
            kind = self.params[i] if i < total else self.variadic
            msg = check_kind(arg, kind, i)
            if msg is not None:
                return msg
        return None


def check_kind(arg: ast.Expr, kind: str | None, index: int) -> str | None:
    """eKuiper's ``ProduceErrInfo`` message when literal ``arg`` cannot be a ``kind``.

    >>> check_kind(ast.StringLiteral("a"), "number", 0)
    'Expect number - float or int type for parameter 1'
    """
    if kind is None or kind == "any" or not isinstance(arg, _REFUSED[kind]):
        return None
    return f"Expect {_EXPECT_TEXT[kind]} type for parameter {index + 1}"


def _is_nullish(v: Any) -> bool:
    # eKuiper's returnNilIfHasAnyNil also treats an empty array or object as null
    return v is None or ((type(v) is list or type(v) is dict) and not v)


_NULL_RESULT: dict[str, Any] = {"nil": None, "zero": 0, "false": False}


# what the checked wrapper turns into FunctionError (a bad value, not a bug)
_VALUE_ERRORS = (ArithmeticError, LookupError, TypeError, ValueError, OSError)


def error_text(label: str, exc: BaseException) -> str | None:
    """The message a built-in called ``label`` reports for ``exc``, or None.

    A :class:`FunctionError` keeps its own (eKuiper's) message; a Python value
    error gets the function's name in front, as the checked wrapper does; None
    for anything else, which is a bug to let through. Incremental forms use it
    to defer an error to ``result`` with the exact text the list form raises.

    >>> error_text("sum", OverflowError("cannot convert float infinity to integer"))
    'sum: cannot convert float infinity to integer'
    """
    if isinstance(exc, FunctionError):
        return str(exc)
    if isinstance(exc, _VALUE_ERRORS):
        return _labelled(label, exc)
    return None


def _labelled(label: str, exc: BaseException) -> str:
    return f"{label}: {exc}"


def _with_null_policy(
    fn: Callable[..., Any], policy: NullPolicy, context: bool
) -> Callable[..., Any]:
    """Wrap ``fn``: eKuiper's null check first, and Python arithmetic or type
    errors turned into :class:`FunctionError`, so a bad value stays a rule error
    (the engine reports FunctionError and goes on) instead of a crash."""
    result = _NULL_RESULT.get(policy)
    label = fn.__name__.rstrip("_")
    skip = 1 if context else 0
    check = policy != "pass"

    @functools.wraps(fn)
    def checked(*args: Any) -> Any:
        if check:
            for a in args[skip:]:
                if _is_nullish(a):
                    return result
        try:
            return fn(*args)
        except FunctionError:
            raise
        except _VALUE_ERRORS as exc:
            raise FunctionError(_labelled(label, exc)) from exc

    return checked


BUILTINS: dict[str, Builtin] = {}


def builtin(
    category: str,
    params: Sequence[ArgKind] = (),
    *,
    name: str | None = None,
    variadic: ArgKind | None = None,
    optional: int = 0,
    null: NullPolicy = "nil",
    kind: FuncKind = "scalar",
    validator: Validator | None = None,
    context: bool = False,
    aliases: Sequence[str] = (),
    incremental: Incremental | IncrementalFactory | None = None,
    rows_arg: bool = False,
    update_arg: bool = False,
    event_time_arg: bool = False,
    key_args: bool = False,
    column_names_arg: bool = False,
    row_index_arg: bool = False,
    window_bound: WindowBound | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the decorated function as a built-in; its docstring is the help text.

    ``params`` are the kinds of the positional parameters, the last ``optional`` of
    them may be left out, ``variadic`` is the kind of any further ones. ``null`` is
    what a null argument gives (see :class:`Builtin`); ``validator`` adds checks at
    rule creation; with ``context`` the function gets a :class:`CallContext` first;
    ``aliases`` are further names for the same function (``ceil`` for ``ceiling``).
    An aggregate gives its ``incremental`` form, or a factory of it (such as
    :func:`keep_values`) called with the checked list form and its list count.
    The remaining flags are the calling conventions :class:`Builtin` describes.
    """
    _check_conventions(kind, incremental, update_arg, event_time_arg, rows_arg)

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        primary = (name or fn.__name__.rstrip("_")).lower()
        checked = _with_null_policy(fn, null, context)
        inc = _incremental_form(incremental, checked, len(params) + (1 if rows_arg else 0))
        for fname in (primary, *(a.lower() for a in aliases)):
            if fname in BUILTINS:
                raise ValueError(f"built-in {fname} registered twice")
            BUILTINS[fname] = Builtin(
                fname,
                category,
                checked,
                tuple(params),
                variadic,
                optional,
                null,
                (fn.__doc__ or "").strip(),
                kind,
                validator,
                context,
                incremental=inc,
                rows_arg=rows_arg,
                update_arg=update_arg,
                event_time_arg=event_time_arg,
                key_args=key_args,
                column_names_arg=column_names_arg,
                row_index_arg=row_index_arg,
                window_bound=window_bound,
            )
        return fn

    return register


def _incremental_form(
    given: Incremental | IncrementalFactory | None, checked: Callable[..., Any], arity: int
) -> Incremental | None:
    if given is None or isinstance(given, Incremental):
        return given
    return given(checked, arity)


def _check_conventions(
    kind: FuncKind,
    incremental: object,
    update_arg: bool,
    event_time_arg: bool,
    rows_arg: bool,
) -> None:
    # refuse at import time what the engine could only get wrong at run time
    if kind == "aggregate" and incremental is None and not update_arg:
        raise ValueError("an aggregate needs an incremental form (or update_arg)")
    if incremental is not None and (kind != "aggregate" or update_arg):
        raise ValueError("only an aggregate over the group's values has an incremental form")
    if event_time_arg and not update_arg:
        raise ValueError("event_time_arg comes after the do_update of update_arg")
    if rows_arg and kind != "aggregate":
        raise ValueError("rows_arg is for aggregates: the rows are the group's")


def lookup(name: str) -> Builtin | None:
    """The built-in called ``name`` (any case), or None.

    >>> lookup("UPPER").name
    'upper'
    """
    return BUILTINS.get(name.lower())
