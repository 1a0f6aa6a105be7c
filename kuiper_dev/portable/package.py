"""Portable plugin packages: open a folder or zip safely, zip a folder, check a package.

eKuiper installs ``NAME.zip`` by reading ``NAME.json`` at the zip's root, checking it,
and unpacking everything; it then requires the executable and ``sources/{s}.yaml``
for every source. :func:`open_portable` applies the same rules before anything is
run, and refuses entries that would land outside the folder (``..``, absolute
paths, links). :func:`check_portable` goes further: the metadata of every symbol,
the symbols the main program really registers, and one start of each symbol
through :class:`~kuiper_dev.portable.PortableHost`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import Any

import yaml

from ..errors import PortableError
from .host import PortableHost
from .manifest import PortableManifest, validate_name

__all__ = [
    "PortableFolder",
    "check_portable",
    "open_portable",
    "registered_symbols",
    "write_portable",
]

MAX_UNPACKED = 512 * 1024 * 1024  # bytes; a zip that inflates past this is refused
_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass
class PortableFolder:
    """A checked portable plugin folder; a zip's temporary copy goes away on :meth:`close`."""

    path: Path
    manifest: PortableManifest
    _temp: Path | None = field(default=None, repr=False)

    def close(self) -> None:
        """Remove the temporary folder a zip was unpacked into (a no-op for folders)."""
        if self._temp is not None:
            shutil.rmtree(self._temp, ignore_errors=True)
            self._temp = None

    def __enter__(self) -> PortableFolder:
        return self

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def open_portable(
    path: Path | str, target: Path | str | None = None, *, name: str | None = None
) -> PortableFolder:
    """The portable plugin at ``path`` (its folder or ``NAME.zip``), checked.

    A zip is unpacked into ``target/NAME`` (refused if that exists) or, without a
    target, into a temporary folder removed by :meth:`PortableFolder.close`.
    ``name`` defaults to the folder's name or the zip's stem.
    """
    path = Path(path)
    if path.is_dir():
        folder = path
        manifest = PortableManifest.read(folder, name or path.name)
        _check_files(folder, manifest)
        return PortableFolder(folder, manifest)
    if not path.is_file():
        raise PortableError(
            f"{path}: no such folder or zip; give a portable plugin's folder or NAME.zip"
        )
    name = validate_name(name or path.stem)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise PortableError(f"{path}: not a readable zip ({exc}); build it again") from exc
    with zf:
        infos = _safe_entries(zf, path)
        try:
            text = zf.read(f"{name}.json")
        except KeyError:
            raise PortableError(
                f"{path}: missing or invalid json file {name}.json, found {len(infos)} files in "
                f"total; put {name}.json at the zip's root"
            ) from None
        manifest = PortableManifest.parse(text, name, f"{path}!{name}.json")
        names = {PurePosixPath(i.filename).as_posix() for i in infos if not i.is_dir()}
        for required in _required(manifest):
            if required not in names:
                raise PortableError(f"{path}: missing {required}; add it to the zip")
        temp = None
        if target is None:
            temp = Path(tempfile.mkdtemp(prefix=f"kuiper_portable_{name}_"))
            parent = temp
        else:
            parent = Path(target)
            if (parent / name).exists():
                raise PortableError(
                    f"{parent / name} already exists; remove it or unpack {path.name} elsewhere"
                )
            parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=parent, prefix=f".{name}."))
        try:
            for info in infos:
                dest = staging.joinpath(*PurePosixPath(info.filename).parts)
                if info.is_dir():
                    dest.mkdir(parents=True, exist_ok=True)
                    continue
                dest.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src, open(dest, "wb") as out:
                    shutil.copyfileobj(src, out)
            os.replace(staging, parent / name)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            if temp is not None:
                shutil.rmtree(temp, ignore_errors=True)
            raise
    return PortableFolder(parent / name, manifest, temp)


def _safe_entries(zf: zipfile.ZipFile, where: Path) -> list[zipfile.ZipInfo]:
    """Every entry, each checked to stay inside the folder; the total size bounded."""
    infos = zf.infolist()
    total = 0
    for info in infos:
        name = info.filename
        parts = PurePosixPath(name.replace("\\", "/")).parts
        if name.startswith(("/", "\\")) or _DRIVE.match(name):
            raise PortableError(
                f"{where}: entry {name!r} is an absolute path; a portable zip holds paths "
                "relative to the plugin folder; build the zip from inside the folder"
            )
        if ".." in parts or "\\" in name:
            raise PortableError(
                f"{where}: entry {name!r} would be written outside the plugin folder; "
                "remove it and build the zip from inside the folder"
            )
        if stat.S_ISLNK(info.external_attr >> 16):
            raise PortableError(
                f"{where}: entry {name!r} is a symbolic link; put the file itself in the zip"
            )
        total += info.file_size
    if total > MAX_UNPACKED:
        raise PortableError(
            f"{where}: unpacks to {total} bytes, more than {MAX_UNPACKED}; "
            "leave data and dependencies out (list them in requirements.txt)"
        )
    return infos


def _required(manifest: PortableManifest) -> list[str]:
    return [manifest.executable, *(f"sources/{s}.yaml" for s in manifest.sources)]


def _check_files(folder: Path, manifest: PortableManifest) -> None:
    for required in _required(manifest):
        if not (folder / required).is_file():
            raise PortableError(
                f"{folder}: missing {required}; "
                + (
                    'fix "executable" in the manifest or add the file'
                    if required == manifest.executable
                    else "add the source's yaml (at least 'default: {}')"
                )
            )


def write_portable(path: Path | str, out_dir: Path | str, *, force: bool = False) -> Path:
    """Zip the checked portable folder ``path`` as ``out_dir/NAME.zip`` (atomic).

    An existing zip is refused unless ``force``.
    """
    folder = open_portable(path)
    zip_path = Path(out_dir) / f"{folder.manifest.name}.zip"
    if zip_path.exists() and not force:
        raise PortableError(f"{zip_path} already exists; pass force=True to replace it")
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=zip_path.parent, prefix=f".{zip_path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh, zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as zf:
            for file in sorted(p for p in folder.path.rglob("*") if p.is_file()):
                rel = file.relative_to(folder.path)
                if "__pycache__" in rel.parts:
                    continue
                zf.write(file, rel.as_posix())
        os.replace(tmp, zip_path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return zip_path


_INSPECT = """
import json, runpy, sys
import ekuiper.runtime.plugin as _p
def _start(c):
    print("\\n@@kuiper_dev@@" + json.dumps({"name": c.name, "source": sorted(c.sources),
          "sink": sorted(c.sinks), "function": sorted(c.functions)}), flush=True)
    sys.exit(0)
_p.start = _start
sys.path.insert(0, sys.argv[1])
sys.argv = [sys.argv[2]]
runpy.run_path(sys.argv[0], run_name="__main__")
print("\\n@@kuiper_dev@@null", flush=True)
"""


def registered_symbols(
    folder: PortableFolder, *, python: str = sys.executable, timeout: float = 20.0
) -> dict[str, Any]:
    """What the main program passes to ``plugin.start``: name and symbols by kind.

    The program runs in a child process whose ``plugin.start`` only reports.
    """
    exe = (folder.path / folder.manifest.executable).resolve()
    try:
        done = subprocess.run(
            [python, "-c", _INSPECT, str(folder.path.resolve()), str(exe)],
            cwd=folder.path,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        raise PortableError(
            f"{exe}: did not reach plugin.start within {timeout:g}s; keep work out of module level"
        ) from None
    marker = [ln for ln in done.stdout.splitlines() if ln.startswith("@@kuiper_dev@@")]
    found = json.loads(marker[-1][len("@@kuiper_dev@@") :]) if marker else None
    if not isinstance(found, dict):
        last = "\n".join((done.stdout + done.stderr).strip().splitlines()[-10:])
        raise PortableError(
            f"{exe}: the program never calls ekuiper.plugin.start(PluginConfig(...)); "
            f"its last output:\n{last}\nserve the symbols with plugin.start in __main__"
        )
    return found


def check_portable(
    path: Path | str,
    *,
    python: str = sys.executable,
    props: dict[str, dict[str, Any]] | None = None,
    timeout: float = 10.0,
) -> dict[str, Any]:
    """Check a portable package against eKuiper's rules, then start each symbol once.

    ``props`` gives a symbol's conf by name (a source defaults to its yaml's
    ``default``). Returns ``{"name", "version", "symbols"}``; every problem found is
    raised together in one :class:`PortableError`.
    """
    with open_portable(path) as folder:
        m = folder.manifest
        problems = [
            f"missing metadata {rel}; add eKuiper's metadata json for it"
            for kind, sym in m.symbols()
            if not (folder.path / (rel := f"{_FOLDER[kind]}/{sym}.json")).is_file()
        ]
        found = registered_symbols(folder, python=python)
        if found["name"] != m.name:
            problems.append(
                f"the program serves plugin {found['name']!r} but the manifest names {m.name!r}; "
                "the PluginConfig name must be the plugin name"
            )
        for kind, listed in (("source", m.sources), ("sink", m.sinks), ("function", m.functions)):
            if sorted(listed) != found[kind]:
                problems.append(
                    f"{kind}s listed in {m.name}.json {sorted(listed)} differ from those the program "
                    f"registers {found[kind]}; make them the same"
                )
        if problems:
            raise PortableError(f"portable plugin {m.name}:\n  " + "\n  ".join(problems))
        props = props or {}
        with PortableHost(folder.path, python=python, handshake_timeout=timeout) as host:
            for kind, sym in m.symbols():
                try:
                    _probe(host, folder.path, kind, sym, props.get(sym))
                except PortableError as exc:
                    problems.append(f"{kind} {sym}: {exc}")
        if problems:
            raise PortableError(f"portable plugin {m.name}:\n  " + "\n  ".join(problems))
        return {"name": m.name, "version": m.version, "symbols": m.symbols()}


_FOLDER = {"source": "sources", "sink": "sinks", "function": "functions"}


def _probe(host: Any, folder: Path, kind: str, sym: str, conf: dict[str, Any] | None) -> None:
    if kind == "function":
        host.function(sym).is_aggregate()
    elif kind == "source":
        if conf is None:
            data = yaml.safe_load((folder / f"sources/{sym}.yaml").read_text()) or {}
            conf = dict(data.get("default") or {}) if isinstance(data, dict) else {}
        src = host.source(sym, "", conf, rule_id="check")
        src.start(lambda m: None, lambda e: None)
        src.close()
    else:
        host.sink(sym, conf or {}, rule_id="check").close()
