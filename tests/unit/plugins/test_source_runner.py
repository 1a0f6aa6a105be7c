"""SourceRunner: threads, the JSON boundary, failures, bounded stop, hot swap."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from kuiper_dev.plugins import PluginRegistry, SourceRunner

TICKER = """
import threading

class Ticker:
    def __init__(self):
        self.stop = threading.Event()
    def configure(self, datasource, conf):
        # as from eKuiper: the first argument empty, the DATASOURCE in the conf
        self.topic = conf["datasource"]
        self.conf = {{k: v for k, v in conf.items() if k != "datasource"}}
    def open(self, ctx):
        n = 0
        while not self.stop.is_set():
            n += 1
            ctx.emit({{"n": n, "topic": self.topic, "v": {version!r}, **self.conf}}, {{"seq": n}})
            self.stop.wait(0.002)
    def close(self, ctx):
        self.stop.set()

Ticker = {export}
"""


class Sink:
    """Collects what a runner hands over and lets a test wait for it."""

    def __init__(self, want: int = 1) -> None:
        self.rows: list[tuple[dict[str, Any], dict[str, Any]]] = []
        self.errors: list[str] = []
        self.want = want
        self.got = threading.Event()
        self.failed = threading.Event()

    def on_message(self, row: dict[str, Any], meta: dict[str, Any]) -> None:
        self.rows.append((row, meta))
        if len(self.rows) >= self.want:
            self.got.set()

    def on_error(self, text: str) -> None:
        self.errors.append(text)
        self.failed.set()


def runner(reg: PluginRegistry, sink: Sink, name: str = "ticker", **kw: Any) -> SourceRunner:
    slot = reg.source(name)
    assert slot is not None
    kw.setdefault("close_timeout", 1.0)
    return SourceRunner(
        slot, "topic/a", {"k": 1}, on_message=sink.on_message, on_error=sink.on_error, **kw
    )


def test_messages_arrive_as_go_reads_them_and_stop_is_clean() -> None:
    reg = PluginRegistry()
    reg.define_source("Ticker", TICKER.format(version=1, export="Ticker"))
    sink = Sink(want=3)
    run = runner(reg, sink)
    run.start()
    assert sink.got.wait(2)
    assert run.stop() is True and run.status == "stopped"
    row, meta = sink.rows[0]
    assert row == {"n": 1.0, "topic": "topic/a", "v": 1.0, "k": 1.0} and meta == {"seq": 1.0}
    count = len(sink.rows)
    assert run.delivered == count and sink.errors == []


def test_class_export_gives_each_runner_its_own_instance_and_instance_is_shared() -> None:
    reg = PluginRegistry()
    reg.define_source("Ticker", TICKER.format(version=1, export="Ticker"))
    reg.define_source(
        "Shared", TICKER.format(version=1, export="Ticker()").replace("Ticker =", "Shared =")
    )
    a, b = runner(reg, Sink()), runner(reg, Sink())
    a.start(), b.start()
    try:
        assert a._run is not None and b._run is not None
        assert a._run.instance is not b._run.instance
    finally:
        a.stop(), b.stop()
    slot = reg.source("shared")
    assert slot is not None and slot.shared and slot.instantiate() is slot.instantiate()


@pytest.mark.parametrize(
    ("emitted", "fragment", "kills"),
    [
        ("[{'a': 1}]", "the message is a list", False),
        ("{'a': float('nan')}", "NaN", False),
        ("{'a': object()}", "not JSON serializable", True),
    ],
)
def test_json_boundary_reports_and_fails_as_the_sdk_would(
    emitted: str, fragment: str, kills: bool
) -> None:
    code = (
        "class Odd:\n    def configure(self, d, c): pass\n"
        f"    def open(self, ctx):\n        ctx.emit({emitted}, None)\n"
        "        ctx.emit({'ok': (1, 2), 3: None}, None)\n"
        "    def close(self, ctx): pass\n"
    )
    reg = PluginRegistry()
    reg.define_source("Odd", code, filename="<cell odd>")
    sink = Sink()
    run = runner(reg, sink, "odd")
    run.start()
    assert sink.failed.wait(2)
    run.stop()
    assert fragment in sink.errors[0] and "source odd" in sink.errors[0]
    if kills:  # the SDK's json.dumps raises inside open(): the source dies
        assert run.status in ("dead", "stopped") and 'File "<cell odd>", line 4' in sink.errors[1]
        assert sink.rows == []
    else:  # eKuiper drops the message and goes on
        assert sink.rows == [({"ok": [1.0, 2.0], "3": None}, {})]


def test_configure_error_makes_it_dead_with_the_plugin_traceback_then_restart() -> None:
    code = (
        "import os\nclass Bad:\n    def configure(self, d, c):\n"
        "        if not os.environ.get('KD_TEST_OK'):\n            raise ValueError('no port')\n"
        "    def open(self, ctx):\n        ctx.emit({'ok': True}, None)\n"
        "    def close(self, ctx): pass\n"
    )
    reg = PluginRegistry()
    reg.define_source("Bad", code, filename="<cell bad>")
    sink = Sink()
    run = runner(reg, sink, "bad")
    run.start()
    assert sink.failed.wait(2)
    assert run.status == "dead" and run.last_error is not None
    assert 'File "<cell bad>", line 5, in configure' in run.last_error
    assert "ValueError: no port" in run.last_error and "restart()" in run.last_error
    reg.define_source("Bad", code.replace("raise ValueError('no port')", "pass"))
    assert sink.got.wait(2)  # a reload revives a dead source
    assert sink.rows == [({"ok": True}, {})] and run.status == "ended"
    run.restart()
    assert run.stop()


def test_a_stuck_plugin_cannot_hang_stop() -> None:
    code = (
        "import threading\nclass Stuck:\n    def configure(self, d, c): pass\n"
        "    def open(self, ctx):\n        threading.Event().wait(30)\n"
        "    def close(self, ctx): pass\n"
    )
    reg = PluginRegistry()
    reg.define_source("Stuck", code)
    sink = Sink()
    run = runner(reg, sink, "stuck", close_timeout=0.05)
    run.start()
    assert run.stop() is False
    assert run.status == "stopped" and "open() still running" in sink.errors[0]


def test_emit_error_and_stop_from_inside_on_message() -> None:
    code = (
        "class Once:\n    def configure(self, d, c): pass\n"
        "    def open(self, ctx):\n        ctx.emit_error('sensor offline')\n"
        "        ctx.emit({'a': 1}, None)\n        ctx.emit({'a': 2}, None)\n"
        "    def close(self, ctx): pass\n"
    )
    reg = PluginRegistry()
    reg.define_source("Once", code)
    sink = Sink()
    run: SourceRunner

    def first_only(row: dict[str, Any], meta: dict[str, Any]) -> None:
        sink.on_message(row, meta)
        run.stop()  # e.g. a rule test that wants one message: must not deadlock

    slot = reg.source("once")
    assert slot is not None
    run = SourceRunner(slot, "", {}, on_message=first_only, on_error=sink.on_error)
    run.start()
    assert sink.got.wait(2)
    assert run._run is not None and run._run.thread is not None
    run._run.thread.join(2)
    assert sink.errors == ["source once: sensor offline"] and run.dropped == 1
    assert [r for r, _ in sink.rows] == [{"a": 1.0}] and run.status == "stopped"


def test_hot_swap_switches_between_messages_and_closes_the_old() -> None:
    reg = PluginRegistry()
    reg.define_source("Ticker", TICKER.format(version=1, export="Ticker"))
    sink = Sink(want=2)
    run = runner(reg, sink)
    run.start()
    assert sink.got.wait(2)
    old = run._run
    sink.got.clear()
    reg.define_source("Ticker", TICKER.format(version=2, export="Ticker"))
    deadline = threading.Event()
    for _ in range(200):
        if run.generation == 1 and any(r["v"] == 2.0 for r, _ in sink.rows):
            break
        deadline.wait(0.01)
    assert run.stop()
    versions = [r["v"] for r, _ in sink.rows]
    first_new = versions.index(2.0)
    assert set(versions[:first_new]) == {1.0} and set(versions[first_new:]) == {2.0}
    assert old is not None and old.instance.stop.is_set()  # the old instance was closed
    assert sink.errors == []


def test_broken_reload_keeps_the_old_code_running() -> None:
    reg = PluginRegistry()
    reg.define_source("Ticker", TICKER.format(version=1, export="Ticker"))
    sink = Sink()
    run = runner(reg, sink)
    run.start()
    assert sink.got.wait(2)
    reg.define_source("Ticker", "def Ticker():\n    raise OSError('bus busy')\n", filename="<c>")
    assert sink.failed.wait(2)
    assert "OSError: bus busy" in sink.errors[0] and "previous code keeps running" in sink.errors[0]
    assert run.status == "running" and run.generation == 0
    assert run.stop()


def test_editing_the_file_swaps_a_running_source(tmp_path: Any) -> None:
    folder = tmp_path / "sources"
    folder.mkdir()
    path = folder / "Ticker.py"
    path.write_text(TICKER.format(version=1, export="Ticker"))
    reg = PluginRegistry()
    reg.load_dir(tmp_path)
    sink = Sink()
    run = runner(reg, sink)
    run.start()
    assert sink.got.wait(2)
    path.write_text(TICKER.format(version=2, export="Ticker") + "\n# edited\n")
    assert reg.reload_changed() == [("source", "ticker")]
    for _ in range(200):
        if any(r["v"] == 2.0 for r, _ in sink.rows):
            break
        threading.Event().wait(0.01)
    assert run.stop() and run.generation == 1 and sink.errors == []


def test_an_engine_callback_error_does_not_kill_the_source() -> None:
    reg = PluginRegistry()
    reg.define_source("Ticker", TICKER.format(version=1, export="Ticker"))
    sink = Sink(want=2)
    calls: list[int] = []

    def flaky(row: dict[str, Any], meta: dict[str, Any]) -> None:
        calls.append(1)
        if len(calls) == 1:
            raise KeyError("engine bug")
        sink.on_message(row, meta)

    slot = reg.source("ticker")
    assert slot is not None
    run = SourceRunner(slot, "t", {}, on_message=flaky, on_error=sink.on_error)
    run.start()
    assert sink.got.wait(2) and run.stop()
    assert "the engine failed on a message" in sink.errors[0] and "KeyError" in sink.errors[0]



def test_configure_gets_the_datasource_in_its_conf_and_an_empty_first_argument() -> None:
    # eKuiper's portable runtime sends "dataSource"; the Python SDK reads "datasource"
    reg = PluginRegistry()
    reg.define_source(
        "Probe",
        "class Probe:\n"
        "    def configure(self, datasource, conf): self.seen = (datasource, conf['datasource'])\n"
        "    def open(self, ctx): ctx.emit({'first': self.seen[0], 'conf': self.seen[1]}, {})\n"
        "    def close(self, ctx): pass\n",
    )
    sink = Sink(want=1)
    run = runner(reg, sink, name="probe")
    run.start()
    assert sink.got.wait(2)
    run.stop()
    assert sink.rows[0][0] == {"first": "", "conf": "topic/a"}
