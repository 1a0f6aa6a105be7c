"""Rule-test cases (``*.ruletest.json``): load, run in virtual time, compare, report.

The format is eKuiper's ``/ruletest`` mockSource made deterministic; DESIGN.md has
the contract. Every case runs in a fresh :class:`Workspace`.
"""

from __future__ import annotations

import difflib
import json
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._types import Message
from ..errors import KuiperDevError, RecordingWarning, RuleTestError
from ..go import dumps, normalize
from ..sql import parse_select
from ..workspace import Workspace, find_plugins_dir

__all__ = ["CaseOutcome", "RuleTestCase", "load_case", "run_case"]

_KNOWN_KEYS = frozenset(
    {"name", "streams", "sql", "options", "mockSource", "drainMs", "startMs", "expected",
     "plugins", "recording", "actions", "limit", "timeoutMs"}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class MockSource:
    data: list[dict[str, Any]]
    timestamps: list[int]


@dataclass(slots=True)
class RuleTestCase:
    path: Path
    name: str
    streams: list[str]
    sql: str
    options: dict[str, Any]
    mock: dict[str, MockSource]
    drain_ms: int = 0
    start_ms: int | None = None
    expected: list[Any] | None = None
    plugins: Path | None = None
    recording: Path | None = None
    actions: list[Any] | None = None
    limit: int | None = None
    timeout_ms: int = 10_000
    warnings: list[str] = field(default_factory=list)


@dataclass(slots=True)
class CaseOutcome:
    case_file: str
    name: str
    emissions: list[Any]
    error: str | None
    passed: bool | None
    diff: str = ""

    def report(self) -> dict[str, Any]:
        """The case's entry in ``--report`` output (DESIGN.md)."""
        return {
            "file": self.case_file,
            "name": self.name,
            "emissions": normalize(self.emissions),
            "error": self.error,
            "passed": self.passed,
        }


def _need(raw: dict[str, Any], key: str, typ: type, path: Path) -> Any:
    if key not in raw:
        raise RuleTestError(f"{path}: missing required key {key!r}")
    value = raw[key]
    if not isinstance(value, typ):
        raise RuleTestError(f"{path}: {key!r} must be a {typ.__name__}, got {type(value).__name__}")
    return value


def _mock(name: str, spec: Any, path: Path, start: int) -> MockSource:
    """One stream's mock data; with ``interval`` item i arrives at ``start + i * interval``."""
    where = f"{path}: mockSource.{name}"
    if not isinstance(spec, dict) or not isinstance(spec.get("data"), list):
        raise RuleTestError(f'{where} must be an object with a "data" list')
    data = spec["data"]
    if not all(isinstance(d, dict) for d in data):
        raise RuleTestError(f"{where}.data must hold JSON objects only")
    if "timestamps" in spec:
        ts = spec["timestamps"]
        if (
            not isinstance(ts, list)
            or len(ts) != len(data)
            or not all(isinstance(t, int) for t in ts)
        ):
            raise RuleTestError(
                f"{where}.timestamps must be {len(data)} integers (epoch ms), one per data item"
            )
    else:
        interval = spec.get("interval", 1000)
        if not isinstance(interval, int) or interval < 0:
            raise RuleTestError(f"{where}.interval must be a non-negative integer (ms)")
        ts = [start + i * interval for i in range(len(data))]
    if any(b < a for a, b in zip(ts, ts[1:], strict=False)):
        raise RuleTestError(f"{where}.timestamps must not go backwards")
    return MockSource(data, ts)


def _positive(raw: dict[str, Any], key: str, path: Path) -> int | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise RuleTestError(f"{path}: {key!r} must be a positive integer, got {value!r}")
    return value


def load_case(path: Path | str, *, plugins: Path | str | None = None) -> RuleTestCase:
    """Read and check one case file; unknown keys warn and are ignored.

    The case's plugins folder is, first found: its own ``"plugins"`` key (relative
    to the case file), then ``plugins`` (the CLI's ``--plugins``), then the
    nearest ``plugins/`` folder at or above the case file.
    """
    path = Path(path)
    try:
        raw = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise RuleTestError(f"{path}: cannot read the case: {exc}") from exc
    if not isinstance(raw, dict):
        raise RuleTestError(f"{path}: a case is a JSON object")
    case_warnings = [
        f"{path}: unknown key {k!r} ignored"
        + (
            f' (did you mean "{m[0]}"?)'
            if (m := difflib.get_close_matches(k, _KNOWN_KEYS, n=1))
            else ""
        )
        for k in sorted(set(raw) - _KNOWN_KEYS)
    ]
    streams = _need(raw, "streams", list, path)
    mock_raw = raw.get("mockSource", {})
    if not isinstance(mock_raw, dict):
        raise RuleTestError(f"{path}: 'mockSource' must be an object keyed by stream name")
    recording = _recording(raw, path)
    if recording is not None and mock_raw:
        raise RuleTestError(
            f"{path}: give either 'recording' or 'mockSource', not both; a recording feeds "
            "every stream whose DATASOURCE matches its topics"
        )
    expected = raw.get("expected")
    if expected is not None and not isinstance(expected, list):
        raise RuleTestError(
            f"{path}: 'expected' must be a list of sink deliveries (each a list of objects, "
            "or one object with sendSingle)"
        )
    own = raw.get("plugins")
    if own:
        plugins_dir: Path | None = path.parent / own
    elif plugins is not None:
        plugins_dir = Path(plugins)
    else:
        plugins_dir = find_plugins_dir(path.parent)
    return RuleTestCase(
        path=path,
        name=str(raw.get("name") or path.stem),
        streams=[str(s) for s in streams],
        sql=_need(raw, "sql", str, path),
        options=dict(raw.get("options") or {}),
        mock={k: _mock(k, v, path, int(raw.get("startMs") or 0)) for k, v in mock_raw.items()},
        drain_ms=int(raw.get("drainMs", 0)),
        start_ms=raw.get("startMs"),
        expected=expected,
        plugins=plugins_dir,
        recording=recording,
        actions=raw.get("actions"),
        limit=_positive(raw, "limit", path),
        timeout_ms=_positive(raw, "timeoutMs", path) or 10_000,
        warnings=case_warnings,
    )


def _recording(raw: dict[str, Any], path: Path) -> Path | None:
    """The case's recording, relative to the case file; it must exist."""
    name = raw.get("recording")
    if name is None:
        return None
    if not isinstance(name, str) or not name:
        raise RuleTestError(f"{path}: 'recording' must be a file name, relative to the case")
    file = path.parent / name
    if not file.is_file():
        raise RuleTestError(
            f"{path}: recording {file} does not exist; record one with `kuiper-dev record` "
            "or write a scenario with `kuiper-dev simulate SCENARIO -o FILE`"
        )
    return file


def _messages(case: RuleTestCase, stream: str) -> list[Message]:
    mock = case.mock.get(stream)
    if mock is None:
        raise RuleTestError(
            f"{case.path}: stream {stream} has no mockSource data; add "
            f'"mockSource": {{"{stream}": {{"data": [...]}}}} (live sources in rule tests are not supported yet)'
        )
    return [
        Message(stream, json.dumps(d).encode(), t)
        for d, t in zip(mock.data, mock.timestamps, strict=True)
    ]


def run_case(case: RuleTestCase, *, portable: bool = False) -> CaseOutcome:
    """Run a case; errors become the outcome's ``error``, never a crash.

    With mock data for every stream it runs in virtual time; with none, the
    streams' plugin sources run in wall-clock time until ``limit`` emissions
    (an error if ``timeoutMs`` passes first) or, without a limit, for ``timeoutMs``.
    With ``portable`` the case's plugins run as one portable plugin, in a process
    of their own, as eKuiper runs them once exported; the emissions must not change.
    """
    emissions: list[Any] = []
    try:
        with Workspace(plugins_dir=case.plugins, portable=portable) as ws:
            _run(case, ws, emissions)
    except KuiperDevError as exc:
        return CaseOutcome(
            str(case.path),
            case.name,
            emissions,
            str(exc),
            False if case.expected is not None else None,
        )
    return _outcome(case, emissions)


def _run(case: RuleTestCase, ws: Workspace, emissions: list[Any]) -> None:
    """The case's rule over its recording, mock data or live sources, into ``emissions``."""
    for ddl in case.streams:
        ws.create_stream(ddl)
    select = parse_select(case.sql)
    sources = [select.source, *(j.source for j in select.joins)]
    if case.recording is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RecordingWarning)  # the outcome says it
            result = ws.replay(
                case.sql,
                case.recording,
                rule_id=case.name,
                options=case.options,
                start_ms=case.start_ms,
                drain_ms=case.drain_ms,
                actions=case.actions or [{"log": {}}],
                record=emissions.append,
            )
        if result.warnings:  # a damaged recording fails the case, saying where
            raise RuleTestError(f"{case.path}: " + "; ".join(result.warnings))
        return
    mocked = [s for s in sources if s in case.mock]
    if mocked and len(mocked) != len(sources):
        missing = sorted(set(sources) - set(mocked))
        raise RuleTestError(
            f"{case.path}: streams {missing} have no mockSource data while others do; mock "
            "every stream, or none to run their plugin sources live"
        )
    if not mocked:
        _, run = ws.run_live(
            case.sql,
            rule_id=case.name,
            options=case.options,
            actions=case.actions,
            record=emissions.append,
            limit=case.limit,
            timeout_ms=case.timeout_ms,
        )
        if run.timed_out and case.limit is not None:
            raise RuleTestError(
                f"{case.path}: timed out after {case.timeout_ms} ms with {run.emissions} of "
                f"{case.limit} emissions ({run.messages} messages in); raise timeoutMs or "
                "lower limit"
            )
        return
    ws.run(
        case.sql,
        {s: _messages(case, s) for s in sources},
        rule_id=case.name,
        options=case.options,
        start_ms=case.start_ms,
        drain_ms=case.drain_ms,
        actions=case.actions or [{"log": {}}],
        record=emissions.append,
        auto_stream=False,
    )


def _outcome(case: RuleTestCase, emissions: list[Any]) -> CaseOutcome:
    """What a case that ran gives: its emissions compared with ``expected``."""
    if case.limit is not None:
        emissions = emissions[: case.limit]
    if case.expected is None:
        return CaseOutcome(str(case.path), case.name, emissions, None, None)
    got, want = normalize(emissions), normalize(case.expected)
    passed = got == want
    diff = "" if passed else _diff(want, got)
    return CaseOutcome(str(case.path), case.name, emissions, None, passed, diff)


def _diff(want: list[Any], got: list[Any]) -> str:
    a = [dumps(e) for e in want]
    b = [dumps(e) for e in got]
    return "\n".join(difflib.unified_diff(a, b, "expected", "actual", lineterm=""))
