"""kuiper-dev deploy against the kit's own server: upload, create, describe with status,
run it in a rule, update, drop (eKuiper's /config/uploads and /plugins/portables)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from kuiper_dev import Workspace
from kuiper_dev.cli import app
from kuiper_dev.server import ServerThread, create_app, open_workspace

runner = CliRunner()
SCALED = (
    "class _S:\n"
    "    def validate(self, args): return ''\n"
    "    def is_aggregate(self): return False\n"
    "    def exec(self, args, ctx): return args[0] * {k}\n"
    "Scaled = _S()\n"
)


def package(out: Path, k: int, version: str) -> Path:
    ws = Workspace(plugins_dir=None)
    ws.define_function("Scaled", SCALED.format(k=k))
    ws.export("scaled", version, out, portable=True, force=True)
    return out / "scaled.zip"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Workspace]]:
    ws, problems = open_workspace(tmp_path / "plugins", tmp_path / "data", live=False)
    assert problems == []
    thread = ServerThread(create_app(ws))
    url = thread.start()
    yield url, ws
    thread.stop()
    ws.close()


def test_deploy_installs_runs_updates_and_drops_a_portable(
    server: tuple[str, Workspace], tmp_path: Path
) -> None:
    url, ws = server
    first = runner.invoke(
        app, ["deploy", str(package(tmp_path / "v1", 2, "1.0.0")), "--server", url]
    )
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["answer"] == "portable plugin scaled is created"
    with httpx.Client(base_url=url, timeout=10) as client:
        assert client.get("/plugins/portables").json() == ["scaled"]
        assert "scaled" in client.get("/plugins/udfs").json()
    assert ws.run("SELECT scaled(v) AS x FROM s", [{"v": 3}]).rows == [{"x": 6.0}]  # its process
    again = runner.invoke(
        app, ["deploy", str(package(tmp_path / "v2", 10, "2.0.0")), "--server", url]
    )
    assert again.exit_code == 0 and json.loads(again.stdout)["updated"] is True
    with httpx.Client(base_url=url, timeout=10) as client:
        described = client.get("/plugins/portables/scaled").json()
        assert described["version"] == "2.0.0"
        assert (
            client.delete("/plugins/portables/scaled").text == "portable plugin scaled is deleted"
        )
        assert client.get("/plugins/portables").json() == []
        missing = client.get("/plugins/portables/scaled")
        assert missing.status_code == 404 and "scaled" in missing.json()["message"]


def test_a_zip_that_escapes_its_folder_is_refused_and_nothing_is_written(
    server: tuple[str, Workspace], tmp_path: Path
) -> None:
    import zipfile

    url, ws = server
    bad = tmp_path / "plugins" / "uploads" / "evil.zip"
    bad.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("evil.json", '{"language": "python", "executable": "evil.py"}')
        zf.writestr("../escape.py", "print('out')")
    with httpx.Client(base_url=url, timeout=10) as client:
        answer = client.post("/plugins/portables", json={"name": "evil", "file": f"file://{bad}"})
    assert answer.status_code == 400 and answer.json()["error"] == 1000
    assert not (tmp_path / "plugins" / "portables" / "evil").exists()
    assert not (tmp_path / "plugins" / "escape.py").exists()
