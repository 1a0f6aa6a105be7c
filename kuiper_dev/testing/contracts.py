"""Plugin contracts, each checked by one call, with Hypothesis finding and shrinking failures.

A function plugin, called as eKuiper's portable runtime calls it (JSON values in
and out), must: accept its declared arity in ``validate`` and agree with
``exec`` about it; never raise on arguments of its declared types (unless the
raise is documented); return a value eKuiper can carry; give the same result for
the same arguments (unless declared non-deterministic); and, when aggregate,
not depend on the order of the group's rows (unless declared). Sources and sinks
are in :mod:`.lifecycle`. Every broken law is written as a regression case.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from hypothesis import strategies as st

from .._types import PluginKind
from ..errors import NotPortable, PluginError, did_you_mean
from ..plugins import FunctionSlot, PluginContext, from_plugin, plugin_traceback, to_plugin_args
from ..workspace import Workspace
from ._hyp import Broken, LawBroken, law_settings, run_law
from ._report import ContractFailure, ContractReport
from .lifecycle import check_sink, check_source
from .regressions import NOT_WRITTEN, function_case, plugins_folder, write_case
from .strategies import metadata_arg_types, values_of

__all__ = ["ContractFailure", "ContractReport", "check_function", "check_plugin"]


def _slot(ws: Workspace, name: str) -> FunctionSlot:
    slot = ws.plugins.function(name)
    if slot is None:
        hint = did_you_mean(name, ws.plugins.function_names())
        raise PluginError(
            f"no plugin function {name!r}.{hint} Put it in plugins/functions/ or define it "
            "in a cell first"
        )
    return slot


def declared_arg_types(ws: Workspace, slot: FunctionSlot) -> list[str]:
    """The function's argument types from its plugin's metadata ``functions/{plugin}.json``."""
    meta = ws.plugins_dir / "functions" / f"{slot.plugin}.json" if ws.plugins_dir else None
    if meta is None or not meta.is_file():
        raise PluginError(
            f"function {slot.name}: no argument types to test with; pass arg_types=[...] or "
            f'write {meta or "plugins/functions/" + slot.plugin + ".json"} with "functions": '
            f'[{{"name": "{slot.name}", "args": [{{"name": "x", "type": "int"}}]}}]'
        )
    return metadata_arg_types(meta, slot.name)


def _validate_args(n: int) -> list[Any]:
    # what eKuiper's portable runtime gives validate for plain column arguments
    return [{"StreamName": "$$default", "Name": f"a{i}"} for i in range(n)]


class _Caller:
    """Calls the plugin as the engine does and turns what goes wrong into :class:`LawBroken`."""

    def __init__(self, slot: FunctionSlot, raises: tuple[type[BaseException], ...]) -> None:
        self.slot = slot
        self.raises = raises
        self.ctx = PluginContext("contract", f"function_{slot.name}")

    def call(self, args: list[Any]) -> tuple[bool, Any]:
        """(True, result as eKuiper reads it), or (False, None) for a documented raise."""
        try:
            result = self.slot.impl.exec(to_plugin_args(copy.deepcopy(args)), self.ctx)
        except self.raises:
            return False, None
        except Exception as exc:
            raise LawBroken(plugin_traceback(exc, self.slot.where)) from exc
        try:
            return True, from_plugin(result)
        except NotPortable as exc:
            raise LawBroken(f"returned {result!r}: {exc}") from exc


def check_function(
    ws: Workspace,
    name: str,
    *,
    arg_types: Sequence[str] | None = None,
    max_examples: int | None = None,
    deterministic: bool = True,
    order_dependent: bool = False,
    raises: tuple[type[BaseException], ...] = (),
    nullable: bool = False,
    regressions: Path | str | None = None,
    write: bool = True,
) -> ContractReport:
    """Check plugin function ``name``'s contract; every broken law is written as a regression.

    ``arg_types`` default to the plugin's metadata; ``raises`` are the documented
    exceptions; ``regressions`` is the folder (default ``tests/regressions``).

    >>> ws = Workspace(plugins_dir=None)
    >>> _ = ws.define_function("Twice", '''
    ... class Twice:
    ...     def validate(self, args): return "" if len(args) == 1 else "one argument"
    ...     def exec(self, args, ctx): return args[0] * 2
    ...     def is_aggregate(self): return False
    ... ''')
    >>> check_function(ws, "twice", arg_types=["int"], max_examples=20).ok
    True
    """
    slot = _slot(ws, name)
    types = list(arg_types) if arg_types is not None else declared_arg_types(ws, slot)
    aggregate = slot.is_aggregate()
    caller = _Caller(slot, raises)
    conf = law_settings(max_examples)
    report = ContractReport("function", name)
    started = time.perf_counter()
    one = [values_of(t, nullable=nullable) for t in types]
    if aggregate:
        n_rows = st.integers(1, 6)
        args = n_rows.flatmap(
            lambda n: st.tuples(*(st.lists(v, min_size=n, max_size=n) for v in one))
        )
    else:
        args = st.tuples(*one)
    strategy = args.map(list)
    laws: list[tuple[str, Broken | None]] = [("validate arity", _arity(caller, types, aggregate))]
    if laws[0][1] is None:
        broken, count = run_law(strategy, lambda a: caller.call(a) and None, conf)
        report.examples += count
        laws.append(("never raises", broken))
        if broken is None and deterministic:
            broken, count = run_law(strategy, lambda a: _same_twice(caller, a), conf)
            report.examples += count
            laws.append(("deterministic", broken))
        if broken is None and aggregate and types and not order_dependent:
            both = strategy.flatmap(
                lambda a: st.tuples(st.just(a), st.permutations(range(len(a[0]))))
            )
            broken, count = run_law(both, lambda ap: _order_free(caller, *ap), conf)
            report.examples += count
            laws.append(("row order", broken))
    for law, failure in laws:
        report.laws.append(law)
        if failure is None:
            continue
        report.failures.append(
            _record(ws, name, law, failure, aggregate, caller, write, regressions)
        )
    report.seconds = time.perf_counter() - started
    return report


def _record(
    ws: Workspace,
    name: str,
    law: str,
    broken: Broken,
    aggregate: bool,
    caller: _Caller,
    write: bool,
    folder: Path | str | None,
) -> ContractFailure:
    example, expected = broken.example, None
    if law == "row order":  # the columns, then the same rows reordered: two windows
        columns, order = example
        example = [col + [col[i] for i in order] for col in columns]
        expected = caller.call(columns)[1]
    path, error = None, broken.error
    folder_of = plugins_folder(ws.plugins_dir, caller.slot.where)
    if write and folder_of is None:
        error = f"{error}\n({NOT_WRITTEN})"
    elif write:
        case = function_case(name, law, example, aggregate=aggregate, expected=expected)
        path = write_case(case, "function", name, law, folder=folder, plugins=folder_of)
    return ContractFailure(law, broken.example, error, path)


def _same_twice(caller: _Caller, args: list[Any]) -> None:
    ok, first = caller.call(args)
    ok2, second = caller.call(args)
    if ok and ok2 and first != second:
        raise LawBroken(
            f"gave {first!r}, then {second!r} for the same arguments; make it deterministic "
            "or declare deterministic=False"
        )


def _order_free(caller: _Caller, args: list[Any], order: list[int]) -> None:
    ok, first = caller.call(args)
    ok2, second = caller.call([[col[i] for i in order] for col in args])
    if ok and ok2 and first != second:
        raise LawBroken(
            f"gave {first!r} for the rows in one order and {second!r} in another; a window's "
            "rows come in arrival order, so make it order-free or declare order_dependent=True"
        )


_SAMPLE: dict[str, Any] = {
    "int": 1, "bigint": 1, "number": 1, "float": 1.5, "string": "a", "text": "a",
    "bool": True, "boolean": True, "datetime": 0, "bytea": "", "array": [], "struct": {},
    "list_string": [], "any": 1,
}  # fmt: skip


def _sample(types: list[str], k: int, aggregate: bool) -> list[Any]:
    """``k`` plain arguments for a one-off call (declared types first, then ints)."""
    args = [_SAMPLE.get(t.lower(), 1) for t in (types + ["int"] * k)[:k]]
    return [[a] for a in args] if aggregate else args


def _arity(caller: _Caller, types: list[str], aggregate: bool) -> Broken | None:
    """``validate`` accepts the declared arity; an arity it accepts, ``exec`` takes without raising."""
    n = len(types)
    for k in sorted({max(n - 1, 0), n, n + 1}):
        args = _sample(types, k, aggregate)
        try:
            answer = caller.slot.impl.validate(_validate_args(k))
        except Exception as exc:
            return Broken(args, plugin_traceback(exc, caller.slot.where))
        if k == n and answer != "":
            return Broken(args, f"validate refused the declared {n} arguments: {answer!r}")
        if k != n and answer == "":
            try:
                caller.call(args)
            except LawBroken as exc:
                return Broken(
                    args, f"validate accepted {k} arguments but exec raised:\n{exc.error}"
                )
    return None


def check_plugin(
    ws: Workspace, name: str, kind: PluginKind | Literal["portable"] | None = None, **options: Any
) -> ContractReport:
    """The one call behind ``kuiper-dev test`` and ``%kuiper test NAME``: check a plugin's contract.

    Without ``kind`` the name is looked up among plugin functions, sources and
    sinks. ``options`` go to :func:`check_function`, :func:`~.lifecycle.check_source`
    or :func:`~.lifecycle.check_sink`.

    >>> check_plugin(Workspace(plugins_dir=None), "x", "portable")
    Traceback (most recent call last):
    ...
    kuiper_dev.errors.PluginError: cannot test a portable plugin; give function, source or sink
    """
    if kind is None:
        kind = _kind_of(ws, name)
    if kind == "function":
        return check_function(ws, name, **options)
    if kind == "source":
        return check_source(ws, name, **options)
    if kind == "sink":
        return check_sink(ws, name, **options)
    raise PluginError(f"cannot test a {kind} plugin; give function, source or sink")


def _kind_of(ws: Workspace, name: str) -> PluginKind:
    found: list[PluginKind] = []
    if ws.plugins.function(name) is not None:
        found.append("function")
    if ws.plugins.source(name) is not None:
        found.append("source")
    if ws.plugins.sink(name) is not None:
        found.append("sink")
    if len(found) == 1:
        return found[0]
    if found:
        raise PluginError(f"{name} is a {' and a '.join(found)}; say which to test")
    known = [*ws.plugins.function_names(), *ws.plugins.names("source"), *ws.plugins.names("sink")]
    raise PluginError(
        f"no plugin function, source or sink {name!r}.{did_you_mean(name, known)} Put it in "
        "plugins/ or define it in a cell first"
    )
