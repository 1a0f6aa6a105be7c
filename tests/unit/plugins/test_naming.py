from __future__ import annotations

from pathlib import Path

import pytest

from kuiper_dev.errors import PluginNameError
from kuiper_dev.plugins import parse_plugin_file, pick_latest


@pytest.mark.parametrize(
    ("file", "name", "symbol", "version"),
    [
        ("MySource.py", "mySource", "MySource", ""),
        ("MySource@v1.0.0.py", "mySource", "MySource", "1.0.0"),
        ("MySource@20200331.py", "mySource", "MySource", "20200331"),
        ("Echo2@v2.py", "echo2", "Echo2", "2"),
    ],
)
def test_names_and_versions(file: str, name: str, symbol: str, version: str) -> None:
    pf = parse_plugin_file(Path("plugins/functions") / file)
    assert (pf.name, pf.symbol, pf.version) == (name, symbol, version)


@pytest.mark.parametrize(
    ("file", "fragment"),
    [
        ("mySource.py", "rename it to MySource"),
        ("My_Source.py", "upper-case first letter"),
        ("1Source.py", "upper-case first letter"),
        ("MySource@.py", "the version after '@'"),
        ("MySource@v1 beta.py", "the version after '@'"),
        ("MySource.so", "must be a .py file"),
    ],
)
def test_bad_names_are_refused_with_the_rule(file: str, fragment: str) -> None:
    with pytest.raises(PluginNameError, match="camel case|version|.py") as info:
        parse_plugin_file(Path("plugins/functions") / file)
    assert fragment in str(info.value)


def test_latest_is_last_in_text_order_with_a_warning_when_numbers_disagree() -> None:
    files = [parse_plugin_file(f"F@v1.{n}.0.py") for n in (9, 10)]
    chosen, warning = pick_latest(files)
    assert chosen.version == "1.9.0"
    assert warning is not None and "F@v1.10.0.py" in warning


def test_versioned_file_beats_unversioned_and_no_warning_when_orders_agree() -> None:
    files = [parse_plugin_file("F.py"), parse_plugin_file("F@v1.py"), parse_plugin_file("F@v2.py")]
    chosen, warning = pick_latest(files)
    assert chosen.version == "2" and warning is None
