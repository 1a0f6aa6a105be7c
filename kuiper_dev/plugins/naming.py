"""eKuiper's naming and version rules for plugin files, in Python.

``MySource.py`` holds plugin ``mySource`` exporting symbol ``MySource``;
``MySource@v1.0.0.py`` is version ``1.0.0``. Among several versions of one plugin
eKuiper keeps the file that sorts last by name (it reads the folder in name order
and the last one wins), so ``@v1.9.0`` beats ``@v1.10.0``: we do the same and say so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import PluginNameError

__all__ = ["PluginFile", "lc_first", "parse_plugin_file", "pick_latest", "uc_first"]

_SYMBOL = re.compile(r"[A-Z][A-Za-z0-9]*\Z")
_VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]*\Z")


def uc_first(name: str) -> str:
    """``myFunc`` → ``MyFunc``, as eKuiper derives a symbol from a plugin name."""
    return name[:1].upper() + name[1:]


def lc_first(name: str) -> str:
    """``MyFunc`` → ``myFunc``, as eKuiper derives a plugin name from a file name."""
    return name[:1].lower() + name[1:]


@dataclass(frozen=True, slots=True)
class PluginFile:
    """A plugin module file and what its name says."""

    path: Path
    name: str  # the plugin's name: file name with a lower-case first letter
    symbol: str  # the exported symbol: file name as written
    version: str  # "" when the file carries none; a leading "v" removed

    @property
    def sort_key(self) -> str:
        return self.path.name


def check_symbol(symbol: str, where: str) -> None:
    """Refuse a symbol name that breaks eKuiper's camel-case rule."""
    if not symbol:
        raise PluginNameError(
            f"{where}: the plugin name is empty; name the file like MyFunction.py"
        )
    if not _SYMBOL.match(symbol):
        if symbol[0].islower() and _SYMBOL.match(uc_first(symbol)):
            fix = f"rename it to {uc_first(symbol)}"
        else:
            fix = "use letters and digits only, starting with an upper-case letter (MyFunction)"
        raise PluginNameError(
            f"{where}: {symbol!r} breaks eKuiper's naming rule: the exported symbol and file "
            f"name are camel case with an upper-case first letter; {fix}"
        )


def parse_plugin_file(path: Path | str) -> PluginFile:
    """Read plugin name, symbol and version off a ``Name[@vVERSION].py`` path.

    >>> p = parse_plugin_file("plugins/functions/MyFunc@v1.2.0.py")
    >>> (p.name, p.symbol, p.version)
    ('myFunc', 'MyFunc', '1.2.0')
    """
    path = Path(path)
    if path.suffix != ".py":
        raise PluginNameError(f"{path}: a plugin module must be a .py file")
    stem = path.name[: -len(".py")]
    symbol, at, version = stem.partition("@")
    check_symbol(symbol, str(path))
    if at:
        if not _VERSION.match(version):
            raise PluginNameError(
                f"{path}: the version after '@' must be letters, digits, '.', '-', '+' or '_' "
                f"(e.g. {symbol}@v1.0.0.py), got {version!r}"
            )
        version = version[1:] if version.startswith("v") else version
    return PluginFile(path, lc_first(symbol), symbol, version)


def _semantic_key(version: str) -> tuple[tuple[int, int | str], ...]:
    parts = re.split(r"[.\-+_]", version)
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts)


def pick_latest(files: list[PluginFile]) -> tuple[PluginFile, str | None]:
    """The file eKuiper would load among versions of one plugin, and a warning.

    The warning says when a semantic (or date-aware) reading of the versions would
    have chosen another file.
    """
    chosen = max(files, key=lambda f: f.sort_key)
    semantic = max(files, key=lambda f: _semantic_key(f.version) if f.version else ())
    warning = None
    if semantic is not chosen and semantic.version != chosen.version:
        warning = (
            f"plugin {chosen.name}: eKuiper orders versions as text and loads "
            f"{chosen.path.name} (version {chosen.version or 'none'}), although "
            f"{semantic.path.name} (version {semantic.version}) is newer by number; "
            "rename the files so that text order and version order agree "
            "(e.g. zero-pad: v1.09.0, v1.10.0)"
        )
    return chosen, warning
