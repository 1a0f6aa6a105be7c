"""The SELECT list compiled: a row (or a group) in, the result rows out.

Names in each field bind to aliases as :mod:`.aliases` decides; the projection
merges multi-column functions into the row, expands set-returning
functions into several rows (its project-set operator), and drops null values
unless ``sendNil`` is on.

Output names are the parser's (``nameExpr``): the alias, else a column's name
(``s.a`` is ``a``), a call's outermost function, ``*``, else ``kuiper_field_N``.
When two fields give one name, eKuiper's project operator decides by kind, not
by place: an alias (``* REPLACE`` items too) beats an unaliased expression, which
beats a column (``*`` included); within one kind the later field wins.

With ``sendNil`` on, a null is still left out for an unaliased expression that
is no column (``abs(n)``, ``a + 1``): eKuiper's project operator keeps a null
only for columns and aliases. That looks like an oversight of eKuiper's (its
slice-tuple mode keeps the null); we match its default mode.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from ..errors import EvalError, PlanError
from ..sql import ast, render
from .aliases import AliasBindings
from .binder import Binder
from .compiler import compile_expr
from .runtime import Compiled, Scope

__all__ = ["Projector", "make_projector", "omits_nil"]

Projector = Callable[[Any], list[dict[str, Any]]]
"""The SELECT list compiled: a row or group in, its result rows out."""


def make_projector(
    select: ast.Select, binder: Binder, scope: Scope, bindings: AliasBindings, *, send_nil: bool
) -> Projector:
    """The SELECT list as one function: a row (or group) in, its result rows out.

    Usually one row; a set-returning function such as ``unnest`` makes one row
    per item (eKuiper's project-set operator), a multi-column function such as
    ``changed_cols`` merges its columns in.
    """
    plan: list[tuple[str | None, Compiled, str, int]] = []  # key, value, label, rank
    place: list[int] = []  # each entry's field, to find eKuiper's first failure
    srf: str | None = None
    for index, (f, visible) in enumerate(zip(select.fields, bindings.fields, strict=True)):
        place.extend([index - 1] * (len(plan) - len(place)))  # the previous field's
        field_scope = dataclasses.replace(scope, aliases=visible)
        if getattr(f, "invisible", False):
            continue
        if isinstance(f.expr, ast.Wildcard):
            plan.append((None, _wildcard(f.expr, field_scope), "expr: *", _COLUMN))
            for r in getattr(f.expr, "replace", ()):
                key = r.alias or r.name
                label = f"alias: {key} expr: {render(r.expr)}"
                plan.append((key, compile_expr(r.expr, field_scope), label, _ALIAS))
            continue
        name = f.name
        kind = None
        if isinstance(f.expr, ast.Call):
            bound = binder.resolve(f.expr)
            kind = bound.builtin.kind if bound.builtin is not None else None
            if f.alias is None:
                name = bound.name
        label = f"alias: {f.alias} expr: " if f.alias else "expr: "
        compiled = compile_expr(f.expr, field_scope)
        rank = _ALIAS if f.alias else _COLUMN if isinstance(f.expr, ast.FieldRef) else _EXPR
        if kind == "cols":
            plan.append((None, _or_empty(compiled), label + render(f.expr), _EXPR))
            continue
        if kind == "srf":
            if srf is not None:
                raise PlanError("only one set-returning function (like unnest) may be selected")
            srf = name
        plan.append((name, compiled, label + render(f.expr), rank))

    place.extend([len(select.fields) - 1] * (len(plan) - len(place)))
    first_failure = _first_failure(plan, place, bindings.order)

    # both loops run per row: the try stays inline (free when nothing raises)
    def project(row: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, fn, label, rank in plan:
            try:
                value = fn(row)
            except EvalError as exc:
                raise first_failure(row, label, exc) from None
            if key is None:
                out.update(value)
            elif value is not None or (send_nil and rank != _EXPR):
                out[key] = value
        return out

    def project_ranked(row: Any) -> dict[str, Any]:
        layers: tuple[dict[str, Any], ...] = ({}, {}, {})
        for key, fn, label, rank in plan:
            try:
                value = fn(row)
            except EvalError as exc:
                raise first_failure(row, label, exc) from None
            if key is None:
                layers[rank].update(value)
            elif value is not None or (send_nil and rank != _EXPR):
                layers[rank][key] = value
        return {**layers[_COLUMN], **layers[_EXPR], **layers[_ALIAS]}

    if _may_clash(plan):
        project = project_ranked

    if srf is None:
        return lambda row: [project(row)]
    return _expand(project, srf)


def _first_failure(
    plan: list[tuple[str | None, Compiled, str, int]], place: list[int], order: tuple[int, ...]
) -> Callable[[Any, str, EvalError], EvalError]:
    """The error eKuiper reports for a row where several fields fail: its project
    operator computes unaliased expressions first, then aliases (in its order),
    then picks columns. Only a failing row pays for finding it."""
    rank = {index: k for k, index in enumerate(order)}
    kind_first = {_EXPR: 0, _ALIAS: 1, _COLUMN: 2}
    ordered = sorted(
        range(len(plan)),
        key=lambda e: (kind_first[plan[e][3]], rank.get(place[e], place[e]), e),
    )

    def find(row: Any, label: str, exc: EvalError) -> EvalError:
        for e in ordered:
            try:
                plan[e][1](row)
            except EvalError as first:
                return _select_error(plan[e][2], first)
        return _select_error(label, exc)

    return find


def _select_error(label: str, exc: EvalError) -> EvalError:
    return EvalError(f"run Select error: {label} meet error, err:{exc}")


def omits_nil(field: ast.Field) -> bool:
    """Whether ``field``'s null is left out even under ``sendNil`` (see the module)."""
    return not field.alias and not isinstance(field.expr, ast.FieldRef | ast.Wildcard)


_COLUMN, _EXPR, _ALIAS = 0, 1, 2  # who wins a name: eKuiper's Pick, then Set, then AppendAlias


def _may_clash(plan: list[tuple[str | None, Compiled, str, int]]) -> bool:
    """Whether fields of different kinds may give one name, so that kind must decide.

    ``*`` and multi-column functions give names known only when they run.
    """
    ranks: dict[str, int] = {}
    for key, _, _, rank in plan:
        if key is None:
            if len(plan) > 1:
                return True
            continue
        if ranks.setdefault(key, rank) != rank:
            return True
    return False


def _wildcard(star: ast.Wildcard, scope: Scope) -> Compiled:
    """``*`` and ``* EXCEPT(a, b)``; ``REPLACE`` items are aliases (the caller's),
    so they win over EXCEPT as in eKuiper."""
    base = compile_expr(ast.Wildcard(), scope)
    excluded = frozenset(getattr(star, "except_", ())) | frozenset(scope.analytic.values())
    if not excluded:
        return base

    def pick(row: Any) -> dict[str, Any]:
        return {k: v for k, v in base(row).items() if k not in excluded}

    return pick


def _or_empty(fn: Compiled) -> Compiled:
    """A multi-column function's columns, or none when it returns null."""

    def columns(row: Any) -> dict[str, Any]:
        value = fn(row)
        return value if isinstance(value, dict) else {}

    return columns


def _expand(
    project: Callable[[Any], dict[str, Any]], key: str
) -> Callable[[Any], list[dict[str, Any]]]:
    """eKuiper's project-set: one row per item of ``key``; object items merge their keys."""

    def expand(row: Any) -> list[dict[str, Any]]:
        base = project(row)
        if key not in base:
            raise EvalError(f"run Select error: can't find the result from the {key} function")
        items = base.pop(key)
        if not isinstance(items, list):
            raise EvalError(
                f"run Select error: the argument for the {key} function should be array"
            )
        out = []
        for item in items:
            new = dict(base)
            if isinstance(item, dict):
                new.update(item)
            else:
                new[key] = item
            out.append(new)
        return out

    return expand
