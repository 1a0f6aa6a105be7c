"""Resolve function names in a fixed order: built-ins, then plugins, then "did you mean".

This is the one place that joins ``functions/`` and ``plugins/`` (eKuiper's
``internal/binder/factory.go``), so neither has to know the other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import PlanError, did_you_mean
from ..functions import BUILTINS, Builtin, lookup
from ..plugins import FunctionSlot, PluginRegistry
from ..sql import ast

__all__ = ["Binder", "Bound", "validate_args_for_plugin"]


@dataclass(frozen=True, slots=True)
class Bound:
    """A resolved call: exactly one of ``builtin`` and ``plugin`` is set."""

    name: str
    builtin: Builtin | None = None
    plugin: FunctionSlot | None = None
    aggregate: bool = False


class Binder:
    def __init__(self, plugins: PluginRegistry) -> None:
        self.plugins = plugins

    def resolve(self, call: ast.Call) -> Bound:
        found = lookup(call.name)
        if found is not None:
            message = found.validate(call.args)
            if message:
                raise PlanError(f"validate function {found.name} error: {message}", node=call)
            return Bound(found.name, builtin=found, aggregate=found.kind == "aggregate")
        slot = self.plugins.function(call.name)
        if slot is not None:
            aggregate = self._validate_plugin(slot, call)
            return Bound(call.name, plugin=slot, aggregate=aggregate)
        known = list(BUILTINS) + self.plugins.function_names()
        hint = did_you_mean(call.name, known) or did_you_mean(call.name.lower(), known)
        raise PlanError(
            f"function {call.name} not found.{hint} Built-ins are listed by `kuiper-dev "
            "functions` (`%kuiper functions`), plugin functions by `kuiper-dev show udfs`; "
            "plugins load from plugins/functions.",
            node=call,
        )

    def _validate_plugin(self, slot: FunctionSlot, call: ast.Call) -> bool:
        try:
            answer = slot.impl.validate(validate_args_for_plugin(call.args))
        except Exception as exc:
            raise PlanError(f"validate function {call.name} error: {exc!r}", node=call) from exc
        if answer != "":
            hint = ' (validate must return "" to accept the arguments)' if answer is None else ""
            raise PlanError(
                f"validate function {call.name} error: validate return state is false, "
                f"got {answer!r}{hint}",
                node=call,
            )
        try:
            return bool(slot.impl.is_aggregate())
        except Exception as exc:
            raise PlanError(
                f"function {call.name}: is_aggregate() raised {exc!r}", node=call
            ) from exc


def validate_args_for_plugin(args: Sequence[ast.Expr]) -> list[Any]:
    """The arguments as eKuiper's portable runtime sends them to ``validate``: Go AST as JSON."""
    out: list[Any] = []
    for a in args:
        if isinstance(
            a, ast.IntegerLiteral | ast.NumberLiteral | ast.StringLiteral | ast.BooleanLiteral
        ):
            out.append({"Val": a.value})
        elif isinstance(a, ast.FieldRef):
            out.append({"StreamName": a.stream or "$$default", "Name": a.name})
        else:
            out.append({})
    return out
