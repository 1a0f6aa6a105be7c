"""Function calls compiled once: built-ins, aggregates, analytic functions and plugins.

The binder resolves a name (built-ins, then plugins); how the call is made
follows the function's registration flags (``key_args``, ``update_arg``,
``rows_arg``, ``column_names_arg``, ``row_index_arg`` ...), never its name.
Aggregate built-ins compile to one function that reads either a group's rows
(the list form) or, when the window folded the rows as they arrived, the call's
accumulator (the incremental form); :class:`~kuiper_dev.engine.runtime.FoldSpec`
tells the window how to fold.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from ..errors import EvalError, FunctionError, NotPortable, PlanError
from ..functions import Builtin, lookup
from ..go import go_str
from ..plugins import FunctionSlot, PluginContext, from_plugin, plugin_traceback, to_plugin_args
from ..sql import ast, walk
from .binder import Binder, Bound
from .runtime import CallSite, Compiled, FoldedGroup, FoldFailure, FoldSpec, Group, Scope
from .values import column

__all__ = ["analytic_calls", "analytic_evaluator", "compile_call", "is_aggregate"]

CompileArg = Callable[[ast.Expr, Scope], Compiled]


def compile_call(call: ast.Call, scope: Scope, compile_arg: CompileArg) -> Compiled:
    """``call`` as a function of the row (or group); ``compile_arg`` compiles its arguments."""
    cached = scope.analytic.get(call)
    if cached is not None:  # computed per row before WHERE and windows (see analytic_evaluator)
        if scope.group:
            return lambda group: group.first.get(cached)
        return lambda row: row.get(cached)
    spec = lookup(call.name)
    if spec is not None and spec.key_args and call.args:
        return _meta_call(call, spec, scope)
    bound = scope.binder.resolve(call)
    spec = bound.builtin
    if spec is not None and spec.update_arg:
        return _hit_call(spec, scope)
    if bound.aggregate:
        if not scope.group:
            raise PlanError(
                f"function {bound.name} is an aggregate function; use it in a rule with a "
                "window or GROUP BY",
                node=call,
            )
        rows = scope.rows()
        return _aggregate_call(
            bound, [_aggregate_arg(a, rows, compile_arg) for a in call.args], scope
        )
    if spec is not None and spec.row_index_arg:
        runtime = scope.runtime
        return lambda _: runtime.row_index + 1
    arg_fns = [compile_arg(a, scope) for a in call.args]
    if spec is None:
        func_id = scope.next_func_id
        scope.next_func_id += 1
        return _plugin_call(bound, arg_fns, PluginContext(scope.rule_id, scope.op_id, func_id))
    if spec.column_names_arg:
        names = [a.name if isinstance(a, ast.FieldRef | ast.Call) else "" for a in call.args]
        arg_fns.append(lambda _row: names)  # eKuiper's hidden list of the argument columns
    elif spec.kind not in ("scalar", "srf"):  # srf: the projection expands the rows
        raise PlanError(
            f"function {bound.name} is an {spec.kind} function, which kuiper_dev does not run yet",
            node=call,
        )
    site = CallSite(scope.rule_id, scope.runtime) if spec.context else None
    return _builtin_call(spec, arg_fns, site)


def _meta_call(call: ast.Call, spec: Builtin, scope: Scope) -> Compiled:
    """``meta(topic)``/``mqtt(topic)``: the argument names a meta key, it is not evaluated."""
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
        raise PlanError(f"{call.name}() takes a meta key name, like {call.name}(topic)", node=arg)
    fn = functools.partial(spec.fn, CallSite(scope.rule_id, scope.runtime))

    def read(_row: Any) -> Any:
        value = fn(key)
        for name in path:
            value = value.get(name) if isinstance(value, dict) else None
        return value

    return read


def _hit_call(spec: Builtin, scope: Scope) -> Compiled:
    """``update_arg`` calls (``last_hit_*``, ``last_agg_hit_*``): state of their own call site.

    eKuiper appends a hidden ``do_update`` argument. Inside a WHERE, HAVING or
    sliding-window trigger the call only reads (``do_update`` false), and its state
    is recorded once the whole condition holds, at the event time of what it held
    for; anywhere else each evaluation reads and records at once.
    """
    site = CallSite(scope.rule_id, scope.runtime)
    runtime = scope.runtime
    fn = spec.fn
    timed = spec.event_time_arg

    def call(update: bool) -> Any:
        return fn(site, update, runtime.event_time) if timed else fn(site, update)

    if scope.hits is None:
        return lambda _row: call(True)
    scope.hits.append(lambda: call(True))
    return lambda _row: call(False)


def analytic_evaluator(
    call: ast.Call, column: str, scope: Scope, compile_arg: CompileArg
) -> Callable[[dict[str, Any]], None]:
    """Compute one analytic call for a row and cache it in ``column`` of that row.

    eKuiper runs analytic functions on every row before WHERE and windows, with
    the OVER (WHEN ...) result and the PARTITION BY key as hidden arguments.
    """
    bound = scope.binder.resolve(call)
    assert bound.builtin is not None
    fn = functools.partial(bound.builtin.fn, CallSite(scope.rule_id, scope.runtime))
    args = [compile_arg(a, scope) for a in call.args]
    parts = [compile_arg(p, scope) for p in call.partition]
    when = compile_arg(call.when, scope) if call.when is not None else None

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
    return out[::-1]  # inner calls first (lag(had_changed(...))), as eKuiper's analyzer


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


# -- aggregates ----------------------------------------------------------------------


def _aggregate_arg(arg: ast.Expr, scope: Scope, compile_arg: CompileArg) -> Compiled | str:
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
    return compile_arg(arg, scope)


def _column_lists(rows: list[Any], args: list[Compiled | str]) -> list[list[Any]]:
    return [
        [column(r, a) for r in rows] if isinstance(a, str) else [a(r) for r in rows] for a in args
    ]


def _aggregate_call(bound: Bound, arg_fns: list[Compiled | str], scope: Scope) -> Compiled:
    """An aggregate sees, for each argument, the list of its values over the group."""
    if bound.plugin is not None:
        scope.folds.ok = False  # plugins declare no incremental form: windows keep rows
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
        fn = functools.partial(fn, CallSite(scope.rule_id, scope.runtime))
    with_rows = spec.rows_arg
    slot_index = _fold_slot(spec, arg_fns, scope)
    result = spec.incremental.result if spec.incremental is not None else None

    def aggregate(group: Group | FoldedGroup) -> Any:
        try:
            if isinstance(group, FoldedGroup):
                assert result is not None
                acc = group.accs[slot_index]
                if isinstance(acc, FoldFailure):
                    raise acc.error
                return result(acc)
            rows = group.rows
            lists = _column_lists(rows, arg_fns)
            if with_rows:
                lists.insert(0, [dict(r) for r in rows])
            return fn(*lists)
        except FunctionError as exc:
            raise EvalError(str(exc)) from None

    return aggregate


def _fold_slot(spec: Builtin, arg_fns: list[Compiled | str], scope: Scope) -> int:
    """Register how this call folds a row (its accumulator's slot), or mark the rule
    as one whose windows must keep rows."""
    inc = spec.incremental
    folds = scope.folds
    if not folds.ok or inc is None or spec.context:
        folds.ok = False
        return -1
    getters: list[Compiled] = [_column_getter(a) if isinstance(a, str) else a for a in arg_fns]
    add = inc.add
    if spec.rows_arg:

        def add_row(acc: Any, row: dict[str, Any]) -> Any:
            return add(acc, dict(row), *[g(row) for g in getters])
    elif len(getters) == 1:
        (get,) = getters

        def add_row(acc: Any, row: dict[str, Any]) -> Any:
            return add(acc, get(row))
    else:

        def add_row(acc: Any, row: dict[str, Any]) -> Any:
            return add(acc, *[g(row) for g in getters])

    index = len(folds.specs)
    folds.specs.append(FoldSpec(index, inc.init, add_row, inc.merge, inc.keeps_values))
    return index


def _column_getter(name: str) -> Compiled:
    return lambda row: column(row, name)


# -- scalar built-ins and plugins -----------------------------------------------------


def _builtin_call(spec: Builtin, arg_fns: list[Compiled], site: CallSite | None) -> Compiled:
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
