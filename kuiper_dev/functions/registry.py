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
    "builtin",
    "check_kind",
    "lookup",
]

ArgKind: TypeAlias = Literal[
    "number", "int", "string", "bool", "datetime", "array", "object", "any"
]
NullPolicy: TypeAlias = Literal["nil", "zero", "false", "pass"]
FuncKind: TypeAlias = Literal["scalar", "aggregate", "analytic", "window", "srf", "cols"]
Validator: TypeAlias = Callable[[Sequence[ast.Expr]], "str | None"]

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
class Builtin:
    """A built-in function: how to call it and what eKuiper checks at rule creation.

    ``null`` is eKuiper's ``check``: ``"nil"`` returns null when any argument is
    null (or an empty array or object, as eKuiper does), ``"zero"`` returns 0,
    ``"false"`` returns false, ``"pass"`` hands nulls to the function. ``fn``
    already applies the policy, so calling it directly behaves as eKuiper.
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


def _with_null_policy(
    fn: Callable[..., Any], policy: NullPolicy, context: bool
) -> Callable[..., Any]:
    """Wrap ``fn``: eKuiper's null check first, and Python arithmetic or type
    errors turned into :class:`FunctionError`, so a bad value stays a rule error
    (the engine reports FunctionError and goes on) instead of a crash."""
    result = _NULL_RESULT.get(policy)
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
        except (ArithmeticError, LookupError, TypeError, ValueError, OSError) as exc:
            raise FunctionError(f"{fn.__name__.rstrip('_')}: {exc}") from exc

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
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the decorated function as a built-in; its docstring is the help text.

    ``params`` are the kinds of the positional parameters, the last ``optional`` of
    them may be left out, ``variadic`` is the kind of any further ones. ``null`` is
    what a null argument gives (see :class:`Builtin`); ``validator`` adds checks at
    rule creation; with ``context`` the function gets a :class:`CallContext` first;
    ``aliases`` are further names for the same function (``ceil`` for ``ceiling``).
    """

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        primary = (name or fn.__name__.rstrip("_")).lower()
        checked = _with_null_policy(fn, null, context)
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
            )
        return fn

    return register


def lookup(name: str) -> Builtin | None:
    """The built-in called ``name`` (any case), or None.

    >>> lookup("UPPER").name
    'upper'
    """
    return BUILTINS.get(name.lower())
