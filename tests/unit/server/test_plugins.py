"""Plugin install, describe, update and drop over REST; zips checked before anything lands."""

from __future__ import annotations

import http.server
import io
import threading
import zipfile
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

from tests.fixtures import ECHO_PLUGIN

from .conftest import SIM_STREAM, Serve


def _zip(path: Path, entries: dict[str, str]) -> Path:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, text in entries.items():
            z.writestr(name, text)
    path.write_bytes(buf.getvalue())
    return path


@pytest.fixture
def http_dir(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A folder served over http on a free loopback port."""
    folder = tmp_path / "www"
    folder.mkdir()
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield folder, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    thread.join(5)
    httpd.server_close()


def test_install_from_the_plugins_folder_use_and_drop(serve: Serve, plugin_dir: Path) -> None:
    c = serve()
    z = _zip(plugin_dir / "echo.zip", {"Echo@v1.0.0.py": ECHO_PLUGIN.format(symbol="Echo")})
    r = c.post("/plugins/functions", json={"name": "echo", "file": z.as_uri()})
    assert (r.status_code, r.text) == (201, "function plugin echo is created")
    assert (plugin_dir / "functions" / "Echo@v1.0.0.py").is_file()
    assert c.get("/plugins/functions").json() == ["echo"]
    assert c.get("/plugins/functions/echo").json() == {"name": "echo", "version": "1.0.0"}
    assert c.get("/plugins/udfs").json() == ["echo"]
    assert c.get("/plugins/udfs/echo").json() == {"name": "echo", "plugin": "echo"}
    c.post("/streams", json={"sql": SIM_STREAM})
    body = {"id": "t", "sql": "SELECT echo(a) AS e FROM demo",
            "mockSource": {"demo": {"data": [{"a": 7}]}}}  # fmt: skip
    assert c.post("/ruletest", json=body).status_code == 200
    again = c.post("/plugins/functions", json={"name": "echo", "file": z.as_uri()})
    assert again.status_code == 400 and "already exists" in again.json()["message"]
    z2 = _zip(plugin_dir / "echo2.zip", {"Echo@v1.1.0.py": ECHO_PLUGIN.format(symbol="Echo")})
    up = c.put("/plugins/functions/echo", json={"name": "echo", "file": z2.as_uri()})
    assert up.text == "function plugin echo is updated"
    assert c.get("/plugins/functions/echo").json()["version"] == "1.1.0"
    assert not (plugin_dir / "functions" / "Echo@v1.0.0.py").exists()
    assert c.delete("/plugins/functions/echo").text == "function plugin echo is deleted"
    assert c.get("/plugins/functions").json() == []
    assert list((plugin_dir / "functions").iterdir()) == []


def test_install_over_http(serve: Serve, plugin_dir: Path, http_dir: tuple[Path, str]) -> None:
    folder, url = http_dir
    _zip(folder / "echo.zip", {"Echo.py": ECHO_PLUGIN.format(symbol="Echo")})
    c = serve()
    r = c.post("/plugins/functions", json={"name": "echo", "file": f"{url}/echo.zip"})
    assert r.status_code == 201, r.text
    missing = c.post("/plugins/sinks", json={"name": "x", "file": f"{url}/nope.zip"})
    assert missing.status_code == 400 and "404" in missing.json()["message"]


@pytest.mark.parametrize(
    "entries, why",
    [
        ({"../../evil.py": "x", "Echo.py": "x"}, "outside"),
        ({"/tmp/Echo.py": "x"}, "outside"),
        ({"sub/Echo.py": "x"}, "outside"),
        ({"Echo.py": "x", "notes.txt": "x"}, "unexpected zip entry"),
        ({"Other.py": "x"}, "unexpected zip entry"),
        ({"echo.json": "{}"}, "0 code files"),
    ],
)
def test_bad_zips_are_refused_and_nothing_is_written(
    serve: Serve, plugin_dir: Path, tmp_path: Path, entries: dict[str, str], why: str
) -> None:
    c = serve()
    z = _zip(plugin_dir / "bad.zip", entries)
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    r = c.post("/plugins/functions", json={"name": "echo", "file": z.as_uri()})
    assert r.status_code == 400 and why in r.json()["message"]
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


def test_file_urls_outside_the_plugins_folder_are_refused(serve: Serve, tmp_path: Path) -> None:
    c = serve()
    z = _zip(tmp_path / "echo.zip", {"Echo.py": ECHO_PLUGIN.format(symbol="Echo")})
    r = c.post("/plugins/functions", json={"name": "echo", "file": z.as_uri()})
    assert r.status_code == 400 and "only zips under the plugins folder" in r.json()["message"]
    assert (
        c.post("/plugins/functions", json={"name": "echo", "file": "ftp://h/e.zip"}).status_code
        == 400
    )


def test_a_plugin_that_does_not_load_is_removed_again(serve: Serve, plugin_dir: Path) -> None:
    c = serve()
    z = _zip(plugin_dir / "broken.zip", {"Echo.py": "raise RuntimeError('boom')\n"})
    r = c.post("/plugins/functions", json={"name": "echo", "file": z.as_uri()})
    assert r.status_code == 400 and "not installed" in r.json()["message"]
    assert list((plugin_dir / "functions").iterdir()) == []


def test_plugin_types_and_portables(serve: Serve) -> None:
    c = serve()
    r = c.get("/plugins/source")
    assert r.status_code == 400 and 'Did you mean "sources"' in r.json()["message"]
    assert c.get("/plugins/portables").json() == []
    p = c.post("/plugins/portables", json={"name": "p", "file": "http://127.0.0.1:1/p.zip"})
    assert p.status_code == 400 and "cannot download it" in p.json()["message"]
    assert c.get("/plugins/portables/p").status_code == 404


def test_a_link_in_the_zip_is_refused(serve: Serve, plugin_dir: Path) -> None:
    import stat

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        link = zipfile.ZipInfo("Echo.py")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        z.writestr(link, "/etc/passwd")
    (plugin_dir / "link.zip").write_bytes(buf.getvalue())
    c = serve()
    r = c.post(
        "/plugins/functions", json={"name": "echo", "file": (plugin_dir / "link.zip").as_uri()}
    )
    assert r.status_code == 400 and "outside" in r.json()["message"]
    assert list((plugin_dir / "functions").iterdir()) == []


def test_plugin_names_follow_ekuipers_rule(serve: Serve, plugin_dir: Path) -> None:
    z = _zip(plugin_dir / "echo.zip", {"Echo.py": ECHO_PLUGIN.format(symbol="Echo")})
    c = serve()
    for name, why in (("../echo", "naming rule"), ("Echo", "use echo"), ("", "naming rule")):
        r = c.post("/plugins/functions", json={"name": name, "file": z.as_uri()})
        assert r.status_code == 400 and why in r.json()["message"], r.json()
    assert list((plugin_dir / "functions").iterdir()) == []
