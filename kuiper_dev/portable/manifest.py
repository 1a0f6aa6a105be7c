"""A portable plugin's manifest ``{name}.json``, read and checked as eKuiper's installer does.

eKuiper requires ``language`` (``go`` or ``python``), ``executable`` and at least one
source, sink or function; the name comes from the file (and must match a ``name``
field when one is given). We also apply eKuiper's id rule to the plugin and symbol
names, since they become folder and ipc file names.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import PortableError
from ..plugins.export import validate_name

__all__ = ["PortableManifest", "validate_name"]

_LANGUAGES = ("go", "python")


@dataclass(frozen=True, slots=True)
class PortableManifest:
    """What ``{name}.json`` declares.

    >>> m = PortableManifest.parse('{"language": "python", "executable": "kit.py", '
    ...     '"functions": ["revert"]}', "kit")
    >>> (m.name, m.executable, m.functions, m.symbols())
    ('kit', 'kit.py', ('revert',), [('function', 'revert')])
    """

    name: str
    version: str
    language: str
    executable: str
    sources: tuple[str, ...] = ()
    sinks: tuple[str, ...] = ()
    functions: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str | bytes, name: str, where: str = "") -> PortableManifest:
        """Read manifest text for plugin ``name``; refuse what eKuiper refuses."""
        where = where or f"{name}.json"
        validate_name(name)
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise PortableError(f"{where}: not valid JSON ({exc}); fix the manifest") from exc
        if not isinstance(data, dict):
            raise PortableError(f"{where}: the manifest must be a JSON object; see {name}.json")
        if data.get("name", name) != name:
            raise PortableError(
                f"{where}: invalid plugin, expect name '{name}' but got '{data['name']}'; "
                "make the file name, the name field and the PluginConfig name agree"
            )
        language = _text(data, "language", where)
        executable = _text(data, "executable", where)
        if not language:
            raise PortableError(
                f'{where}: invalid plugin, missing language; add "language": "python"'
            )
        if not executable:
            raise PortableError(
                f'{where}: invalid plugin, missing executable; add "executable": "{name}.py"'
            )
        if language not in _LANGUAGES:
            raise PortableError(
                f"{where}: invalid plugin, language '{language}' is not supported; "
                'use "python" or "go"'
            )
        exe = Path(executable)
        if exe.is_absolute() or ".." in exe.parts:
            raise PortableError(
                f"{where}: executable {executable!r} points outside the plugin folder; "
                "name a file inside it"
            )
        lists = {k: _names(data, k, where) for k in ("sources", "sinks", "functions")}
        if not any(lists.values()):
            raise PortableError(
                f"{where}: invalid plugin, must define at least one source, sink or function; "
                'list them under "sources", "sinks" or "functions"'
            )
        known = {"name", "version", "language", "executable", "sources", "sinks", "functions"}
        return cls(
            name,
            str(data.get("version", "")),
            language,
            executable,
            lists["sources"],
            lists["sinks"],
            lists["functions"],
            {k: v for k, v in data.items() if k not in known},
        )

    @classmethod
    def read(cls, folder: Path | str, name: str | None = None) -> PortableManifest:
        """The manifest of the plugin in ``folder`` (named like the folder unless given)."""
        folder = Path(folder)
        name = name or folder.name
        path = folder / f"{name}.json"
        try:
            text = path.read_bytes()
        except OSError as exc:
            raise PortableError(
                f"{path}: missing or unreadable ({exc.strerror}); a portable plugin holds "
                f"{name}.json naming its executable and symbols"
            ) from exc
        return cls.parse(text, name, str(path))

    def symbols(self) -> list[tuple[str, str]]:
        """Every (kind, name) the plugin declares."""
        return [
            *(("source", s) for s in self.sources),
            *(("sink", s) for s in self.sinks),
            *(("function", s) for s in self.functions),
        ]

    def to_json(self) -> dict[str, Any]:
        """The manifest as eKuiper writes it (no ``name``: the file name carries it)."""
        return {
            "version": self.version,
            "language": self.language,
            "executable": self.executable,
            **self.extra,
            "sources": list(self.sources),
            "sinks": list(self.sinks),
            "functions": list(self.functions),
        }


def _text(data: dict[str, Any], key: str, where: str) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        raise PortableError(f'{where}: "{key}" must be a string, got {value!r}; fix the manifest')
    return value


def _names(data: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PortableError(
            f'{where}: "{key}" must be a list of names, got {value!r}; fix the manifest'
        )
    for v in value:
        validate_name(v, f"{where}: {key[:-1]} symbol")
    if len(set(value)) != len(value):
        dup = sorted({v for v in value if value.count(v) > 1})
        raise PortableError(f'{where}: "{key}" lists {", ".join(dup)} twice; list each once')
    return tuple(value)
