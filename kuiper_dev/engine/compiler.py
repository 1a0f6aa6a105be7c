"""Compile expressions to Python closures once per rule; rows never meet the AST.

Each node becomes a function of the row. Errors are raised as :class:`EvalError`
(eKuiper passes error values up the tree; raising gives the same result sooner).
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .._types import Message
from ..errors import EvalError, FunctionError, PlanError
from ..functions import lookup
from ..go import go_str
from ..plugins import (
    FunctionSlot,
    NotPortable,
    PluginContext,
    from_plugin,
    plugin_traceback,
    to_plugin_args,
)
from ..sql import ast, render, walk
from ..sql.like import like_regex
from . import structure
from .binder import Binder, Bound
from .values import binary_op

__all__ = [
    "Compiled",
    "Group",
    "Runtime",
    "Scope",
    "analytic_calls",
    "analytic_evaluator",
    "compile_expr",
    "is_aggregate",
]

Compiled = Callable[[Any], Any]  # takes a row (dict) or, for aggregate queries, a Group


@dataclass(slots=True)
class Runtime:
    """What the running rule tells its compiled functions: clock, meta, window range."""

    now_ms: Callable[[], int] = lambda: 0
    message: Message | None = None  # the message being processed; its meta is read lazily
    window_start: int = 0
    window_end: int = 0
    event_time: int = 0
    rule_start: int = 0
    row_index: int = 0  # position of the row being projected in its result (row_number)
    sites: dict[str, Any] = field(default_factory=dict)  # rule-wide state of last_hit_* calls

    @property
    def meta(self) -> dict[str, Any]:
        """The current message's metadata as eKuiper's sources give it (topic, qos, ...)."""
        m = self.message
        if m is None:
            return {}
        return {"topic": m.topic, "qos": m.qos, **m.meta}


class Group:
    """Rows aggregated together: a window, or one GROUP BY group of it.

    Plain field references read the group's first row, as eKuiper's aggregate
    valuer does; aggregate functions see every row.
    """

    __slots__ = ("rows",)

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows

    @property
    def first(self) -> dict[str, Any]:
        return self.rows[0] if self.rows else {}


@dataclass(slots=True)
class Scope:
    """What names mean while compiling one rule."""

    binder: Binder
    rule_id: str
    sources: tuple[str, ...]
    op_id: str = "project"
    next_func_id: int = 0
    runtime: Runtime = field(default_factory=Runtime)
    group: bool = False  # compile for Group inputs (aggregate queries)
    aliases: dict[str, ast.Expr] = field(default_factory=dict)  # SELECT aliases usable elsewhere
    joined: bool = False  # rows are TaggedRow/JoinedRow: qualified names pick a stream's row
    analytic: dict[ast.Call, str] = field(default_factory=dict)  # call -> cached column
    tags: dict[str, str] = field(default_factory=dict)  # stream name or alias -> row tag

    def rows(self) -> Scope:
        """The same scope compiling for single rows (aggregate arguments)."""
        if not self.group:
            return self
        return dataclasses.replace(self, group=False)


class _CallSite:
    """The :class:`~kuiper_dev.functions.CallContext` of one built-in call in one rule."""

    __slots__ = ("rule_id", "runtime", "state")

    def __init__(self, rule_id: str, runtime: Runtime) -> None:
        self.rule_id = rule_id
        self.runtime = runtime
        self.state: dict[str, Any] = {}

    @property
    def meta(self) -> dict[str, Any]:
        return self.runtime.meta

    def now_ms(self) -> int:
        return self.runtime.now_ms()

    # optional attributes the "other" built-ins read (see functions/other.py)
    @property
    def window_start_ms(self) -> int:
        return self.runtime.window_start

    @property
    def window_end_ms(self) -> int:
        return self.runtime.window_end

    @property
    def event_time_ms(self) -> int:
        return self.runtime.event_time

    @property
    def rule_start_ms(self) -> int:
        return self.runtime.rule_start


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
            aliased = scope.aliases[name]
            inner = dataclasses.replace(
                scope, aliases={k: v for k, v in scope.aliases.items() if k != name}
            )
            return compile_expr(aliased, inner)
        case ast.FieldRef(name, stream):
            return _field(name, stream, scope)
        case ast.ParenExpr(inner):
            return compile_expr(inner, scope)
        case ast.BinaryExpr("->", lhs, ast.JsonFieldRef(name)):
            return structure.arrow(compile_expr(lhs, scope), name)
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
            return _call(expr, scope)
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
    raise PlanError(f"cannot compile {render(expr)!r}: {type(expr).__name__} is not supported yet")


_EMPTY: dict[str, Any] = {}


def _field(name: str, stream: str | None, scope: Scope) -> Compiled:
    """A column read; qualified names in a join read that stream's own row."""
    if stream is not None and stream not in scope.sources:
        return _json_field(stream, name)  # ``a.b`` on a non-stream ``a`` is a path
    if scope.joined and stream is not None:
        tag = scope.tags.get(stream, stream)
        if scope.group:
            return lambda group: getattr(group.first, "tables", _EMPTY).get(tag, _EMPTY).get(name)
        return lambda row: row.tables.get(tag, _EMPTY).get(name)
    if scope.group:
        return lambda group: group.first.get(name)
    return lambda row: row.get(name)


def _const(value: Any) -> Compiled:
    return lambda row: value


def _json_field(parent: str, name: str) -> Compiled:
    return structure.arrow(lambda row: row.get(parent), name)


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
        if values is None:
            return negate
        lhs = lf(row)
        if lhs is None:
            return False
        if not isinstance(values, list):
            raise EvalError(f"{op} expects a list on its right side, got {go_str(values)}")
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
                f"between operator cannot compare {_typed(lhs)} and {_typed(low)}"
            ) from None
        try:
            b = le(lhs, high)
        except EvalError:
            raise EvalError(
                f"between operator cannot compare {_typed(lhs)} and {_typed(high)}"
            ) from None
        return (a and b) != negate

    return between


def _typed(v: Any) -> str:
    from ..go import go_type

    return f"{go_type(v)}({go_str(v)})"


def _like_pattern(pattern: str) -> re.Pattern[str]:
    """eKuiper's LIKE: the one translation in :mod:`kuiper_dev.sql.like`, compiled."""
    return re.compile(like_regex(pattern))


def _like(op: str, lf: Compiled, rhs: ast.Expr, scope: Scope) -> Compiled:
    negate = op == "NOT LIKE"
    if isinstance(rhs, ast.StringLiteral):
        try:
            fixed = _like_pattern(rhs.value)
        except re.error as exc:
            raise PlanError(f"invalid LIKE pattern: {exc}") from None

        def pattern(row: dict[str, Any]) -> re.Pattern[str]:
            return fixed
    else:
        pf = compile_expr(rhs, scope)

        def pattern(row: dict[str, Any]) -> re.Pattern[str]:
            p = pf(row)
            if type(p) is not str:
                raise EvalError(f"invalid LIKE pattern, must be a string but got {go_str(p)}")
            return _like_pattern(p)

    def like(row: dict[str, Any]) -> Any:
        lhs = lf(row)
        if type(lhs) is not str:
            raise EvalError(f"LIKE operator left operand expects string, but found {go_str(lhs)}")
        return (pattern(row).match(lhs) is not None) != negate

    return like


def _call(call: ast.Call, scope: Scope) -> Compiled:
    cached = scope.analytic.get(call)
    if cached is not None:  # computed per row before WHERE and windows (see analytic_evaluator)
        if scope.group:
            return lambda group: group.first.get(cached)
        return lambda row: row.get(cached)
    if call.name.lower() in ("meta", "mqtt") and call.args:
        return _meta_call(call, scope)
    bound = scope.binder.resolve(call)
    if bound.builtin is not None and bound.name in _HIT_FUNCTIONS:
        return _hit_call(bound.name, bound.builtin.fn, scope)
    if bound.aggregate:
        if not scope.group:
            raise PlanError(
                f"function {bound.name} is an aggregate function; use it in a rule with a "
                "window or GROUP BY"
            )
        return _aggregate_call(bound, [_aggregate_arg(a, scope.rows()) for a in call.args], scope)
    if bound.builtin is not None and bound.builtin.kind == "window":
        return _window_call(bound.name, scope.runtime)
    arg_fns = [compile_expr(a, scope) for a in call.args]
    if bound.builtin is not None and bound.builtin.kind == "cols":
        names = [a.name if isinstance(a, ast.FieldRef | ast.Call) else "" for a in call.args]
        arg_fns.append(_const(names))  # eKuiper's hidden list of the argument columns
        site = _CallSite(scope.rule_id, scope.runtime) if bound.builtin.context else None
        return _builtin_call(bound, arg_fns, site)
    if bound.builtin is not None and bound.builtin.kind == "srf":
        return _builtin_call(bound, arg_fns, None)  # the projection expands the rows
    if bound.builtin is not None:
        if bound.builtin.kind != "scalar":
            raise PlanError(
                f"function {bound.name} is an {bound.builtin.kind} function, which kuiper_dev "
                "does not run yet"
            )
        site = _CallSite(scope.rule_id, scope.runtime) if bound.builtin.context else None
        return _builtin_call(bound, arg_fns, site)
    func_id = scope.next_func_id
    scope.next_func_id += 1
    return _plugin_call(bound, arg_fns, PluginContext(scope.rule_id, scope.op_id, func_id))


def _meta_call(call: ast.Call, scope: Scope) -> Compiled:
    """``meta(topic)``/``mqtt(topic)``: the argument names a meta key, it is not evaluated."""
    bound = scope.binder.resolve(call)
    assert bound.builtin is not None
    arg = call.args[0]
    path: list[str] = []
    while (
        isinstance(arg, ast.BinaryExpr) and arg.op == "->" and isinstance(arg.rhs, ast.JsonFieldRef)
    ):
        path.insert(0, arg.rhs.name)
        arg = arg.lhs
    if isinstance(arg, ast.FieldRef):
        key = arg.name
    elif isinstance(arg, ast.Wildcard):
        key = "*"
    else:
        raise PlanError(f"{call.name}() takes a meta key name, like {call.name}(topic)")
    fn = functools.partial(bound.builtin.fn, _CallSite(scope.rule_id, scope.runtime))

    def read(_row: Any) -> Any:
        value = fn(key)
        for name in path:
            value = value.get(name) if isinstance(value, dict) else None
        return value

    return read


def analytic_evaluator(
    call: ast.Call, column: str, scope: Scope
) -> Callable[[dict[str, Any]], None]:
    """Compute one analytic call for a row and cache it in ``column`` of that row.

    eKuiper runs analytic functions on every row before WHERE and windows, with
    the OVER (WHEN ...) result and the PARTITION BY key as hidden arguments.
    """
    bound = scope.binder.resolve(call)
    assert bound.builtin is not None
    fn = functools.partial(bound.builtin.fn, _CallSite(scope.rule_id, scope.runtime))
    args = [compile_expr(a, scope) for a in call.args]
    parts = [compile_expr(p, scope) for p in call.partition]
    when = compile_expr(call.when, scope) if call.when is not None else None

    def evaluate(row: dict[str, Any]) -> None:
        valid = True if when is None else when(row) is True
        key = "".join(go_str(p(row)) + "," for p in parts)
        try:
            row[column] = fn(*[a(row) for a in args], valid, key)
        except FunctionError as exc:
            raise EvalError(str(exc)) from None

    return evaluate


def analytic_calls(node: Any) -> list[ast.Call]:
    """The distinct analytic function calls anywhere under ``node``."""
    out: list[ast.Call] = []
    for n in walk(node):
        if isinstance(n, ast.Call) and n not in out:
            builtin = lookup(n.name)
            if builtin is not None and builtin.kind == "analytic":
                out.append(n)
    return out


def _window_call(name: str, runtime: Runtime) -> Compiled:
    if name == "window_start":
        return lambda _: runtime.window_start
    if name == "window_end":
        return lambda _: runtime.window_end
    if name == "row_number":
        return lambda _: runtime.row_index + 1
    raise PlanError(f"window function {name} is not supported by kuiper_dev yet")


_HIT_FUNCTIONS = frozenset(
    {"last_hit_count", "last_hit_time", "last_agg_hit_count", "last_agg_hit_time"}
)


def _hit_call(name: str, fn: Callable[..., Any], scope: Scope) -> Compiled:
    """``last_hit_*``: rule-wide state, updated only where the rule passes (its SELECT).

    eKuiper appends a hidden ``do_update`` argument: true when evaluated for the
    projection (the WHERE or HAVING held), false inside the conditions themselves.
    """
    site = scope.runtime.sites.setdefault(name, _CallSite(scope.rule_id, scope.runtime))
    runtime = scope.runtime
    update = "project" in scope.op_id
    timed = name.endswith("_time")

    def hit(_row: Any) -> Any:
        if timed:
            return fn(site, update, runtime.event_time)
        return fn(site, update)

    return hit


def _aggregate_arg(arg: ast.Expr, scope: Scope) -> Compiled | str:
    """How one row gives an aggregate argument; a plain column is read without a call.

    ``count(*)`` sees each row itself (only whether it is null matters), not a copy.
    """
    if isinstance(arg, ast.Wildcard) and not arg.except_ and not arg.replace:
        return lambda row: row
    if (
        isinstance(arg, ast.FieldRef)
        and (arg.stream is None or arg.stream in scope.sources)
        and not scope.joined
        and arg.name not in scope.aliases
    ):
        return arg.name
    return compile_expr(arg, scope)


def _column_lists(rows: list[Any], args: list[Compiled | str]) -> list[list[Any]]:
    return [[r.get(a) for r in rows] if isinstance(a, str) else [a(r) for r in rows] for a in args]


def _aggregate_call(bound: Bound, arg_fns: list[Compiled | str], scope: Scope) -> Compiled:
    """An aggregate sees, for each argument, the list of its values over the group."""
    if bound.plugin is not None:
        slot = bound.plugin
        ctx = PluginContext(scope.rule_id, scope.op_id, scope.next_func_id)
        scope.next_func_id += 1

        def plugin_agg(group: Group) -> Any:
            return _exec_plugin(slot, _column_lists(group.rows, arg_fns), ctx)

        return plugin_agg
    spec = bound.builtin
    assert spec is not None
    fn = spec.fn
    if spec.context:
        fn = functools.partial(fn, _CallSite(scope.rule_id, scope.runtime))

    with_rows = spec.name == "deduplicate"  # eKuiper hands it the group's rows first

    def aggregate(group: Group) -> Any:
        rows = group.rows
        lists = _column_lists(rows, arg_fns)
        if with_rows:
            lists.insert(0, [dict(r) for r in rows])
        try:
            return fn(*lists)
        except FunctionError as exc:
            raise EvalError(str(exc)) from None

    return aggregate


def _builtin_call(bound: Bound, arg_fns: list[Compiled], site: _CallSite | None) -> Compiled:
    spec = bound.builtin
    assert spec is not None
    fn = spec.fn  # applies eKuiper's null policy for the function itself
    if site is not None:
        fn = functools.partial(fn, site)

    def call(row: dict[str, Any]) -> Any:
        args = [f(row) for f in arg_fns]
        try:
            return fn(*args)
        except FunctionError as exc:
            raise EvalError(str(exc)) from None

    return call


def _plugin_call(bound: Bound, arg_fns: list[Compiled], ctx: PluginContext) -> Compiled:
    slot = bound.plugin
    assert slot is not None

    def call(row: dict[str, Any]) -> Any:
        return _exec_plugin(slot, [f(row) for f in arg_fns], ctx)

    return call


def _exec_plugin(slot: FunctionSlot, args: list[Any], ctx: PluginContext) -> Any:
    """Call a plugin function as the portable runtime would: JSON values in and out.

    ``slot.impl`` is read on every call, so a hot reload takes effect at once; a
    plugin exception keeps its own traceback in the rule's error.
    """
    try:
        result = slot.impl.exec(to_plugin_args(args), ctx)
    except Exception as exc:
        raise EvalError(
            f"function {slot.name} (plugin {slot.plugin}, {slot.where}) raised:\n"
            f"{plugin_traceback(exc, slot.where)}"
        ) from exc
    try:
        return from_plugin(result)
    except NotPortable as exc:
        raise EvalError(f"function {slot.name} (plugin {slot.plugin}): {exc}") from None


def is_aggregate(node: Any, binder: Binder) -> bool:
    """True when an aggregate function is called anywhere in ``node``."""
    for n in walk(node):
        if isinstance(n, ast.Call):
            try:
                if binder.resolve(n).aggregate:
                    return True
            except PlanError:
                pass  # reported when the call is compiled
    return False
