"""Discovery of sources, sinks and functions; versions; listing; reload; confs."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from kuiper_dev.errors import PluginError
from kuiper_dev.plugins import PluginRegistry
from tests.fixtures import write_function

SOURCE = """
from ekuiper import Source

class {symbol}:
    tag = {tag!r}
    def configure(self, datasource, conf):
        self.conf = conf
    def open(self, ctx):
        ctx.emit({{"tag": self.tag}}, None)
    def close(self, ctx):
        pass
"""

SINK = """
class _Sink:
    def configure(self, conf): pass
    def open(self, ctx): pass
    def collect(self, ctx, data): pass
    def close(self, ctx): pass

{symbol} = _Sink()
"""


def write(plugin_dir: Path, kind: str, file_name: str, text: str) -> Path:
    path = plugin_dir / kind / file_name
    path.write_text(text)
    stamp = path.stat().st_mtime_ns + 1_000_000_000  # coarse file clocks: move it on
    os.utime(path, ns=(stamp, stamp))
    return path


def test_sources_sinks_and_functions_are_listed_per_kind(plugin_dir: Path) -> None:
    write(plugin_dir, "sources", "Random@v1.0.py", SOURCE.format(symbol="Random", tag="a"))
    write(plugin_dir, "sinks", "Printer.py", SINK.format(symbol="Printer"))
    write_function(plugin_dir, "Echo.py", "Echo")
    reg = PluginRegistry()
    reg.load_dir(plugin_dir)
    assert reg.problems == []
    assert (reg.names("source"), reg.names("sink"), reg.names("function")) == (
        ["random"],
        ["printer"],
        ["echo"],
    )
    assert reg.get("source", "random").describe() == {"name": "random", "version": "1.0"}
    assert reg.get("sink", "printer").describe() == {"name": "printer", "version": ""}
    slot = reg.source("random")
    assert slot is not None and not slot.shared and reg.sink("printer").shared  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("kind", "file_name", "fragment"),
    [
        ("sources", "random.py", "rename it to Random"),
        ("sinks", "My_Sink.py", "upper-case first letter"),
        ("sources", "Random@.py", "the version after '@'"),
    ],
)
def test_bad_names_are_recorded_with_rule_and_file(
    plugin_dir: Path, kind: str, file_name: str, fragment: str
) -> None:
    write(plugin_dir, kind, file_name, SOURCE.format(symbol="X", tag=""))
    reg = PluginRegistry()
    reg.load_dir(plugin_dir)
    (problem,) = reg.problems
    assert fragment in problem and file_name in problem and kind[:-1] in problem


def test_a_module_that_raises_or_lacks_methods_is_a_problem_not_a_crash(plugin_dir: Path) -> None:
    write(plugin_dir, "sources", "Boom.py", "raise RuntimeError('no device')\n")
    write(plugin_dir, "sinks", "Half.py", "class Half:\n    def collect(self, c, d): pass\n")
    write(plugin_dir, "sinks", "Good.py", SINK.format(symbol="Good"))
    reg = PluginRegistry()
    reg.load_dir(plugin_dir)
    assert reg.names("sink") == ["good"] and reg.names("source") == []
    text = "\n".join(reg.problems)
    assert "Boom.py" in text and "RuntimeError: no device" in text
    assert "Half.py" in text and "lacks configure, open, close" in text


def test_text_order_version_wins_and_describe_carries_the_warning(plugin_dir: Path) -> None:
    write(plugin_dir, "sources", "Random@v1.9.0.py", SOURCE.format(symbol="Random", tag="9"))
    write(plugin_dir, "sources", "Random@v1.10.0.py", SOURCE.format(symbol="Random", tag="10"))
    reg = PluginRegistry()
    reg.load_dir(plugin_dir)
    info = reg.get("source", "random").describe()  # type: ignore[union-attr]
    assert info["version"] == "1.9.0" and "Random@v1.10.0.py" in info["warning"]
    assert reg.source("random").value.tag == "9"  # type: ignore[union-attr]


def test_function_name_collision_across_plugins_is_refused(plugin_dir: Path) -> None:
    write_function(plugin_dir, "Echo.py", "Echo")
    write_function(plugin_dir, "Other.py", "Echo")  # exports Echo: function echo
    (plugin_dir / "functions" / "other.json").write_text(json.dumps({"functions": ["echo"]}))
    reg = PluginRegistry()
    reg.load_dir(plugin_dir)
    assert reg.udfs() == {"echo": "echo"}
    assert "function name echo already exists in plugin echo" in reg.problems[0]


def test_register_functions_replaces_the_list_and_survives_reload(plugin_dir: Path) -> None:
    body = "from tests.unit.plugins.test_discovery import _Twice as Twice, _Twice as Thrice\n"
    write(plugin_dir, "functions", "Mult.py", body)
    reg = PluginRegistry()
    reg.load_dir(plugin_dir)
    assert reg.problems and "no symbol 'Mult'" in reg.problems[0]
    write(plugin_dir, "functions", "Mult.py", body + "Mult = Twice\n")
    assert reg.reload_changed() == [("function", "mult")] and reg.problems == []
    reg.register_functions("mult", ["twice", "thrice"])
    assert reg.udfs() == {"thrice": "mult", "twice": "mult"}
    assert reg.get("function", "mult").describe()["functions"] == ["twice", "thrice"]  # type: ignore[union-attr]
    write(plugin_dir, "functions", "Mult.py", body + "Mult = Twice\n# edited\n")
    reg.reload_changed()
    assert reg.udfs() == {"thrice": "mult", "twice": "mult"}
    with pytest.raises(PluginError, match="must not be empty"):
        reg.register_functions("mult", [])
    with pytest.raises(PluginError, match="did you mean 'mult'"):
        reg.register_functions("mul", ["x"])


class _Twice:
    def validate(self, args: list[object]) -> str:
        return ""

    def exec(self, args: list[float], ctx: object) -> float:
        return args[0] * 2

    def is_aggregate(self) -> bool:
        return False


def test_is_aggregate_is_reported_and_a_bad_answer_refused() -> None:
    reg = PluginRegistry()
    base = "class F:\n    def validate(self, a): return ''\n    def exec(self, a, c): return 1\n"
    reg.define_function("Agg", base + "    def is_aggregate(self): return True\nAgg = F\n")
    reg.define_function("Bad", base + "    def is_aggregate(self): return 'yes'\nBad = F\n")
    assert reg.function("agg").is_aggregate() is True  # type: ignore[union-attr]
    with pytest.raises(PluginError, match="returned 'yes'; return True or False"):
        reg.function("bad").is_aggregate()  # type: ignore[union-attr]


def test_reload_changed_swaps_functions_keeps_old_on_error_and_drops_removed(
    plugin_dir: Path,
) -> None:
    path = write_function(plugin_dir, "Echo.py", "Echo")
    reg = PluginRegistry()
    reg.load_dir(plugin_dir)
    slot = reg.function("echo")
    assert slot is not None and reg.reload_changed() == []
    write(plugin_dir, "functions", "Echo.py", path.read_text().replace("args[0]", "'new'"))
    assert reg.reload_changed() == [("function", "echo")]
    assert slot.impl.exec([1], None) == "new" and slot.generation == 1
    write(plugin_dir, "functions", "Echo.py", "syntax error here(\n")
    assert reg.reload_changed() == [("function", "echo")]
    assert slot.impl.exec([1], None) == "new" and "Echo.py" in reg.problems[0]
    assert reg.reload_changed() == []  # the broken file is not retried until it changes
    (plugin_dir / "functions" / "Echo.py").unlink()
    assert reg.reload_changed() == [("function", "echo")]
    assert reg.names("function") == [] and reg.function("echo") is None
    assert reg.problems == []


def test_new_version_file_is_picked_up_by_reload(plugin_dir: Path) -> None:
    write(plugin_dir, "sinks", "Printer@v1.py", SINK.format(symbol="Printer"))
    reg = PluginRegistry()
    reg.load_dir(plugin_dir)
    slot = reg.sink("printer")
    write(plugin_dir, "sinks", "Printer@v2.py", SINK.format(symbol="Printer"))
    assert reg.reload_changed() == [("sink", "printer")]
    assert reg.sink("printer") is slot and slot is not None and slot.generation == 1
    assert reg.get("sink", "printer").version == "2"  # type: ignore[union-attr]


YAML = """
default:
  interval: 1000
  seed: 1
  nested: {a: 1}
fast:
  interval: 10
  nested: {b: 2}
"""


def test_source_conf_confkey_over_default_shallowly(plugin_dir: Path) -> None:
    write(plugin_dir, "sources", "Random.py", SOURCE.format(symbol="Random", tag=""))
    (plugin_dir / "sources" / "random.yaml").write_text(YAML)
    reg = PluginRegistry()
    reg.load_dir(plugin_dir)
    assert reg.resolve_source_conf("random") == {"interval": 1000, "seed": 1, "nested": {"a": 1}}
    assert reg.resolve_source_conf("random", "fast") == {
        "interval": 10,
        "seed": 1,
        "nested": {"b": 2},
    }
    assert reg.resolve_source_conf("random", "FAST")["interval"] == 10  # looked up lower-cased
    assert reg.resolve_source_conf("random", "nope")["interval"] == 1000  # eKuiper: default
    assert reg.source_conf_keys("random") == ["default", "fast"]
    with pytest.raises(PluginError, match="did you mean 'random'"):
        reg.resolve_source_conf("randon")


def test_yaml_edit_reloads_conf_without_rerunning_the_module(plugin_dir: Path) -> None:
    write(plugin_dir, "sources", "Random.py", SOURCE.format(symbol="Random", tag=""))
    reg = PluginRegistry()
    reg.load_dir(plugin_dir)
    assert reg.resolve_source_conf("random") == {}
    write(plugin_dir, "sources", "random.yaml", YAML)
    assert reg.reload_changed() == [("source", "random")]
    assert reg.source("random").generation == 0  # type: ignore[union-attr]
    assert reg.resolve_source_conf("random", "fast")["interval"] == 10
    write(plugin_dir, "sources", "random.yaml", "- not a mapping\n")
    reg.reload_changed()
    assert "random.yaml" in reg.problems[0] and "start the file with 'default:'" in reg.problems[0]


def test_define_source_and_sink_from_cells_replace_in_place() -> None:
    reg = PluginRegistry()
    reg.define_source("Cell", SOURCE.format(symbol="Cell", tag="1"), conf="default: {x: 1}\n")
    slot = reg.source("cell")
    reg.define_source("Cell", SOURCE.format(symbol="Cell", tag="2"))
    assert slot is reg.source("cell") and slot is not None and slot.generation == 1
    assert slot.value.tag == "2" and reg.resolve_source_conf("cell") == {"x": 1}
    reg.define_sink("Out", SINK.format(symbol="Out"), version="0.1")
    assert reg.get("sink", "out").describe() == {"name": "out", "version": "0.1"}  # type: ignore[union-attr]
    with pytest.raises(PluginError, match="no symbol 'Other'"):
        reg.define_sink("Other", SINK.format(symbol="Out"))


def test_same_name_in_a_second_root_is_ignored_and_deleted_refusals_forgotten(
    plugin_dir: Path, tmp_path: Path
) -> None:
    other = tmp_path / "more"
    (other / "sinks").mkdir(parents=True)
    write(plugin_dir, "sinks", "Printer.py", SINK.format(symbol="Printer"))
    write(other, "sinks", "Printer.py", SINK.format(symbol="Printer"))
    broken = write(other, "sinks", "Broken.py", "1/0\n")
    reg = PluginRegistry()
    reg.load_dir(plugin_dir)
    reg.load_dir(other)
    assert reg.get("sink", "printer").where.startswith(str(plugin_dir))  # type: ignore[union-attr]
    assert len(reg.problems) == 2 and "already loaded from" in reg.problems[0]
    broken.unlink()
    reg.reload_changed()
    assert len(reg.problems) == 1 and "already loaded from" in reg.problems[0]
