"""The MQTT verbs against a real broker: simulate --broker, record, replay."""

from __future__ import annotations

import threading
from pathlib import Path

from typer.testing import CliRunner

from kuiper_dev import read_recording
from kuiper_dev.cli import app
from kuiper_dev.connectors.mqtt import EmbeddedBroker, MosquittoBroker

runner = CliRunner()


def test_a_simulation_published_live_is_recorded_and_replays_byte_exact(
    any_broker: EmbeddedBroker | MosquittoBroker, tmp_path: Path
) -> None:
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    outcome: dict[str, object] = {}

    def record(into: Path, key: str) -> threading.Thread:
        args = ["record", "--broker", any_broker.url, "--topic", "sensors/#", "-o", str(into),
                "--count", "45", "--duration", "20", "--qos", "1"]  # fmt: skip
        t = threading.Thread(target=lambda: outcome.__setitem__(key, runner.invoke(app, args)))
        t.start()
        return t

    recorder = record(first, "first")
    _wait_for_header(first)
    sim = runner.invoke(
        app, ["simulate", "fleet", "--count", "45", "--broker", any_broker.url, "--speed", "0"]
    )
    assert sim.exit_code == 0, sim.output
    recorder.join(30)
    assert getattr(outcome["first"], "exit_code", None) == 0
    recorded = list(read_recording(first))
    assert len(recorded) == 45

    recorder = record(second, "second")
    _wait_for_header(second)
    replayed = runner.invoke(app, ["replay", str(first), "--broker", any_broker.url, "--speed", "0"])
    assert replayed.exit_code == 0, replayed.output
    recorder.join(30)
    again = list(read_recording(second))
    assert [(m.topic, m.payload) for m in again] == [(m.topic, m.payload) for m in recorded]


def test_record_names_an_unreachable_broker() -> None:
    out = runner.invoke(
        app, ["record", "--broker", "tcp://127.0.0.1:9", "--topic", "#", "-o", "/dev/null",
              "--duration", "1"],
    )  # fmt: skip
    assert out.exit_code == 1
    assert "127.0.0.1:9" in out.output


def _wait_for_header(path: Path) -> None:
    import time

    deadline = time.monotonic() + 10
    while not (path.exists() and path.stat().st_size > 0):
        assert time.monotonic() < deadline, "the recorder did not start"
        time.sleep(0.02)
    time.sleep(1.0)  # the header is written before subscribing; let the subscription land
