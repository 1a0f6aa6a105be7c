"""kuiper-dev deploy against a small local HTTP stub speaking eKuiper's upload and plugin
API: the zip goes up as an upload, then the plugin is created (or updated when it exists)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kuiper_dev.cli import app
from tests.fixtures import ROOT

runner = CliRunner()


class _Stub(BaseHTTPRequestHandler):
    calls: list[tuple[str, str, bytes]] = []
    existing: set[str] = set()

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length", 0)))

    def _answer(self, status: int, text: str) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(text)))
        self.end_headers()
        self.wfile.write(text.encode())

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        body = self._body()
        self.calls.append(("POST", self.path, body))
        if self.path == "/config/uploads":
            self._answer(201, "/ekuiper/data/uploads/kit.zip")
        elif self.path == "/plugins/portables":
            name = json.loads(body)["name"]
            if name in self.existing:
                self._answer(400, f"portable plugin {name} already exists")
            else:
                self.existing.add(name)
                self._answer(201, f"portable plugin {name} is created")

    def do_PUT(self) -> None:  # noqa: N802
        self.calls.append(("PUT", self.path, self._body()))
        self._answer(200, "portable plugin kit is updated")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def stub() -> Iterator[str]:
    _Stub.calls, _Stub.existing = [], set()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Stub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    thread.join(5)


def test_deploy_uploads_then_creates_then_updates(stub: str, tmp_path: Path) -> None:
    exported = runner.invoke(app, ["export", "heatIndex", "--version", "1.0.0", "--portable",
                                   "--name", "kit", "-o", str(tmp_path),
                                   "--plugins", str(ROOT / "plugins")])  # fmt: skip
    assert exported.exit_code == 0, exported.output
    zip_path = tmp_path / "kit.zip"
    first = runner.invoke(app, ["deploy", str(zip_path), "--server", stub])
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["updated"] is False
    (method, path, body), create = _Stub.calls[0], _Stub.calls[1]
    assert (method, path) == ("POST", "/config/uploads") and zip_path.read_bytes() in body
    assert json.loads(create[2]) == {"name": "kit", "file": "file:///ekuiper/data/uploads/kit.zip"}
    again = runner.invoke(app, ["deploy", str(zip_path), "--server", stub])
    assert again.exit_code == 0 and json.loads(again.stdout)["updated"] is True
    assert _Stub.calls[-1][:2] == ("PUT", "/plugins/portables/kit")


def test_deploy_names_an_unreachable_server(tmp_path: Path) -> None:
    runner.invoke(app, ["export", "heatIndex", "--version", "1.0.0", "--portable", "-o",
                        str(tmp_path), "--plugins", str(ROOT / "plugins")])  # fmt: skip
    out = runner.invoke(app, ["deploy", str(tmp_path / "heatIndex.zip"), "--server",
                              "http://127.0.0.1:9"])  # fmt: skip
    assert out.exit_code == 1 and "http://127.0.0.1:9" in out.output
