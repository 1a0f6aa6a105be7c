"""SinkRunner: what collect receives, acks, failures, bounded stop, hot swap."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from kuiper_dev.plugins import PluginRegistry, SinkRunner, encode_emission

RECORDER = """
import threading
SEEN = []  # (version, data) of every collect, across instances

class Recorder:
    version = {version!r}
    def __init__(self):
        self.closed = threading.Event()
    def configure(self, conf):
        self.conf = conf
    def open(self, ctx):
        self.ctx = ctx
    def collect(self, ctx, data):
        SEEN.append((self.version, data))
        {ack}
    def close(self, ctx):
        self.closed.set()

Recorder = {export}
"""


class Events:
    def __init__(self) -> None:
        self.errors: list[str] = []
        self.acks: list[str | None] = []
        self.failed = threading.Event()

    def on_error(self, text: str) -> None:
        self.errors.append(text)
        self.failed.set()

    def on_ack(self, error: str | None) -> None:
        self.acks.append(error)


def make(
    reg: PluginRegistry, conf: dict[str, Any], ev: Events, name: str = "recorder", **kw: Any
) -> SinkRunner:
    slot = reg.sink(name)
    assert slot is not None
    kw.setdefault("close_timeout", 1.0)
    return SinkRunner(slot, conf, on_error=ev.on_error, on_ack=ev.on_ack, **kw)


def seen(reg: PluginRegistry, name: str = "recorder") -> list[tuple[str, bytes]]:
    slot = reg.sink(name)
    assert slot is not None
    module = __import__("sys").modules[type(slot.instantiate()).__module__]
    return list(module.SEEN)


ROWS = [{"b": 2.0, "a": "x<y"}, {"a": "z", "b": 1.5}]


@pytest.mark.parametrize(
    ("send_single", "expected"),
    [
        (False, [b'[{"a":"x\\u003cy","b":2},{"a":"z","b":1.5}]']),
        (True, [b'{"a":"x\\u003cy","b":2}', b'{"a":"z","b":1.5}']),
    ],
)
def test_collect_gets_the_json_bytes_eKuiper_sends(
    send_single: bool, expected: list[bytes]
) -> None:
    reg = PluginRegistry()
    reg.define_sink("Recorder", RECORDER.format(version="1", ack="", export="Recorder"))
    ev = Events()
    run = make(reg, {"sendSingle": send_single, "path": "p"}, ev)
    run.start()
    run.collect(ROWS)
    assert run.drain(2) and run.stop()
    assert [d for _, d in seen(reg)] == expected == encode_emission(ROWS, send_single)
    assert run.collected == len(expected) and ev.errors == [] and run.status == "stopped"


def test_require_ack_surfaces_acks_errors_and_timeouts() -> None:
    ack = (
        "if data == b'[{\"k\":1}]': ctx.ack_ok()\n"
        "        elif data == b'[{\"k\":2}]': ctx.ack_error('disk full')"
    )
    reg = PluginRegistry()
    reg.define_sink("Recorder", RECORDER.format(version="1", ack=ack, export="Recorder"))
    ev = Events()
    run = make(reg, {"requireAck": True}, ev, ack_timeout=0.05)
    run.start()
    for k in (1, 2, 3):
        run.collect([{"k": k}])
    assert run.drain(2) and run.stop()
    assert ev.acks == [None, "disk full"] and run.acked == 2
    assert ev.errors[0] == "sink recorder: ack error: disk full"
    assert "no ack came within 0.05s" in ev.errors[1]


def test_acks_without_require_ack_are_ignored() -> None:
    reg = PluginRegistry()
    reg.define_sink("Recorder", RECORDER.format(version="1", ack="ctx.ack_ok()", export="Recorder"))
    ev = Events()
    run = make(reg, {}, ev)
    run.start()
    run.collect([{"k": 1}])
    assert run.drain(2) and run.stop()
    assert ev.acks == [] and ev.errors == []


def test_collect_exception_is_reported_with_traceback_and_the_next_goes_on() -> None:
    ack = "if b'boom' in data: raise ValueError('bad row')"
    reg = PluginRegistry()
    reg.define_sink(
        "Recorder", RECORDER.format(version="1", ack=ack, export="Recorder"), filename="<cell r>"
    )
    ev = Events()
    run = make(reg, {}, ev)
    run.start()
    run.collect([{"v": "boom"}])
    run.collect([{"v": "fine"}])
    assert run.drain(2) and run.stop()
    assert 'File "<cell r>", line 15, in collect' in ev.errors[0]
    assert "ValueError: bad row" in ev.errors[0] and run.collected == 1
    assert [d for _, d in seen(reg)][-1] == b'[{"v":"fine"}]'


def test_open_failure_is_dead_and_drops_with_a_reason_until_restart() -> None:
    code = (
        "import os\nclass Flaky:\n    def configure(self, conf): pass\n"
        "    def open(self, ctx):\n        if not os.environ.get('KD_SINK_OK'):\n"
        "            raise ConnectionError('db down')\n"
        "    def collect(self, ctx, data): pass\n    def close(self, ctx): pass\n"
    )
    reg = PluginRegistry()
    reg.define_sink("Flaky", code, filename="<cell f>")
    ev = Events()
    run = make(reg, {}, ev, name="flaky")
    run.start()
    assert ev.failed.wait(2)
    assert run.status == "dead" and "ConnectionError: db down" in (run.last_error or "")
    run.collect([{"a": 1}])
    assert "emission dropped, the sink is dead" in ev.errors[-1]
    reg.define_sink("Flaky", code.replace("not os.environ", "False and os.environ"))
    for _ in range(200):
        if run.status == "running" and run.generation == 1:
            break
        threading.Event().wait(0.01)
    assert run.status == "running"  # reload revived it
    run.restart()
    assert run.status == "running" and run.stop()


def test_a_stuck_collect_cannot_hang_stop_or_drain() -> None:
    code = (
        "import threading\nclass Slow:\n    def configure(self, conf): pass\n"
        "    def open(self, ctx): pass\n"
        "    def collect(self, ctx, data): threading.Event().wait(30)\n"
        "    def close(self, ctx): pass\n"
    )
    reg = PluginRegistry()
    reg.define_sink("Slow", code)
    ev = Events()
    run = make(reg, {}, ev, name="slow", close_timeout=0.05)
    run.start()
    run.collect([{"a": 1}])
    assert run.drain(0.05) is False
    assert run.stop() is False and "still busy" in ev.errors[0]


def test_hot_swap_between_collects_closes_the_old_instance() -> None:
    gate = "import time; time.sleep(0.05) if data == b'[{\"n\":1}]' else None"
    reg = PluginRegistry()
    reg.define_sink("Recorder", RECORDER.format(version="1", ack=gate, export="Recorder"))
    ev = Events()
    run = make(reg, {}, ev)
    run.start()
    run.collect([{"n": 1}])
    for _ in range(200):  # wait until collect #1 is in progress on the old instance
        if seen(reg):
            break
        threading.Event().wait(0.005)
    old = run._current
    reg.define_sink("Recorder", RECORDER.format(version="2", ack="", export="Recorder"))
    run.collect([{"n": 2}])
    assert run.drain(2)
    new_seen = seen(reg)  # the new module's own list
    assert new_seen == [("2", b'[{"n":2}]')] and run.generation == 1
    assert old is not None and old.obj.closed.is_set()
    assert run.stop() and ev.errors == []


def test_emission_errors_carry_the_time_the_emission_was_handed_over_with() -> None:
    ack = "if b'boom' in data: raise ValueError('bad row')"
    reg = PluginRegistry()
    reg.define_sink("Recorder", RECORDER.format(version="1", ack=ack, export="Recorder"))
    ev = Events()
    at: list[tuple[int, str]] = []
    run = make(reg, {}, ev, on_emission_error=lambda ts, text: at.append((ts, text)))
    run.start()
    run.collect([{"v": "fine"}], 1_000)
    run.collect([{"v": "boom"}], 2_000)
    assert run.drain(2) and run.stop()
    assert [ts for ts, _ in at] == [2_000] and "ValueError: bad row" in at[0][1]
    run.collect([{"v": "late"}], 3_000)  # dropped: stopped
    assert at[-1][0] == 3_000 and "the sink is stopped" in at[-1][1]
    assert ev.errors == []  # no error outside an emission
