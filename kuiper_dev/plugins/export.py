"""Export plugins into the layouts eKuiper installs: versioned native files and portable packages.

Native: ``DIR/{sources,sinks,functions}/Name@vV.py`` beside its metadata (a source's
``name.yaml``, a function plugin's ``functions/name.json``), which
:class:`~kuiper_dev.plugins.PluginRegistry` and eKuiper's layout read back.

Portable: ``DIR/NAME.zip`` and the same files as a folder ``DIR/portables/NAME/``:
the manifest ``NAME.json``, a main program ``NAME.py`` that serves every symbol
through ``ekuiper.plugin.start``, each plugin's module, ``sources|sinks|functions``
metadata, the source yaml eKuiper's installer requires, and ``requirements.txt``.

Every file is written to a temporary name and renamed into place once all of them
are ready, so a failure leaves nothing half-written.
"""

from __future__ import annotations

import ast
import io
import json
import linecache
import os
import re
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any

import yaml

from .._types import PluginKind
from ..errors import PluginError, PluginNameError, PortableError, did_you_mean
from .naming import parse_plugin_file, uc_first
from .registry import PluginRegistry
from .slots import LoadedPlugin

__all__ = ["export_native", "export_portable", "portable_files", "validate_name", "write_files"]

FOLDERS: dict[PluginKind, str] = {"source": "sources", "sink": "sinks", "function": "functions"}
_ID = re.compile(r"[A-Za-z0-9_\-]+\Z")


def validate_name(name: str, what: str = "portable plugin") -> str:
    """``name`` if it passes eKuiper's id rule (letters, digits, ``_`` and ``-``), else refuse.

    The name becomes a folder and the ipc file ``/tmp/plugin_{name}.ipc``, so
    nothing that could leave a folder gets through.

    >>> validate_name("pysam")
    'pysam'
    >>> validate_name("../x")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kuiper_dev.errors.PortableError: portable plugin '../x' breaks eKuiper's naming rule: ...
    """
    if not name:
        raise PortableError(
            f"{what} name is empty, which eKuiper refuses; give it a name such as 'mykit'"
        )
    if name != name.strip():
        raise PortableError(
            f"{what} {name!r} has leading or trailing whitespace, which eKuiper refuses; "
            f"use {name.strip()!r}"
        )
    if not _ID.match(name):
        fixed = re.sub(r"[^A-Za-z0-9_\-]", "_", name)
        raise PortableError(
            f"{what} {name!r} breaks eKuiper's naming rule: only letters, digits, '_' and '-' "
            f"are allowed; rename it (e.g. {fixed!r})"
        )
    return name


# -- plugins as files ------------------------------------------------------------------
def _plugin_of(
    source: PluginRegistry | LoadedPlugin, name: str, kind: PluginKind | None
) -> LoadedPlugin:
    if isinstance(source, LoadedPlugin):
        if source.name != name or (kind and source.kind != kind):
            raise PluginError(
                f"export: the plugin given is {source.kind} {source.name!r}, not {name!r}; "
                "pass the plugin you mean or the registry"
            )
        return source
    kinds: list[PluginKind] = [kind] if kind else ["source", "sink", "function"]
    found = [p for k in kinds if (p := source.get(k, name)) is not None]
    if not found:
        known = sorted({n for k in kinds for n in source.names(k)})
        raise PluginError(
            f"export: no plugin {name!r} is loaded.{did_you_mean(name, known)} Load it from "
            "plugins/ or define it first"
        )
    if len(found) > 1:
        raise PluginError(
            f"export: {name!r} names a {' and a '.join(p.kind for p in found)} plugin; "
            "say which with kind="
        )
    return found[0]


def _module_text(plugin: LoadedPlugin) -> str:
    """The plugin's source text: its file, or the notebook cell kept in ``linecache``."""
    path = Path(plugin.where)
    if path.is_file():
        return path.read_text()
    cached = linecache.cache.get(plugin.where)
    if cached and len(cached) == 4:
        return "".join(cached[2])
    raise PluginError(
        f"export {plugin.kind} {plugin.name}: its source text is gone ({plugin.where}); "
        "define the plugin again or load it from a file"
    )


def _metadata(plugin: LoadedPlugin, registry: PluginRegistry | None = None) -> dict[str, bytes]:
    """The plugin's native metadata files, relative to its kind's folder.

    A source defined in a cell has no yaml file; its confKeys come from ``registry``.
    """
    folder = Path(plugin.where).parent if Path(plugin.where).is_file() else None
    files: dict[str, bytes] = {}
    if plugin.kind == "source":
        conf = folder / f"{plugin.name}.yaml" if folder else None
        if conf is not None and conf.is_file():
            files[f"{plugin.name}.yaml"] = conf.read_bytes()
        elif registry is not None and (keys := registry.source_conf_keys(plugin.name)):
            # a confKey's values merged over default load back to the same conf
            sections = {k: registry.resolve_source_conf(plugin.name, k) for k in keys}
            files[f"{plugin.name}.yaml"] = yaml.safe_dump(sections, sort_keys=False).encode()
    elif plugin.kind == "function":
        meta_path = folder / f"{plugin.name}.json" if folder else None
        meta = _read_json(meta_path) if meta_path is not None and meta_path.is_file() else {}
        files[f"{plugin.name}.json"] = _json(_function_meta(meta, plugin.functions))
    return files


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise PluginError(f"{path}: not valid JSON ({exc}); fix or remove the file") from exc
    return data if isinstance(data, dict) else {}


def _function_meta(meta: dict[str, Any], functions: Sequence[str]) -> dict[str, Any]:
    """eKuiper's function metadata listing exactly ``functions``; known entries kept."""
    known = {f.get("name"): f for f in meta.get("functions") or [] if isinstance(f, dict)}
    out = dict(meta)
    out.setdefault("about", {"trial": False, "description": {"en_US": ""}})
    out["functions"] = [known.get(fn, {"name": fn, "example": f"{fn}()"}) for fn in functions]
    return out


def _json(data: Any) -> bytes:
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode()


# -- atomic writing ---------------------------------------------------------------------
def write_files(root: Path, files: dict[str, bytes], *, force: bool = False) -> list[Path]:
    """Write ``files`` (relative path → bytes) under ``root``, all or none.

    Each goes to a temporary file beside its target first; only when every one is
    ready are they renamed into place. An existing target is refused unless ``force``.

    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> [p.name for p in write_files(d, {"a/b.txt": b"hi"})]
    ['b.txt']
    """
    targets = {rel: _inside(root, rel) for rel in files}
    existing = [str(t) for t in targets.values() if t.exists()]
    if existing and not force:
        raise PluginError(
            f"export: {', '.join(existing)} already exists; choose another version or pass "
            "--force (force=True) to replace it"
        )
    staged: list[tuple[Path, Path]] = []
    try:
        for rel, data in files.items():
            target = targets[rel]
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
            staged.append((Path(name), target))
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
        for staged_path, target in staged:
            os.replace(staged_path, target)
    finally:
        for staged_path, _ in staged:
            staged_path.unlink(missing_ok=True)
    return [targets[rel] for rel in files]


def _inside(root: Path, rel: str) -> Path:
    target = (root / rel).resolve()
    if not target.is_relative_to(root.resolve()):
        raise PluginError(f"export: {rel!r} would be written outside {root}; this is a bug")
    return target


def _norm_version(version: str) -> str:
    return version[1:] if version.startswith("v") else version


# -- native -----------------------------------------------------------------------------
def export_native(
    source: PluginRegistry | LoadedPlugin,
    name: str,
    version: str,
    out_dir: Path | str,
    *,
    force: bool = False,
    kind: PluginKind | None = None,
) -> list[Path]:
    """Write plugin ``name`` as ``out_dir/{kind}s/Name@vVERSION.py`` with its metadata.

    An existing file of that name and version is refused unless ``force``.
    """
    plugin = _plugin_of(source, name, kind)
    version = _norm_version(version)
    symbol = uc_first(plugin.name)
    file_name = f"{symbol}@v{version}.py"
    if Path(file_name).name != file_name or "\\" in file_name:
        raise PluginNameError(
            f"export {name}: the version {version!r} holds a path separator; use letters, "
            "digits, '.', '-', '+' or '_' (e.g. 1.0.0)"
        )
    parse_plugin_file(file_name)  # the naming and version rules, as discovery applies them
    sub = FOLDERS[plugin.kind]
    registry = source if isinstance(source, PluginRegistry) else None
    files = {f"{sub}/{rel}": data for rel, data in _metadata(plugin, registry).items()}
    files[f"{sub}/{file_name}"] = _module_text(plugin).encode()  # last: metadata first
    out = Path(out_dir)
    if (out / sub / file_name).exists() and not force:
        raise PluginError(
            f"export: {out / sub / file_name} already exists; choose another version or pass "
            "--force (force=True) to replace it"
        )
    return write_files(out, files, force=True)


# -- portable ---------------------------------------------------------------------------
_METHODS = {
    "source": ("configure", "open", "close"),
    "sink": ("configure", "open", "collect", "close"),
    "function": ("validate", "exec", "is_aggregate"),
}

_MAIN = '''"""Portable plugin {name} {version}: serves its symbols through the ekuiper SDK."""

from ekuiper import PluginConfig, plugin

{imports}


def _factory(value, methods):
    # a class or a factory makes an instance per start; an instance is shared, as eKuiper does
    if isinstance(value, type) or not all(callable(getattr(value, m, None)) for m in methods):
        return value
    return lambda: value


if __name__ == "__main__":
    plugin.start(
        PluginConfig(
            {name!r},
            {sources},
            {sinks},
            {functions},
        )
    )
'''


def portable_files(
    plugins: Iterable[LoadedPlugin],
    name: str,
    version: str,
    registry: PluginRegistry | None = None,
) -> dict[str, bytes]:
    """The files of portable plugin ``name`` serving ``plugins``, by path in the package.

    ``registry`` supplies the confKeys of sources defined in cells.
    """
    validate_name(name)
    plugins = list(plugins)
    if not plugins:
        raise PortableError(f"export portable {name}: no plugins given; pass at least one")
    files: dict[str, bytes] = {}
    lists: dict[PluginKind, list[str]] = {"source": [], "sink": [], "function": []}
    imports: list[str] = []
    entries: dict[PluginKind, list[str]] = {"source": [], "sink": [], "function": []}
    modules: dict[str, str] = {}
    for plugin in plugins:
        symbol = uc_first(plugin.name)
        module_file = f"{symbol}.py"
        if module_file in modules or module_file == f"{name}.py":
            raise PortableError(
                f"export portable {name}: two parts would be written as {module_file} "
                f"({modules.get(module_file, 'the main program')} and {plugin.kind} {plugin.name}); "
                "rename one of them"
            )
        modules[module_file] = f"{plugin.kind} {plugin.name}"
        text = _module_text(plugin)
        files[module_file] = text.encode()
        symbols = (
            plugin.functions if plugin.kind == "function" and plugin.functions else [plugin.name]
        )
        sub = FOLDERS[plugin.kind]
        for sym in symbols:
            validate_name(sym, f"{plugin.kind} symbol")
            if sym in lists[plugin.kind]:
                raise PortableError(
                    f"export portable {name}: {plugin.kind} {sym} is given twice; "
                    "export each plugin once"
                )
            lists[plugin.kind].append(sym)
            alias = f"_{plugin.kind}_{sym}"
            imports.append(f"from {symbol} import {uc_first(sym)} as {alias}")
            entries[plugin.kind].append(f"{sym!r}: _factory({alias}, {_METHODS[plugin.kind]!r})")
            if plugin.kind == "function":
                meta = _metadata(plugin).get(f"{plugin.name}.json", b"{}")
                one = _function_meta(json.loads(meta), [sym])
                files[f"{sub}/{sym}.json"] = _json(one)
            else:
                files[f"{sub}/{sym}.json"] = _json(_unit_meta(plugin))
        if plugin.kind == "source":
            conf = _metadata(plugin, registry).get(f"{plugin.name}.yaml")
            files[f"sources/{plugin.name}.yaml"] = conf or yaml.safe_dump({"default": {}}).encode()
    manifest = {
        "version": version,
        "language": "python",
        "executable": f"{name}.py",
        "sources": lists["source"],
        "sinks": lists["sink"],
        "functions": lists["function"],
    }
    files[f"{name}.json"] = _json(manifest)
    files[f"{name}.py"] = _MAIN.format(
        name=name,
        version=version,
        imports="\n".join(imports),
        sources=_dict(entries["source"]),
        sinks=_dict(entries["sink"]),
        functions=_dict(entries["function"]),
    ).encode()
    files["requirements.txt"] = _requirements(
        [files[m].decode() for m in modules], set(m[:-3] for m in modules)
    ).encode()
    return files


def _dict(entries: list[str]) -> str:
    if not entries:
        return "{}"
    return "{\n" + "".join(f"                {e},\n" for e in entries) + "            }"


def _unit_meta(plugin: LoadedPlugin) -> dict[str, Any]:
    return {
        "about": {"trial": False, "description": {"en_US": f"{plugin.kind} {plugin.name}"}},
        "properties": {"default": []} if plugin.kind == "source" else [],
        "node": {"category": plugin.kind, "label": {"en_US": plugin.name}},
    }


def _requirements(texts: Sequence[str], own: set[str]) -> str:
    """One ``dist==version`` line per third-party package the modules import (ekuiper always)."""
    top: set[str] = {"ekuiper"}
    for text in texts:
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                top.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                top.add(node.module.split(".")[0])
    dists = importlib_metadata.packages_distributions()
    lines: set[str] = set()
    for mod in top - own - set(sys.stdlib_module_names) - {"__future__"}:
        for dist in dists.get(mod, [mod]):
            try:
                lines.add(f"{dist}=={importlib_metadata.version(dist)}")
            except importlib_metadata.PackageNotFoundError:
                lines.add(dist)
    return "".join(f"{line}\n" for line in sorted(lines, key=str.lower))


def export_portable(
    plugins: Iterable[LoadedPlugin],
    name: str,
    version: str,
    out_dir: Path | str,
    *,
    force: bool = False,
    registry: PluginRegistry | None = None,
) -> list[Path]:
    """Write ``out_dir/NAME.zip`` and ``out_dir/portables/NAME/`` serving ``plugins``.

    Several plugins (sources, sinks, function plugins) become one portable plugin.
    Returns the zip's path, then the folder's files. Existing output is refused
    unless ``force``, which replaces the folder as a whole. ``registry`` supplies
    the confKeys of sources defined in cells.
    """
    files = portable_files(plugins, name, version, registry)
    out = Path(out_dir)
    zip_path = out / f"{name}.zip"
    folder = out / "portables" / name
    if (zip_path.exists() or folder.exists()) and not force:
        raise PortableError(
            f"export portable {name}: {zip_path} or {folder} already exists; choose another "
            "output folder or pass --force (force=True) to replace them"
        )
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=out, prefix=f".{name}."))
    try:
        written = write_files(staging / name, files)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for rel in sorted(files):
                zf.writestr(rel, files[rel])
        write_files(staging, {f"{name}.zip": buf.getvalue()})
        folder.parent.mkdir(parents=True, exist_ok=True)
        old = staging / "old"
        if folder.exists():
            os.replace(folder, old)
        os.replace(staging / name, folder)
        os.replace(staging / f"{name}.zip", zip_path)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    base = (staging / name).resolve()
    return [zip_path, *(folder / p.relative_to(base) for p in written)]
