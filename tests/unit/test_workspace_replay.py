"""Workspace.replay and simulate: recordings and scenarios through a rule."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kuiper_dev import Message, RecordingWarning, RecordingWriter, ScenarioError, Workspace
from kuiper_dev.testing.ruletest import load_case, run_case

SQL = "SELECT deviceId, count(*) AS n FROM fleet GROUP BY deviceId, TUMBLINGWINDOW(ss, 10)"
DDL = 'CREATE STREAM fleet () WITH (DATASOURCE="sensors/#", FORMAT="json")'


def write(path: Path, messages: list[Message]) -> Path:
    with RecordingWriter(path, topics=["#"], start_ms=0) as w:
        for m in messages:
            w.write(m)
    return path


@pytest.fixture
def ws() -> Workspace:
    ws = Workspace(plugins_dir=None)
    ws.create_stream(DDL)
    return ws


def test_a_replay_gives_what_the_same_messages_give_fed_directly(
    ws: Workspace, tmp_path: Path
) -> None:
    sim = list(ws.simulate("fleet", count=60))
    path = write(tmp_path / "r.jsonl", sim)
    replayed = ws.replay(SQL, path, drain_ms=10_000)
    fed = ws.run(SQL, sim, drain_ms=10_000)
    assert replayed.emissions == fed.emissions
    assert sum(r["n"] for r in replayed.rows) == 60


def test_each_stream_gets_the_topics_its_datasource_matches(ws: Workspace, tmp_path: Path) -> None:
    ws.create_stream('CREATE STREAM other () WITH (DATASOURCE="other/+", FORMAT="json")')
    path = write(
        tmp_path / "r.jsonl",
        [Message("sensors/a", b'{"v": 1}', 1000), Message("other/x", b'{"v": 2}', 1100),
         Message("sensors/b", b'{"v": 3}', 1200), Message("elsewhere", b'{"v": 4}', 1300)],
    )  # fmt: skip
    assert ws.replay("SELECT v FROM fleet", path).rows == [{"v": 1.0}, {"v": 3.0}]
    assert ws.replay("SELECT v FROM other", path).rows == [{"v": 2.0}]


def test_a_damaged_recording_replays_up_to_the_damage_and_says_so(
    ws: Workspace, tmp_path: Path
) -> None:
    path = write(tmp_path / "r.jsonl", [Message("sensors/a", b'{"v": 1}', 1000)])
    with open(path, "ab") as f:
        f.write(b'{"ts": 1100, "topic": "sens')
    with pytest.warns(RecordingWarning, match="damaged at line 3"):
        result = ws.replay("SELECT v FROM fleet", path)
    assert result.rows == [{"v": 1.0}]
    assert "replayed the 1 messages before it" in result.warnings[0]


def test_a_paced_replay_gives_the_same_result(ws: Workspace, tmp_path: Path) -> None:
    msgs = [Message("sensors/a", b'{"v": %d}' % i, 1000 + i) for i in range(5)]
    path = write(tmp_path / "r.jsonl", msgs)
    assert ws.replay("SELECT v FROM fleet", path, speed=1000.0).rows == [
        {"v": float(i)} for i in range(5)
    ]


def test_simulate_switches_faults_on_and_names_unknown_ones(ws: Workspace) -> None:
    clean = [m.payload for m in ws.simulate("fleet", count=40)]
    doubled = [m.payload for m in ws.simulate("fleet", count=40, faults=["duplicate"])]
    assert len(doubled) > len(clean) and set(doubled) == set(clean)
    with pytest.raises(ScenarioError, match='Did you mean "dropout"'):
        ws.simulate("fleet", faults=["dropuot"])


def test_a_rule_test_case_runs_over_a_recording(tmp_path: Path) -> None:
    write(tmp_path / "r.jsonl", [Message("sensors/a", b'{"v": 1}', 1000)])
    case = {"streams": [DDL], "sql": "SELECT v FROM fleet", "recording": "r.jsonl",
            "expected": [[{"v": 1}]]}  # fmt: skip
    (tmp_path / "c.ruletest.json").write_text(json.dumps(case))
    assert run_case(load_case(tmp_path / "c.ruletest.json")).passed is True


def test_a_rule_test_case_over_a_damaged_recording_fails_saying_where(tmp_path: Path) -> None:
    path = write(tmp_path / "r.jsonl", [Message("sensors/a", b'{"v": 1}', 1000)])
    with open(path, "ab") as f:
        f.write(b"{")
    case = {"streams": [DDL], "sql": "SELECT v FROM fleet", "recording": "r.jsonl",
            "expected": [[{"v": 1}]]}  # fmt: skip
    (tmp_path / "c.ruletest.json").write_text(json.dumps(case))
    outcome = run_case(load_case(tmp_path / "c.ruletest.json"))
    assert outcome.passed is False and outcome.error and "damaged at line 3" in outcome.error


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"recording": "missing.jsonl"}, "does not exist; record one"),
        ({"recording": "r.jsonl", "mockSource": {"fleet": {"data": []}}}, "not both"),
    ],
)
def test_rule_test_recording_mistakes_are_named(
    tmp_path: Path, extra: dict[str, object], message: str
) -> None:
    write(tmp_path / "r.jsonl", [])
    case = {"streams": [DDL], "sql": "SELECT v FROM fleet", **extra}
    (tmp_path / "c.ruletest.json").write_text(json.dumps(case))
    with pytest.raises(Exception, match=message):
        load_case(tmp_path / "c.ruletest.json")
