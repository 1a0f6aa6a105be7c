"""``kuiper-dev serve`` as a user runs it: a process on loopback, a token, a restart."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.fixtures import ROOT

STREAM = 'CREATE STREAM demo (a BIGINT) WITH (DATASOURCE="demo", TYPE="simulator")'


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def _serving(
    cwd: Path, port: int, *extra: str
) -> Iterator[tuple[httpx.Client, subprocess.Popen[str]]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-c", "from kuiper_dev.cli import main; main()", "serve",
           "--port", str(port), *extra]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stderr=subprocess.PIPE, text=True)
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5.0,
                          headers={"Authorization": "Bearer tok"})  # fmt: skip
    try:
        end = time.monotonic() + 30
        while True:
            try:
                if client.get("/ping").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None and time.monotonic() < end, "serve did not come up"
            time.sleep(0.1)
        yield client, proc
    finally:
        client.close()
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)


def test_serve_binds_loopback_needs_the_token_and_resumes_after_restart(tmp_path: Path) -> None:
    (tmp_path / "plugins").mkdir()
    port = _free_port()
    with _serving(tmp_path, port, "--token", "tok") as (c, proc):
        assert httpx.get(f"http://127.0.0.1:{port}/streams", timeout=5).status_code == 401
        assert c.post("/streams", json={"sql": STREAM}).status_code == 201
        assert c.post("/rules", json={"id": "r1", "sql": "SELECT a FROM demo"}).status_code == 201
        proc.send_signal(signal.SIGINT)
        assert proc.wait(15) == 0
        assert proc.stderr is not None and "http://127.0.0.1:" in proc.stderr.read()
    assert (tmp_path / ".kuiper-dev" / "state.json").is_file()
    with _serving(tmp_path, port, "--token", "tok") as (c, _proc):
        assert c.get("/streams").json() == ["demo"]
        assert [(r["id"], r["status"]) for r in c.get("/rules").json()] == [("r1", "running")]
        end = time.monotonic() + 10
        while c.get("/rules/r1/status").json()["source_demo_0_records_in_total"] < 1:
            assert time.monotonic() < end, "the resumed rule took no message"
            time.sleep(0.1)
