"""The portable host against the real ``ekuiper`` SDK in a child process, over pynng.

Every test runs the exported fixture plugins (tests/fixtures_portable) as one
portable plugin. Names carry this process's id, because eKuiper's ipc files live
in /tmp under fixed names (``func_{symbol}.ipc``) and two test runs may overlap.
After each test no ipc file of ours and no plugin process may remain.
"""

from __future__ import annotations

import glob
import json
import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kuiper_dev._types import Message
from kuiper_dev.errors import PortableError
from kuiper_dev.plugins import PluginRegistry, export_portable
from kuiper_dev.portable import PortableHost, check_portable

FIXTURES = Path(__file__).parents[1] / "fixtures_portable" / "plugins"
TAG = str(os.getpid())
NAME = f"kit{TAG}"
RULE = f"rule{TAG}"
REVERT, TOTAL, TWICE = f"revert{TAG}", f"total{TAG}", f"twice{TAG}"


def _plugins(root: Path, revert_body: str = "str(args[0])[::-1]") -> PluginRegistry:
    """The fixture plugins with this run's function names (file and symbol renamed)."""
    for sub in ("sources", "sinks", "functions"):
        (root / sub).mkdir(parents=True)
        for f in (FIXTURES / sub).iterdir():
            text = f.read_text()
            name = f.name
            if f.name == "Revert.py":
                name = f"Revert{TAG}.py"
                text = text.replace("Revert = ", f"Revert{TAG} = ")
                text = text.replace("str(args[0])[::-1]", revert_body)
            elif f.name == "Tally.py":
                text = text.replace("class Total(", f"class Total{TAG}(")
                text = text.replace("class Twice(", f"class Twice{TAG}(")
            elif f.name == "tally.json":
                text = text.replace('"total"', f'"{TOTAL}"').replace('"twice"', f'"{TWICE}"')
            (root / sub / name).write_text(text)
    reg = PluginRegistry()
    reg.load_dir(root)
    assert reg.problems == []
    return reg


def _export(root: Path, version: str = "1.0.0", **kw: str) -> Path:
    reg = _plugins(root / "src", **kw)
    plugins = [
        reg.get("source", "counter"),
        reg.get("sink", "collect"),
        reg.get("function", REVERT),
        reg.get("function", "tally"),
    ]
    export_portable([p for p in plugins if p is not None], NAME, version, root / "dist")
    return root / "dist" / "portables" / NAME


def _ours() -> list[str]:
    return sorted(glob.glob(f"/tmp/*{TAG}*.ipc"))


def _children() -> set[int]:
    pids: set[int] = set()
    for f in glob.glob(f"/proc/{os.getpid()}/task/*/children"):
        try:
            pids.update(int(p) for p in Path(f).read_text().split())
        except OSError:  # that thread ended meanwhile
            continue
    return pids


def _wait(cond: Callable[[], bool], seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.05)
    return cond()


@pytest.fixture(autouse=True)
def _leaves_nothing() -> Iterator[None]:
    assert _ours() == [], "ipc files of an earlier run are in the way"
    before = _children()
    yield
    assert _ours() == []
    assert _wait(lambda: _children() <= before, 5), "a plugin process was left running"


@pytest.fixture()
def kit(tmp_path: Path) -> Path:
    return _export(tmp_path)


@pytest.fixture()
def host(kit: Path) -> Iterator[PortableHost]:
    with PortableHost(kit, handshake_timeout=20, call_timeout=10) as h:
        yield h


def test_functions_through_the_sdk(host: PortableHost) -> None:
    assert host.status()["status"] == "running" and host.status()["pid"] > 0
    revert = host.function(REVERT)
    assert host.function(REVERT) is revert  # one handle per symbol, as eKuiper keeps it
    assert revert.validate(["a"]) == ""
    assert revert.validate([]) == "revert takes exactly one argument"
    assert revert.exec(["hello"]) == "olleh"
    assert revert.is_aggregate() is False
    with pytest.raises(PortableError, match="revert cannot take boom"):
        revert.exec(["boom"])
    assert revert.exec([12]) == "21"  # still serving after an error
    assert host.function(TOTAL).is_aggregate() is True
    assert host.function(TOTAL).exec([[1, 2, 3.5]]) == 6.5
    assert host.function(TWICE).exec(["ab"]) == "abab"
    with pytest.raises(PortableError, match="has no function 'nosuch'"):
        host.function("nosuch")


def test_source_delivers_rows_and_counts_references(host: PortableHost) -> None:
    got: list[Message] = []
    errors: list[str] = []
    src = host.source("counter", "topicA", {"count": 4}, rule_id=RULE)
    src.start(got.append, errors.append)
    assert _wait(lambda: len(got) >= 4)
    assert [json.loads(m.payload)["n"] for m in got] == [0, 1, 2, 3]
    assert [m.meta for m in got] == [{"seq": i} for i in range(4)]
    assert {m.topic for m in got} == {"topicA"}
    # eKuiper sends "dataSource"; the Python SDK reads "datasource": the plugin sees ""
    assert {json.loads(m.payload)["ds"] for m in got} == {""}
    assert host.status()["refCount"] == {RULE: 1}
    src.stop()
    assert host.status()["refCount"] == {}
    assert errors == []


def test_sink_with_and_without_ack(host: PortableHost, tmp_path: Path) -> None:
    acked = tmp_path / "acked.txt"
    sink = host.sink("collect", {"path": str(acked), "requireAck": True}, rule_id=RULE)
    sink.collect([{"a": 1}])
    assert acked.read_text() == '[{"a":1}]\n'  # with an ack, written before collect returns
    with pytest.raises(PortableError, match='refused the data: refused: {"x":"refuse"}'):
        sink.collect({"x": "refuse"})
    sink.close()
    plain = tmp_path / "plain.txt"
    sink = host.sink("collect", {"path": str(plain)}, rule_id=RULE)
    sink.collect(b"raw bytes")
    assert _wait(lambda: plain.is_file() and plain.read_text() == "raw bytes\n")
    sink.close()
    assert host.status()["refCount"] == {}


def test_a_crash_is_reported_and_the_plugin_restarted(host: PortableHost) -> None:
    revert = host.function(REVERT)
    assert revert.exec(["ab"]) == "ba"
    first = host.status()["pid"]
    assert first > 0  # os.kill(0, ...) would hit this process group
    os.kill(first, signal.SIGKILL)
    restarted = lambda: host.status()["status"] == "running" and host.status()["pid"] != first  # noqa: E731
    assert _wait(restarted, 20), host.status()
    assert len(host.crashes) == 1
    assert f"(pid {first}) exited with code -9" in host.crashes[0]
    assert "last output:" in host.crashes[0] and "running function" in host.crashes[0]
    assert revert.exec(["xy"]) == "yx"  # the symbol's start was replayed


def test_update_switches_to_the_new_version(host: PortableHost, tmp_path: Path) -> None:
    revert = host.function(REVERT)
    assert revert.exec(["ab"]) == "ba"
    old = host.status()["pid"]
    v2 = _export(tmp_path / "v2", "2.0.0", revert_body="str(args[0]).upper()")
    host.update(v2)
    assert host.manifest.version == "2.0.0"
    assert host.status()["pid"] not in (0, old)
    assert revert.exec(["ab"]) == "AB"
    assert host.crashes == []  # replacing the process on purpose is no crash


def test_idle_plugin_handshakes_are_answered_by_resending(host: PortableHost) -> None:
    revert = host.function(REVERT)
    assert revert.exec(["ab"]) == "ba"
    time.sleep(5.5)  # the SDK re-sends "handshake" after 5 s without a request
    assert revert.exec(["cd"]) == "dc"
    src = host.source("counter", "t", {"count": 1}, rule_id=RULE)  # control channel too
    src.start(lambda m: None, lambda e: None)
    src.stop()


def _fake(tmp_path: Path, program: str) -> Path:
    folder = tmp_path / NAME
    folder.mkdir()
    manifest = {
        "version": "1",
        "language": "python",
        "executable": "main.py",
        "functions": [REVERT],
    }
    (folder / f"{NAME}.json").write_text(json.dumps(manifest))
    (folder / "main.py").write_text(program)
    return folder


def test_a_plugin_that_never_handshakes_times_out(tmp_path: Path) -> None:
    folder = _fake(tmp_path, "import time\nprint('sleeping instead')\ntime.sleep(60)\n")
    host = PortableHost(folder, handshake_timeout=1)
    with pytest.raises(PortableError, match=r"no handshake within 1s(.|\n)*sleeping instead"):
        host.start()
    assert host.status()["status"] == "error" and host.status()["pid"] == 0


def test_a_plugin_that_dies_at_once_shows_its_output(tmp_path: Path) -> None:
    folder = _fake(tmp_path, "import no_such_module_here\n")
    with pytest.raises(
        PortableError, match=r"not running(.|\n)*No module named 'no_such_module_here'"
    ):
        PortableHost(folder, handshake_timeout=20).start()


def test_missing_executable_refused_before_running(tmp_path: Path) -> None:
    folder = _fake(tmp_path, "")
    (folder / "main.py").unlink()
    with pytest.raises(PortableError, match="executable 'main.py' is missing"):
        PortableHost(folder)


def test_check_accepts_the_export_and_runs_each_symbol(kit: Path, tmp_path: Path) -> None:
    report = check_portable(
        kit.parent.parent / f"{NAME}.zip", props={"collect": {"path": str(tmp_path / "o")}}
    )
    assert report["symbols"] == [
        ("source", "counter"),
        ("sink", "collect"),
        ("function", REVERT),
        ("function", TOTAL),
        ("function", TWICE),
    ]


def test_check_reports_a_sink_that_cannot_start(kit: Path) -> None:
    with pytest.raises(PortableError, match=r"sink collect:(.|\n)*KeyError: 'path'"):
        check_portable(kit)


def test_check_refuses_lists_that_differ_from_the_program(kit: Path) -> None:
    manifest = json.loads((kit / f"{NAME}.json").read_text())
    manifest["functions"].append("ghost")
    (kit / f"{NAME}.json").write_text(json.dumps(manifest))
    (kit / f"functions/{REVERT}.json").unlink()
    with pytest.raises(PortableError) as err:
        check_portable(kit)
    text = str(err.value)
    assert "missing metadata functions/ghost.json" in text
    assert f"missing metadata functions/{REVERT}.json" in text
    assert "functions listed in" in text and "differ from those the program registers" in text


def test_check_refuses_a_program_serving_another_name(kit: Path) -> None:
    main = kit / f"{NAME}.py"
    main.write_text(main.read_text().replace(f"'{NAME}',", "'other',"))
    with pytest.raises(PortableError, match="serves plugin 'other'"):
        check_portable(kit)


def test_handles_refuse_work_after_the_host_stopped(kit: Path) -> None:
    with PortableHost(kit, handshake_timeout=20, call_timeout=5) as host:
        revert = host.function(REVERT)
        assert revert.exec(["ab"]) == "ba"
        pid = host.status()["pid"]
    assert host.status() == {"refCount": {}, "status": "stop", "errMsg": "", "pid": 0}
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    with pytest.raises(PortableError, match="channel is closed"):
        revert.exec(["ab"])
    with pytest.raises(PortableError, match="not started"):
        host.function(REVERT)


def test_sources_and_sinks_carry_on_after_a_restart(host: PortableHost, tmp_path: Path) -> None:
    got: list[Message] = []
    src = host.source("counter", "t", {"count": 2}, rule_id=RULE)
    src.start(got.append, lambda e: None)
    out = tmp_path / "out.txt"
    sink = host.sink("collect", {"path": str(out), "requireAck": True}, rule_id=RULE)
    sink.collect({"before": 1})
    assert _wait(lambda: len(got) == 2)
    first = host.status()["pid"]
    assert first > 0
    os.kill(first, signal.SIGKILL)

    def restarted() -> bool:
        st = host.status()
        return st["status"] == "running" and st["pid"] not in (0, first)

    assert _wait(restarted, 20), host.status()
    assert _wait(lambda: len(got) == 4)  # the replayed start opened the source again
    sink.collect({"after": 2})  # the data channel reconnected to the new process
    assert out.read_text() == '{"before":1}\n{"after":2}\n'
    assert host.status()["refCount"] == {RULE: 2}


def test_a_second_host_of_the_same_plugin_is_refused(host: PortableHost, kit: Path) -> None:
    other = PortableHost(kit, handshake_timeout=5)
    with pytest.raises(PortableError, match="is another host running it"):
        other.start()
    other.stop()
    assert Path(f"/tmp/plugin_{NAME}.ipc").exists()  # the first host's channel is untouched
    assert host.function(REVERT).exec(["ab"]) == "ba"
