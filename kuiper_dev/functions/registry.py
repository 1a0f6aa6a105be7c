"""The one registry of built-in functions.

Each category module registers its functions with :func:`builtin`; the engine's
binder looks names up here first, case-insensitively, as eKuiper does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

from ..sql import ast

__all__ = ["BUILTINS", "ArgKind", "Builtin", "builtin", "lookup"]

ArgKind: TypeAlias = Literal["number", "string", "any"]
NullPolicy: TypeAlias = Literal["nil", "zero", "pass"]


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
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the decorated function as a built-in; its docstring is the help text."""

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        fname = (name or fn.__name__.rstrip("_")).lower()
        if fname in BUILTINS:
            raise ValueError(f"built-in {fname} registered twice")
        BUILTINS[fname] = Builtin(
            fname, category, fn, tuple(params), variadic, optional, null, (fn.__doc__ or "").strip()
        )
        return fn

    return register


def lookup(name: str) -> Builtin | None:
    """The built-in called ``name`` (any case), or None.

    >>> lookup("UPPER").name
    'upper'
    """
    return BUILTINS.get(name.lower())
