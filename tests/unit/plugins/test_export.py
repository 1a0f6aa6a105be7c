"""Export: versioned native files that load back, portable packages written all or nothing."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import pytest

from kuiper_dev.errors import PluginError, PluginNameError, PortableError
from kuiper_dev.plugins import PluginRegistry, export_native, export_portable, portable_files
from kuiper_dev.plugins.export import validate_name, write_files

FIXTURES = Path(__file__).parents[2] / "fixtures_portable" / "plugins"


@pytest.fixture()
def registry() -> PluginRegistry:
    reg = PluginRegistry()
    reg.load_dir(FIXTURES)
    assert reg.problems == []
    return reg


def _all_files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_native_source_with_yaml_loads_back(registry: PluginRegistry, tmp_path: Path) -> None:
    written = export_native(registry, "counter", "1.0.0", tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in written] == [
        "sources/counter.yaml",
        "sources/Counter@v1.0.0.py",
    ]
    back = PluginRegistry()
    back.load_dir(tmp_path)
    assert back.problems == []
    assert back.get("source", "counter").describe() == {"name": "counter", "version": "1.0.0"}
    assert back.resolve_source_conf("counter", "many") == {"count": 10}


def test_native_function_plugin_keeps_its_function_list(
    registry: PluginRegistry, tmp_path: Path
) -> None:
    export_native(registry, "tally", "v2.0", tmp_path)  # a leading v is the file's, not twice
    assert (tmp_path / "functions" / "Tally@v2.0.py").is_file()
    meta = json.loads((tmp_path / "functions" / "tally.json").read_text())
    assert [f["name"] for f in meta["functions"]] == ["total", "twice"]
    assert meta["functions"][0]["example"] == "total(col)"  # the author's entry kept
    back = PluginRegistry()
    back.load_dir(tmp_path)
    assert back.udfs() == {"total": "tally", "twice": "tally"}
    assert back.get("function", "tally").version == "2.0"


def test_native_existing_version_refused_unless_force(
    registry: PluginRegistry, tmp_path: Path
) -> None:
    export_native(registry, "collect", "1.0.0", tmp_path)
    target = tmp_path / "sinks" / "Collect@v1.0.0.py"
    target.write_text("# edited\n")
    with pytest.raises(PluginError, match="already exists.*force=True"):
        export_native(registry, "collect", "1.0.0", tmp_path)
    assert target.read_text() == "# edited\n"
    export_native(registry, "collect", "1.0.0", tmp_path, force=True)
    assert "def Collect" in target.read_text()
    export_native(registry, "collect", "1.0.1", tmp_path)  # another version is fine
    assert _all_files(tmp_path) == ["sinks/Collect@v1.0.0.py", "sinks/Collect@v1.0.1.py"]


def test_native_bad_version_or_unknown_plugin_writes_nothing(
    registry: PluginRegistry, tmp_path: Path
) -> None:
    with pytest.raises(PluginNameError, match="version"):
        export_native(registry, "revert", "1.0/../../x", tmp_path)
    with pytest.raises(PluginNameError, match="version"):
        export_native(registry, "revert", "1 0", tmp_path)
    with pytest.raises(PluginError, match="no plugin 'revrt'"):
        export_native(registry, "revrt", "1.0", tmp_path)
    assert _all_files(tmp_path) == []


def test_native_from_a_notebook_cell(tmp_path: Path) -> None:
    reg = PluginRegistry()
    source = (
        "class Shout:\n"
        "    def validate(self, args): return ''\n"
        "    def exec(self, args, ctx): return str(args[0]).upper()\n"
        "    def is_aggregate(self): return False\n"
    )
    plugin = reg.define_function("Shout", source)
    export_native(plugin, "shout", "0.1", tmp_path)
    assert (tmp_path / "functions" / "Shout@v0.1.py").read_text() == source
    back = PluginRegistry()
    back.load_dir(tmp_path)
    assert back.function("shout").impl.exec(["a"], None) == "A"


def test_write_files_is_all_or_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = os.replace

    def failing(src: str, dst: str) -> None:
        calls.append(dst)
        if len(calls) == 2:
            raise OSError("disk full")
        real(src, dst)

    monkeypatch.setattr(os, "replace", failing)
    with pytest.raises(OSError, match="disk full"):
        write_files(tmp_path, {"a/one.txt": b"1", "a/two.txt": b"2"})
    # the first rename happened; no temporary file is left behind
    assert [p.name for p in (tmp_path / "a").iterdir()] == ["one.txt"]


@pytest.mark.parametrize("name", ["", " kit", "a/b", "..", "kit.v1", "ké"])
def test_validate_name_refuses(name: str) -> None:
    with pytest.raises(PortableError, match="eKuiper"):
        validate_name(name)


def test_portable_zip_and_folder_hold_the_same_files(
    registry: PluginRegistry, tmp_path: Path
) -> None:
    plugins = [registry.get("source", "counter"), registry.get("function", "tally")]
    written = export_portable(plugins, "kit", "v1.0.0", tmp_path)
    folder = tmp_path / "portables" / "kit"
    assert written[0] == tmp_path / "kit.zip"
    assert sorted(p.relative_to(folder).as_posix() for p in written[1:]) == _all_files(folder)
    with zipfile.ZipFile(tmp_path / "kit.zip") as zf:
        assert sorted(zf.namelist()) == _all_files(folder)
        for rel in zf.namelist():
            assert zf.read(rel) == (folder / rel).read_bytes()
    manifest = json.loads((folder / "kit.json").read_text())
    assert manifest == {
        "version": "v1.0.0",
        "language": "python",
        "executable": "kit.py",
        "sources": ["counter"],
        "sinks": [],
        "functions": ["total", "twice"],
    }
    assert (folder / "sources" / "counter.yaml").read_text().startswith("default:")
    total = json.loads((folder / "functions" / "total.json").read_text())
    assert [f["name"] for f in total["functions"]] == ["total"]
    assert "ekuiper==" in (folder / "requirements.txt").read_text()
    main = (folder / "kit.py").read_text()
    assert "from Tally import Total as _function_total" in main
    assert "'kit'" in main and "plugin.start(" in main


def test_portable_existing_output_refused_unless_force(
    registry: PluginRegistry, tmp_path: Path
) -> None:
    plugins = [registry.get("function", "revert")]
    export_portable(plugins, "kit", "1", tmp_path)
    with pytest.raises(PortableError, match="already exists"):
        export_portable(plugins, "kit", "2", tmp_path)
    assert json.loads((tmp_path / "portables/kit/kit.json").read_text())["version"] == "1"
    export_portable([registry.get("sink", "collect")], "kit", "2", tmp_path, force=True)
    assert not (tmp_path / "portables/kit/Revert.py").exists()  # the folder replaced whole
    with zipfile.ZipFile(tmp_path / "kit.zip") as zf:
        assert "Collect.py" in zf.namelist() and "Revert.py" not in zf.namelist()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left


def test_portable_bad_inputs_write_nothing(registry: PluginRegistry, tmp_path: Path) -> None:
    revert = registry.get("function", "revert")
    with pytest.raises(PortableError, match="naming rule"):
        export_portable([revert], "my kit", "1", tmp_path)
    with pytest.raises(PortableError, match="no plugins"):
        export_portable([], "kit", "1", tmp_path)
    with pytest.raises(PortableError, match="given twice|two parts"):
        export_portable([revert, revert], "kit", "1", tmp_path)
    with pytest.raises(PortableError, match="main program"):
        export_portable([revert], "Revert", "1", tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_portable_files_lists_third_party_imports(registry: PluginRegistry) -> None:
    reg = PluginRegistry()
    plugin = reg.define_function(
        "Yam",
        "import json, yaml\nfrom ekuiper import Function\n"
        "class Yam(Function):\n"
        "    def validate(self, a): return ''\n"
        "    def exec(self, a, c): return yaml.safe_dump(a)\n"
        "    def is_aggregate(self): return False\n",
    )
    req = portable_files([plugin], "yk", "1")["requirements.txt"].decode().splitlines()
    assert [line.split("==")[0] for line in req] == ["ekuiper", "PyYAML"]


def test_cell_source_confkeys_come_from_the_registry(tmp_path: Path) -> None:
    reg = PluginRegistry()
    text = (FIXTURES / "sources" / "Counter.py").read_text() + "\n\nTicks = Counter\n"
    reg.define_source("Ticks", text, conf="default:\n  count: 2\nfast:\n  count: 9\n")
    export_native(reg, "ticks", "1", tmp_path / "native")
    back = PluginRegistry()
    back.load_dir(tmp_path / "native")
    assert back.resolve_source_conf("ticks", "fast") == {"count": 9}
    assert back.resolve_source_conf("ticks") == {"count": 2}
    export_portable([reg.get("source", "ticks")], "kit", "1", tmp_path, registry=reg)
    sections = (tmp_path / "portables/kit/sources/ticks.yaml").read_text()
    assert sections == "default:\n  count: 2\nfast:\n  count: 9\n"
