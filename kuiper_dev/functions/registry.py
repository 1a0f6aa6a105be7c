"""The one registry of built-in functions.

Each category module registers its functions with :func:`builtin`; the engine's
binder looks names up here first, case-insensitively, as eKuiper does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypeAlias

from ..sql import ast

__all__ = [
    "BUILTINS",
    "ArgKind",
    "Builtin",
    "CallContext",
    "FuncKind",
    "FunctionError",
    "builtin",
    "lookup",
]

ArgKind: TypeAlias = Literal["number", "int", "string", "bool", "datetime", "array", "object", "any"]
NullPolicy: TypeAlias = Literal["nil", "zero", "pass"]
FuncKind: TypeAlias = Literal["scalar", "aggregate", "analytic", "window", "srf", "cols"]
Validator: TypeAlias = Callable[[Sequence[ast.Expr]], "str | None"]

# Literal node types that a parameter of each kind refuses at rule creation, as
# eKuiper's validators do (they only see literals; fields are checked at run time).
_REFUSED: dict[str, tuple[type, ...]] = {
    "number": (ast.StringLiteral, ast.BooleanLiteral),
    "int": (ast.StringLiteral, ast.BooleanLiteral, ast.NumberLiteral),
    "string": (ast.IntegerLiteral, ast.NumberLiteral, ast.BooleanLiteral),
    "bool": (ast.IntegerLiteral, ast.NumberLiteral, ast.StringLiteral),
    "datetime": (ast.BooleanLiteral,),
    "array": (ast.IntegerLiteral, ast.NumberLiteral, ast.StringLiteral, ast.BooleanLiteral),
    "object": (ast.IntegerLiteral, ast.NumberLiteral, ast.StringLiteral, ast.BooleanLiteral),
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


class FunctionError(ValueError):
    """A built-in refused its argument at run time; the message is eKuiper's."""


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
    null, ``"zero"`` returns 0, ``"pass"`` hands nulls to the function.
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
        """eKuiper's message for wrong arguments, or None when they are fine."""
        n, required = len(args), len(self.params) - self.optional
        if self.variadic is None and self.optional == 0 and n != len(self.params):
            return f"Expect {len(self.params)} arguments but found {n}."
        if n < required:
            return f"At least has {required} argument but found {n}."
        if self.variadic is None and n > len(self.params):
            return f"Expect {required} or {len(self.params)} arguments only"
        for i, arg in enumerate(args):
            kind = self.params[i] if i < len(self.params) else self.variadic
            if kind == "number" and isinstance(arg, ast.StringLiteral | ast.BooleanLiteral):
                return f"Expect number - float or int type for parameter {i + 1}"
            if kind == "string" and isinstance(
                arg, ast.IntegerLiteral | ast.NumberLiteral | ast.BooleanLiteral
            ):
                return f"Expect string type for parameter {i + 1}"
        return None


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
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the decorated function as a built-in; its docstring is the help text.

    ``params`` are the kinds of the positional parameters, the last ``optional`` of
    them may be left out, ``variadic`` is the kind of any further ones. ``null`` is
    what a null argument gives (see :class:`Builtin`); ``validator`` adds checks at
    rule creation; with ``context`` the function gets a :class:`CallContext` first.
    """

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        fname = (name or fn.__name__.rstrip("_")).lower()
        if fname in BUILTINS:
            raise ValueError(f"built-in {fname} registered twice")
        BUILTINS[fname] = Builtin(
            fname,
            category,
            fn,
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
