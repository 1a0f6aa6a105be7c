"""Source and sink contracts: lifecycles under a Hypothesis state machine, acks under requireAck.

A source is run as a rule runs it (:class:`~kuiper_dev.plugins.SourceRunner`):
each start makes an instance, configures and opens it; each stop closes it. In
any order of starts and stops it must open without raising, emit JSON objects,
and let ``open()`` return soon after ``close()``, the second time as the first.
A sink (:class:`~kuiper_dev.plugins.SinkRunner`) with ``requireAck`` set must
ack every message it collects. A broken law is written as a ``*.contract.json``
case that :func:`replay_contract` runs again.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import Flaky
from hypothesis.stateful import RuleBasedStateMachine, precondition, rule, run_state_machine_as_test

from ..errors import PluginError, RuleTestError, did_you_mean
from ..plugins import PluginRegistry, PluginSlot, SinkRunner, SourceRunner, encode_emission
from ..workspace import Workspace, find_plugins_dir
from ._hyp import Broken, LawBroken, law_settings, run_law
from ._report import ContractFailure, ContractReport
from .regressions import NOT_WRITTEN, plugins_folder, write_case
from .strategies import json_values

__all__ = ["check_sink", "check_source", "replay_contract"]


_FLAKY = (
    "the plugin keeps state outside its instances (module globals, class attributes, files, "
    "ports) that open/close do not set up and release"
)


def _fresh(ws: Workspace, slot: PluginSlot) -> PluginSlot:
    """The slot of a freshly loaded copy of the plugin, so no example sees another's module state.

    A plugin defined in a cell has no file to load again: its slot is used as it is.
    """
    if ws.plugins_dir is None or not Path(slot.where).is_file():
        return slot
    registry = PluginRegistry()
    registry.load_dir(ws.plugins_dir)
    fresh = registry.source(slot.name) if slot.kind == "source" else registry.sink(slot.name)
    return fresh or slot


def _unit(ws: Workspace, kind: str, name: str) -> PluginSlot:
    slot = ws.plugins.source(name) if kind == "source" else ws.plugins.sink(name)
    if slot is None:
        hint = did_you_mean(name, ws.plugins.names("source" if kind == "source" else "sink"))
        raise PluginError(
            f"no {kind} plugin {name!r}.{hint} Put it in plugins/{kind}s/ or define it in a cell first"
        )
    return slot


class _Source:
    """One source plugin driven step by step; a step that breaks the contract raises LawBroken."""

    def __init__(
        self,
        slot: PluginSlot,
        datasource: str,
        conf: dict[str, Any],
        settle_s: float,
        close_s: float,
    ) -> None:
        self.slot, self.datasource, self.conf = slot, datasource, conf
        self.settle_s, self.close_s = settle_s, close_s
        self.runner: SourceRunner | None = None
        self.errors: list[str] = []
        self.steps: list[str] = []
        self.failed_at: list[str] = []

    def step(self, what: str) -> None:
        self.steps.append(what)
        if what == "open":
            self.open()
        else:
            self.close()

    def open(self) -> None:
        got: list[dict[str, Any]] = []
        self.runner = SourceRunner(
            self.slot, self.datasource, self.conf, on_message=lambda row, _meta: got.append(row),
            on_error=self.errors.append, follow_reloads=False, close_timeout=self.close_s,
        )  # fmt: skip
        self.runner.start()
        deadline = time.monotonic() + self.settle_s
        while time.monotonic() < deadline and not got and self.runner.status == "running":
            time.sleep(0.005)
        self._check(f"open #{self.steps.count('open')}")

    def close(self) -> None:
        runner, self.runner = self.runner, None
        if runner is not None:
            runner.stop(self.close_s)
        self._check(f"close #{self.steps.count('close')}")

    def _check(self, step: str) -> None:
        # the runner's own reports name a plugin method ("open() raised"); texts a
        # source sends with ctx.emit_error are data errors it is allowed to report
        broken = [e for e in self.errors if "()" in e]
        self.errors.clear()
        if broken:
            text = "\n".join(broken)
            self.failed_at = list(self.steps)
            raise LawBroken(f"after steps {self.steps} ({step}):\n{text}")


def check_source(
    ws: Workspace,
    name: str,
    *,
    datasource: str = "contract",
    conf_key: str | None = None,
    max_examples: int | None = 10,
    steps: int = 6,
    settle_s: float = 0.05,
    close_s: float = 1.0,
    regressions: Path | str | None = None,
    write: bool = True,
) -> ContractReport:
    """Check source ``name``'s lifecycle over random open/close sequences (a state machine).

    ``conf_key`` picks the section of its yaml (``default`` otherwise); ``settle_s``
    is how long each open waits for a first message or a failure.

    >>> ws = Workspace(plugins_dir=None)
    >>> _ = ws.define_source("Once", '''
    ... class Once:
    ...     def configure(self, datasource, conf): pass
    ...     def open(self, ctx): ctx.emit({"n": 1}, {})
    ...     def close(self, ctx): pass
    ... ''')
    >>> check_source(ws, "once", max_examples=3).ok
    True
    """
    slot = _unit(ws, "source", name)
    conf = ws.plugins.resolve_source_conf(name, conf_key)
    report = ContractReport("source", name, laws=["lifecycle"])
    started, last = time.perf_counter(), []

    class Lifecycle(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.source = _Source(_fresh(ws, slot), datasource, conf, settle_s, close_s)
            last.append(self.source)

        @precondition(lambda self: self.source.runner is None)
        @rule()
        def open(self) -> None:
            self.source.step("open")

        @precondition(lambda self: self.source.runner is not None)
        @rule()
        def close(self) -> None:
            self.source.step("close")

        def teardown(self) -> None:
            if self.source.runner is not None:
                self.source.step("close")

    try:
        try:
            run_state_machine_as_test(
                Lifecycle, settings=law_settings(max_examples, stateful_steps=steps)
            )
        except Flaky as exc:
            raise LawBroken(f"the same steps broke it once and not again; {_FLAKY}\n{exc}") from exc
    except LawBroken as exc:
        source = last[-1]
        shrunk = source.failed_at or source.steps
        case = {
            "kind": "source",
            "name": name,
            "datasource": datasource,
            "conf": conf,
            "steps": shrunk,
        }
        failure = _keep(ws, slot, "lifecycle", case, Broken(shrunk, exc.error), write, regressions)
        report.failures.append(failure)
    report.examples = len(last)
    report.seconds = time.perf_counter() - started
    return report


def _sink_law(slot: PluginSlot, conf: dict[str, Any], ack_s: float) -> Any:
    def law(emissions: list[list[dict[str, Any]]]) -> None:
        errors: list[str] = []
        runner = SinkRunner(
            slot, {**conf, "requireAck": True}, on_error=errors.append, ack_timeout=ack_s,
            follow_reloads=False, close_timeout=1.0,
        )  # fmt: skip
        runner.start()
        for rows in emissions:
            runner.collect(rows)
        runner.drain(ack_s * (len(emissions) + 1) + 1.0)
        runner.stop(1.0)
        send_single = runner.send_single
        want = sum(len(encode_emission(rows, send_single)) for rows in emissions)
        refused = [e for e in errors if ": ack error: " not in e]  # ack_error is an answer
        if runner.acked != want or refused:
            raise LawBroken(
                f"requireAck is set: {runner.acked} acks for {want} messages\n" + "\n".join(refused)
            )

    return law


def check_sink(
    ws: Workspace,
    name: str,
    *,
    conf: dict[str, Any] | None = None,
    max_examples: int | None = 20,
    ack_s: float = 0.2,
    regressions: Path | str | None = None,
    write: bool = True,
) -> ContractReport:
    """Check that sink ``name``, with ``requireAck`` set, acks every message it collects.

    ``conf`` is the action's other properties (``sendSingle``...); ``ack_s`` is
    how long each message may wait for its ack.

    >>> ws = Workspace(plugins_dir=None)
    >>> _ = ws.define_sink("Silent", '''
    ... class Silent:
    ...     def configure(self, conf): pass
    ...     def open(self, ctx): pass
    ...     def collect(self, ctx, data): pass  # never acks
    ...     def close(self, ctx): pass
    ... ''')
    >>> report = check_sink(ws, "silent", max_examples=2, ack_s=0.05)
    >>> report.ok, report.failures[0].error.splitlines()[0]
    (False, 'requireAck is set: 0 acks for 1 messages')
    """
    slot = _unit(ws, "sink", name)
    conf = dict(conf or {})
    rows = st.dictionaries(st.text(min_size=1, max_size=6), json_values(max_leaves=3), max_size=3)
    emissions = st.lists(st.lists(rows, min_size=1, max_size=3), min_size=1, max_size=3)
    report = ContractReport("sink", name, laws=["acks every message"])
    started = time.perf_counter()
    broken, report.examples = run_law(
        emissions, _sink_law(slot, conf, ack_s), law_settings(max_examples)
    )
    if broken is not None:
        case = {"kind": "sink", "name": name, "conf": conf, "emissions": broken.example}
        failure = _keep(ws, slot, "acks every message", case, broken, write, regressions)
        report.failures.append(failure)
    report.seconds = time.perf_counter() - started
    return report


def _keep(
    ws: Workspace,
    slot: PluginSlot,
    law: str,
    case: dict[str, Any],
    broken: Broken,
    write: bool,
    folder: Path | str | None,
) -> ContractFailure:
    """The failure, its case written unless the plugin has no folder a case could load it from."""
    path, error = None, broken.error
    plugins = plugins_folder(ws.plugins_dir, slot.where)
    if write and plugins is None:
        error = f"{error}\n({NOT_WRITTEN})"
    elif write:
        slug = "lifecycle" if slot.kind == "source" else "acks"
        path = write_case(case, slot.kind, slot.name, slug, folder=folder, plugins=plugins)
    return ContractFailure(law, broken.example, error, path)


def replay_contract(path: Path | str) -> ContractFailure | None:
    """Run a ``*.contract.json`` regression case once; the failure, or None when it now holds."""
    path = Path(path)
    try:
        case = json.loads(path.read_text())
        kind, name = case["kind"], case["name"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise RuleTestError(
            f"{path}: not a contract case ({exc}); write it with kuiper-dev test"
        ) from exc
    plugins = (
        path.parent / case["plugins"] if case.get("plugins") else find_plugins_dir(path.parent)
    )
    ws = Workspace(plugins_dir=plugins)
    slot = _unit(ws, kind, name)
    try:
        if kind == "source":
            source = _Source(
                slot, case.get("datasource", "contract"), case.get("conf") or {}, 0.05, 1.0
            )
            try:
                for step in case["steps"]:
                    source.step(step)
            finally:
                if source.runner is not None:
                    source.runner.stop(1.0)
            return None
        if kind == "sink":
            _sink_law(slot, case.get("conf") or {}, 0.2)(case["emissions"])
            return None
    except LawBroken as exc:
        law = "lifecycle" if kind == "source" else "acks every message"
        return ContractFailure(law, case.get("steps") or case.get("emissions"), exc.error, path)
    raise RuleTestError(f"{path}: kind must be source or sink, got {kind!r}")
