"""Fetching and checking a plugin zip before anything is written (eKuiper's ``file`` URL).

eKuiper installs a plugin from a zip named by a ``file://`` or ``http(s)://`` URL.
Here a ``file://`` path must lie under the plugins folder (never an arbitrary
path on the server), and every zip entry must be a bare file name that belongs to
the plugin: no folders, no ``..``, no absolute paths, no links.
"""

from __future__ import annotations

import io
import re
import stat
import zipfile
from pathlib import Path
from urllib.parse import unquote, urlparse

import httpx

from ..errors import PluginError
from ..plugins import lc_first, uc_first

__all__ = ["MAX_ZIP_BYTES", "fetch_zip", "plugin_files"]

MAX_ZIP_BYTES = 50 * 1024 * 1024
"""The largest zip (and the largest unpacked total) a plugin may bring."""


def fetch_zip(url: str, plugins_dir: Path | None, *, timeout: float = 30.0) -> bytes:
    """The zip's bytes from a ``file://`` URL under ``plugins_dir`` or an http(s) URL.

    >>> try:
    ...     fetch_zip("ftp://example.com/a.zip", Path("plugins"))
    ... except PluginError as exc:
    ...     print(str(exc).split(";")[0])
    plugin file ftp://example.com/a.zip: unsupported URL scheme 'ftp'
    """
    parsed = urlparse(url)
    if parsed.scheme == "file":
        if plugins_dir is None:
            raise PluginError(f"plugin file {url}: this server has no plugins folder to read from")
        path = Path(unquote(parsed.netloc + parsed.path)).resolve()
        root = plugins_dir.resolve()
        if not path.is_relative_to(root):
            raise PluginError(
                f"plugin file {url}: only zips under the plugins folder {root} may be installed "
                "from file://; copy the zip there or serve it over http"
            )
        if not path.is_file():
            raise PluginError(f"plugin file {url}: no such file; check the path")
        if path.stat().st_size > MAX_ZIP_BYTES:
            raise PluginError(f"plugin file {url}: larger than {MAX_ZIP_BYTES} bytes")
        return path.read_bytes()
    if parsed.scheme in ("http", "https"):
        try:
            with httpx.stream("GET", url, timeout=timeout, follow_redirects=True) as response:
                if response.status_code != 200:
                    raise PluginError(
                        f"plugin file {url}: the server answered {response.status_code}; "
                        "check the URL"
                    )
                data = bytearray()
                for chunk in response.iter_bytes():
                    data += chunk
                    if len(data) > MAX_ZIP_BYTES:
                        raise PluginError(f"plugin file {url}: larger than {MAX_ZIP_BYTES} bytes")
                return bytes(data)
        except httpx.HTTPError as exc:
            raise PluginError(f"plugin file {url}: cannot download it ({exc})") from exc
    raise PluginError(
        f"plugin file {url}: unsupported URL scheme {parsed.scheme!r}; give a file:// path "
        "under the plugins folder or an http(s):// URL"
    )


def plugin_files(kind: str, name: str, data: bytes) -> dict[str, bytes]:
    """The checked entries of a plugin zip, by bare file name.

    Allowed: ``Name.py`` or ``Name@vVERSION.py`` (exactly one), and ``name.yaml``
    (source confKeys) or ``name.json`` (metadata).
    """
    if not re.fullmatch(r"[a-z][A-Za-z0-9_]*", name):  # also keeps names out of paths
        fix = f"use {lc_first(name)}" if name[:1].isupper() else "e.g. myPlugin"
        raise PluginError(
            f"{kind} plugin name {name!r} breaks eKuiper's naming rule: letters and digits, "
            f"starting with a lower-case letter; {fix}"
        )
    symbol = uc_first(name)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise PluginError(f"{kind} plugin {name}: the file is not a zip ({exc})") from exc
    out: dict[str, bytes] = {}
    total = 0
    with archive:
        for info in archive.infolist():
            entry = info.filename
            if info.is_dir():
                continue
            mode = info.external_attr >> 16
            if (
                entry.startswith(("/", "\\"))
                or "\\" in entry
                or "/" in entry
                or ".." in entry.split("/")
                or ":" in entry
                or stat.S_ISLNK(mode)
            ):
                raise PluginError(
                    f"{kind} plugin {name}: zip entry {entry!r} would land outside the plugin's "
                    "folder; a plugin zip holds bare file names only"
                )
            code = entry == f"{symbol}.py" or (
                entry.startswith(f"{symbol}@v") and entry.endswith(".py")
            )
            if not code and entry not in (f"{name}.yaml", f"{name}.json"):
                raise PluginError(
                    f"{kind} plugin {name}: unexpected zip entry {entry!r}; a plugin zip holds "
                    f"{symbol}.py or {symbol}@vVERSION.py, and optionally {name}.yaml or {name}.json"
                )
            total += info.file_size
            if total > MAX_ZIP_BYTES:
                raise PluginError(
                    f"{kind} plugin {name}: unpacks to more than {MAX_ZIP_BYTES} bytes"
                )
            out[entry] = archive.read(info)
    codes = [e for e in out if e.endswith(".py")]
    if len(codes) != 1:
        raise PluginError(
            f"{kind} plugin {name}: the zip holds {len(codes)} code files; put exactly one, "
            f"{symbol}.py or {symbol}@vVERSION.py"
        )
    return out
