"""The manifest ``{name}.json``: eKuiper's rules, our naming rule, the written form."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kuiper_dev.errors import PortableError
from kuiper_dev.portable import PortableManifest

GOOD = {
    "version": "v1.0.0",
    "language": "python",
    "executable": "kit.py",
    "sources": ["pyjson"],
    "sinks": ["print"],
    "functions": ["revert", "total"],
}


def _parse(**changes: object) -> PortableManifest:
    data = {**GOOD, **changes}
    return PortableManifest.parse(
        json.dumps({k: v for k, v in data.items() if v is not None}), "kit"
    )


def test_parse_reads_every_field() -> None:
    m = _parse(virtualEnvType="conda", env="py3")
    assert (m.name, m.version, m.language, m.executable) == ("kit", "v1.0.0", "python", "kit.py")
    assert m.symbols() == [
        ("source", "pyjson"),
        ("sink", "print"),
        ("function", "revert"),
        ("function", "total"),
    ]
    assert m.extra == {"virtualEnvType": "conda", "env": "py3"}
    assert PortableManifest.parse(json.dumps(m.to_json()), "kit") == m


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"language": None}, "missing language"),
        ({"executable": ""}, "missing executable"),
        ({"language": "java"}, "language 'java' is not supported"),
        ({"sources": [], "sinks": None, "functions": []}, "at least one source, sink or function"),
        ({"name": "other"}, "expect name 'kit' but got 'other'"),
        ({"executable": "../x.py"}, "outside the plugin folder"),
        ({"executable": "/usr/bin/python"}, "outside the plugin folder"),
        ({"functions": ["ok", "bad name"]}, "naming rule"),
        ({"functions": "revert"}, "must be a list"),
        ({"sinks": ["a", "a"]}, "lists a twice"),
        ({"version": 1, "language": 3}, "must be a string"),
    ],
)
def test_parse_refuses(changes: dict[str, object], message: str) -> None:
    with pytest.raises(PortableError, match=message):
        _parse(**changes)


def test_parse_refuses_non_json_and_bad_plugin_names() -> None:
    with pytest.raises(PortableError, match="not valid JSON"):
        PortableManifest.parse("{", "kit")
    with pytest.raises(PortableError, match="must be a JSON object"):
        PortableManifest.parse("[]", "kit")
    with pytest.raises(PortableError, match="naming rule"):
        PortableManifest.parse(json.dumps(GOOD), "../kit")


def test_read_names_the_missing_file(tmp_path: Path) -> None:
    folder = tmp_path / "kit"
    folder.mkdir()
    with pytest.raises(PortableError, match=r"kit\.json: missing"):
        PortableManifest.read(folder)
    (folder / "kit.json").write_text(json.dumps(GOOD))
    assert PortableManifest.read(folder).functions == ("revert", "total")
