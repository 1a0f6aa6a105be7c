"""The MQTT verbs against a real broker: simulate --broker, record, replay."""

from __future__ import annotations

import subprocess
import sys
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

    def record(into: Path) -> subprocess.Popen[str]:
        # a process of its own, as a user runs it (CliRunner swaps sys.stdout: one at a time)
        args = ["record", "--broker", any_broker.url, "--topic", "sensors/#", "-o", str(into),
                "--count", "45", "--duration", "20", "--qos", "1"]  # fmt: skip
        return subprocess.Popen(
            [sys.executable, "-c", "from kuiper_dev.cli import main; main()", *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip

    recorder = record(first)
    _wait_for_header(first)
    sim = runner.invoke(
        app, ["simulate", "fleet", "--count", "45", "--broker", any_broker.url, "--speed", "0"]
    )
    assert sim.exit_code == 0, sim.output
    assert recorder.wait(30) == 0, recorder.stderr.read() if recorder.stderr else ""
    recorded = list(read_recording(first))
    assert len(recorded) == 45

    recorder = record(second)
    _wait_for_header(second)
    replayed = runner.invoke(app, ["replay", str(first), "--broker", any_broker.url, "--speed", "0"])
    assert replayed.exit_code == 0, replayed.output
    assert recorder.wait(30) == 0
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
    time.sleep(2.0)  # the header is written before subscribing; let the subscription land
