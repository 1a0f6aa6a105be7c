from __future__ import annotations

import json
from pathlib import Path

import pytest

from kuiper_dev import PlanError, PluginError, Workspace
from kuiper_dev.plugins import PluginRegistry
from tests.fixtures import write_function

TWO_FUNCTIONS = """
from ekuiper import Function

class _Base(Function):
    def validate(self, args):
        return ""
    def is_aggregate(self):
        return False

class _Twice(_Base):
    def exec(self, args, ctx):
        return args[0] * 2

def Twice():
    return _Twice()

class Thrice(_Base):
    def exec(self, args, ctx):
        return args[0] * 3
"""


def test_load_dir_latest_version_wins(plugin_dir: Path) -> None:
    write_function(plugin_dir, "Echo@v1.0.py", "Echo")
    write_function(plugin_dir, "Echo@v2.0.py", "Echo")
    write_function(plugin_dir, "Echo.py", "Echo")
    reg = PluginRegistry()
    reg.load_dir(plugin_dir)
    assert reg.get("function", "echo").describe() == {
        "name": "echo",
        "version": "2.0",
        "functions": ["echo"],
    }
    assert reg.problems == []


def test_bad_file_is_refused_and_others_still_load(plugin_dir: Path) -> None:
    write_function(plugin_dir, "echo.py", "echo")
    write_function(plugin_dir, "Good.py", "Good")
    reg = PluginRegistry()
    reg.load_dir(plugin_dir)
    assert reg.names("function") == ["good"]
    assert len(reg.problems) == 1 and "rename it to Echo" in reg.problems[0]


def test_missing_symbol_names_what_the_module_exports(plugin_dir: Path) -> None:
    write_function(plugin_dir, "Echo.py", "Other")
    reg = PluginRegistry()
    reg.load_dir(plugin_dir)
    assert "no symbol 'Echo'" in reg.problems[0] and "Other" in reg.problems[0]


def test_metadata_lists_several_functions_class_factory_and_instance(
    plugin_dir: Path, tmp_path: Path
) -> None:
    write_function(plugin_dir, "Mult.py", "Mult", TWO_FUNCTIONS)
    (plugin_dir / "functions" / "mult.json").write_text(
        json.dumps({"functions": [{"name": "twice"}, {"name": "thrice"}]})
    )
    ws = Workspace(plugins_dir=plugin_dir)
    assert ws.show_udfs() == {"thrice": "mult", "twice": "mult"}
    assert ws.run("SELECT twice(a) AS x, thrice(a) AS y FROM d", [{"a": 2}]).rows == [
        {"x": 4.0, "y": 6.0}
    ]


def test_function_name_clash_with_builtin_is_refused(plugin_dir: Path) -> None:
    write_function(plugin_dir, "Upper.py", "Upper")
    with pytest.raises(PluginError, match="built-in function"):
        Workspace(plugins_dir=plugin_dir)


def test_hot_reload_replaces_function_in_a_planned_rule(ws: Workspace) -> None:
    ws.define_function(
        "Scale",
        "from ekuiper import Function\nclass S(Function):\n"
        "    def validate(self, a): return ''\n    def is_aggregate(self): return False\n"
        "    def exec(self, a, c): return a[0] * 10\nScale = S()\n",
    )
    rule = ws.rule("SELECT scale(a) AS s FROM d")
    from kuiper_dev import Message

    rule.push("d", [Message("d", b'{"a": 1}', 1)])
    ws.define_function(
        "Scale",
        "class S:\n    def validate(self, a): return ''\n"
        "    def is_aggregate(self): return False\n    def exec(self, a, c): return a[0] * 100\nScale = S\n",
    )
    rule.push("d", [Message("d", b'{"a": 1}', 2)])
    assert rule.result.rows == [{"s": 10.0}, {"s": 100.0}]


def test_validate_must_return_empty_string(ws: Workspace) -> None:
    ws.define_function(
        "Lazy",
        "class L:\n    def validate(self, a): pass\n"
        "    def is_aggregate(self): return False\n    def exec(self, a, c): return 1\nLazy = L()\n",
    )
    with pytest.raises(PlanError, match='validate must return ""'):
        ws.rule("SELECT lazy(a) FROM d")


def test_plugin_that_raises_keeps_its_traceback_and_the_rule_goes_on(ws: Workspace) -> None:
    ws.define_function(
        "Boom",
        "class B:\n    def validate(self, a): return ''\n"
        "    def is_aggregate(self): return False\n"
        "    def exec(self, a, c):\n        if a[0] > 1:\n            raise KeyError('too big')\n"
        "        return a[0]\nBoom = B()\n",
        filename="<cell boom>",
    )
    result = ws.run("SELECT boom(a) AS b FROM d", [{"a": 1}, {"a": 2}, {"a": 0}])
    assert result.rows == [{"b": 1.0}, {"b": 0.0}]
    message = result.errors[0].message
    assert 'File "<cell boom>", line 6, in exec' in message and "KeyError: 'too big'" in message


@pytest.mark.parametrize(
    ("returned", "fragment"),
    [
        ("{1, 2}", "set"),
        ("float('nan')", "NaN"),
        ("{1: 'a', (2,): 'b'}", "key (2,) of type tuple"),
        ("b'x'", "bytes"),
    ],
)
def test_results_eKuiper_cannot_carry_fail_clearly(
    ws: Workspace, returned: str, fragment: str
) -> None:
    ws.define_function(
        "Odd",
        "class O:\n    def validate(self, a): return ''\n"
        f"    def is_aggregate(self): return False\n    def exec(self, a, c): return {returned}\nOdd = O()\n",
    )
    result = ws.run("SELECT odd(a) FROM d", [{"a": 1}])
    assert result.rows == [] and fragment in result.errors[0].message


def test_arguments_cross_as_json(ws: Workspace) -> None:
    ws.define_function(
        "Kind",
        "class K:\n    def validate(self, a): return ''\n"
        "    def is_aggregate(self): return False\n    def exec(self, a, c): return type(a[0]).__name__\nKind = K()\n",
    )
    assert ws.run("SELECT kind(a) AS k FROM d", [{"a": 3}, {"a": 3.5}]).rows == [
        {"k": "int"},
        {"k": "float"},
    ]
