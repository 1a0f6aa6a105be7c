"""Compile expressions to Python closures once per rule; rows never meet the AST.

Each node becomes a function of the row (or group). Operators take eKuiper's
semantics from :mod:`.values` and :mod:`kuiper_dev.go`; calls are compiled by
:mod:`.calls`. Errors are raised as :class:`EvalError` (eKuiper passes error
values up the tree; raising gives the same result sooner).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Any

from ..errors import EvalError, PlanError
from ..go import describe, verb_v
from ..sql import ast, render
from ..sql.like import like_regex
from . import structure
from .calls import compile_call
from .runtime import Compiled, Scope
from .values import binary_op, checked_condition, column

__all__ = ["compile_condition", "compile_expr"]


def compile_condition(expr: ast.Expr, scope: Scope, what: str | None) -> Callable[[Any], bool]:
    """A WHERE, HAVING (``what`` names the operator for errors) or trigger condition
    (``what`` None: a non-bool is just false). When it holds, the state calls inside
    it (``last_hit_time()``) record the hit, as eKuiper's extracted state funcs do."""
    hits: list[Callable[[], None]] = []
    fn = compile_expr(expr, dataclasses.replace(scope, hits=hits))
    test: Callable[[Any], bool] = (
        checked_condition(fn, what) if what is not None else (lambda row: fn(row) is True)
    )
    if not hits:
        return test

    def test_and_record(row: Any) -> bool:
        if test(row):
            for record in hits:
                record()
            return True
        return False

    return test_and_record


def compile_expr(expr: ast.Expr, scope: Scope) -> Compiled:
    """A function computing ``expr`` on a row (a dict of the stream's fields)."""
    match expr:
        case (
            ast.IntegerLiteral(value)
            | ast.NumberLiteral(value)
            | ast.StringLiteral(value)
            | ast.BooleanLiteral(value)
        ):
            return _const(value)
        case ast.FieldRef(name, None) if name in scope.aliases:
            # an alias's expression keeps the bindings of its own SELECT field
            inner = scope.alias_scopes.get(name)
            if inner is None:
                inner = {k: v for k, v in scope.aliases.items() if k != name}
            return compile_expr(scope.aliases[name], dataclasses.replace(scope, aliases=inner))
        case ast.FieldRef(name, stream):
            return _field(name, stream, scope)
        case ast.ParenExpr(inner):
            return compile_expr(inner, scope)
        case ast.BinaryExpr("->", lhs, ast.JsonFieldRef(name)):
            return structure.arrow(compile_expr(lhs, scope), name, _field(name, None, scope))
        case ast.BinaryExpr("AND" | "OR" as op, lhs, rhs):
            return _logic(op, compile_expr(lhs, scope), compile_expr(rhs, scope))
        case ast.BinaryExpr("IN" | "NOT IN" as op, lhs, rhs):
            return _in(op, compile_expr(lhs, scope), rhs, scope)
        case ast.BinaryExpr("BETWEEN" | "NOT BETWEEN" as op, lhs, ast.BetweenExpr(lo, hi)):
            return _between(
                op, compile_expr(lhs, scope), compile_expr(lo, scope), compile_expr(hi, scope)
            )
        case ast.BinaryExpr("LIKE" | "NOT LIKE" as op, lhs, rhs):
            return _like(op, compile_expr(lhs, scope), rhs, scope)
        case ast.BinaryExpr(op, lhs, rhs):
            return _binary(op, compile_expr(lhs, scope), compile_expr(rhs, scope))
        case ast.Call():
            return compile_call(expr, scope, compile_expr)
        case ast.Wildcard() if scope.group:
            return lambda group: dict(group.first)
        case ast.Wildcard():
            return lambda row: dict(row)
        case ast.IndexExpr(inner, at):
            return structure.index(compile_expr(inner, scope), compile_expr(at, scope))
        case ast.SliceExpr(inner, start, end):
            return structure.slice_(
                compile_expr(inner, scope),
                compile_expr(start, scope) if start is not None else None,
                compile_expr(end, scope) if end is not None else None,
            )
        case ast.CaseExpr(value, whens, otherwise):
            pairs = [(compile_expr(w.cond, scope), compile_expr(w.result, scope)) for w in whens]
            other = compile_expr(otherwise, scope) if otherwise is not None else None
            if value is None:
                return structure.case_searched(pairs, other)
            return structure.case_simple(compile_expr(value, scope), pairs, other)
    raise PlanError(
        f"cannot compile {render(expr)!r}: {type(expr).__name__} is not supported yet", node=expr
    )


_EMPTY: dict[str, Any] = {}


def _field(name: str, stream: str | None, scope: Scope) -> Compiled:
    """A column read; qualified names in a join read that stream's own row."""
    if stream is not None and stream not in scope.sources:
        return _json_field(stream, name)  # ``a.b`` on a non-stream ``a`` is a path
    if scope.joined and stream is not None:
        tag = scope.tags.get(stream, stream)
        if scope.group:
            return lambda group: column(
                getattr(group.first, "tables", _EMPTY).get(tag, _EMPTY), name
            )
        return lambda row: column(row.tables.get(tag, _EMPTY), name)
    if scope.group:
        return lambda group: column(group.first, name)

    def read(row: Any) -> Any:  # column() inlined: this runs for every field of every row
        value = row.get(name)
        if value is None and name not in row:
            return column(row, name)
        return value

    return read


def _const(value: Any) -> Compiled:
    return lambda row: value


def _json_field(parent: str, name: str) -> Compiled:
    return structure.arrow(lambda row: row.get(parent), name, lambda row: row.get(name))


def _binary(op: str, lf: Compiled, rf: Compiled) -> Compiled:
    fn = binary_op(op)
    return lambda row: fn(lf(row), rf(row))


def _logic(op: str, lf: Compiled, rf: Compiled) -> Compiled:
    fn = binary_op(op)
    short = op == "OR"

    def logic(row: dict[str, Any]) -> Any:
        lhs = lf(row)
        if lhs is short:  # False AND … / True OR … never look right
            return short
        return fn(lhs, rf(row))

    return logic


def _in(op: str, lf: Compiled, rhs: ast.Expr, scope: Scope) -> Compiled:
    eq = binary_op("=")
    negate = op == "NOT IN"
    if isinstance(rhs, ast.ValueSet):
        item_fns = [compile_expr(i, scope) for i in rhs.items]

        def value_set(row: dict[str, Any]) -> Any:
            return [f(row) for f in item_fns]

        items: Compiled = value_set
    else:
        items = compile_expr(rhs, scope)

    def member(row: dict[str, Any]) -> Any:
        values = items(row)
        if values.__class__ is not list:  # null or no array: eKuiper's value set is nil
            return negate
        lhs = lf(row)
        if lhs is None:
            return False
        for v in values:
            try:
                hit = eq(lhs, v)
            except EvalError as exc:
                raise EvalError(f"evaluate in expression error: {exc}") from None
            if hit:
                return not negate
        return negate

    return member


def _between(op: str, lf: Compiled, lo: Compiled, hi: Compiled) -> Compiled:
    ge, le = binary_op(">="), binary_op("<=")
    negate = op == "NOT BETWEEN"

    def between(row: dict[str, Any]) -> Any:
        lhs, low, high = lf(row), lo(row), hi(row)
        if lhs is None:
            return False
        try:
            a = ge(lhs, low)
        except EvalError:
            raise EvalError(
                f"between operator cannot compare {describe(lhs)} and {describe(low)}"
            ) from None
        try:
            b = le(lhs, high)
        except EvalError:
            raise EvalError(
                f"between operator cannot compare {describe(lhs)} and {describe(high)}"
            ) from None
        return (a and b) != negate

    return between


def _like_pattern(pattern: str) -> re.Pattern[str]:
    """eKuiper's LIKE: the one translation in :mod:`kuiper_dev.sql.like`, compiled."""
    return re.compile(like_regex(pattern))


def _like(op: str, lf: Compiled, rhs: ast.Expr, scope: Scope) -> Compiled:
    negate = op == "NOT LIKE"
    if isinstance(rhs, ast.StringLiteral):
        try:
            fixed = _like_pattern(rhs.value)
        except re.error as exc:
            raise PlanError(f"invalid LIKE pattern: {exc}", node=rhs) from None

        def pattern(row: dict[str, Any]) -> re.Pattern[str]:
            return fixed
    else:
        pf = compile_expr(rhs, scope)

        def pattern(row: dict[str, Any]) -> re.Pattern[str]:
            p = pf(row)
            if type(p) is not str:
                raise EvalError(f"invalid LIKE pattern, must be a string but got {verb_v(p)}")
            return _like_pattern(p)

    def like(row: dict[str, Any]) -> Any:
        lhs = lf(row)
        if type(lhs) is not str:
            raise EvalError(f"LIKE operator left operand expects string, but found {verb_v(lhs)}")
        return (pattern(row).match(lhs) is not None) != negate

    return like
