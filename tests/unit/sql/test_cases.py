"""Data-driven parser cases: eKuiper's own parser tests, docs examples, errors.

The cases live in ``cases/*.yaml`` (STYLE habit 19); this module only loads and
checks them. Expected trees are Python expressions over ``kuiper_dev.sql.ast``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from kuiper_dev.errors import SqlError
from kuiper_dev.sql import ast, parse, render

CASES = Path(__file__).parent / "cases"
NAMESPACE: dict[str, Any] = {
    **{name: getattr(ast, name) for name in ast.__all__},
    "F": ast.FieldRef,
    "J": ast.JsonFieldRef,
    "I": ast.IntegerLiteral,
    "N": ast.NumberLiteral,
    "S": ast.StringLiteral,
    "B": ast.BinaryExpr,
    "Fd": ast.Field,
    "C": ast.ColumnDef,
    "None": None,
    "True": True,
    "False": False,
}


def _load(name: str) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = yaml.safe_load((CASES / name).read_text(encoding="utf-8"))
    return cases


def _ids(cases: list[dict[str, Any]]) -> list[str]:
    return [c["sql"].replace("\n", " ")[:70] for c in cases]


def _expected(text: str) -> Any:
    return eval(text, {"__builtins__": {}}, NAMESPACE)  # noqa: S307 - test data of our own


def _tree_cases() -> list[dict[str, Any]]:
    return _load("select_trees.yaml") + _load("ddl_trees.yaml")


@pytest.mark.parametrize("case", _tree_cases(), ids=_ids(_tree_cases()))
def test_trees(case: dict[str, Any]) -> None:
    if "error" in case:
        with pytest.raises(SqlError) as info:
            parse(case["sql"])
        assert info.value.message.startswith(case["error"])
        return
    stmt = parse(case["sql"])
    for key, text in case.items():
        if key in ("sql", "from"):
            continue
        actual = stmt if key == "self" else getattr(stmt, key)
        assert actual == _expected(text), key
    assert parse(render(stmt)) == stmt


@pytest.mark.parametrize("case", _load("errors.yaml"), ids=_ids(_load("errors.yaml")))
def test_errors(case: dict[str, Any]) -> None:
    with pytest.raises(SqlError) as info:
        parse(case["sql"])
    err = info.value
    assert err.message.startswith(case["error"])
    assert [err.line, err.column] == case["at"]
    assert "^" in str(err)


_EKUIPER = _load("ekuiper_parser_tests.yaml")


@pytest.mark.parametrize("case", _EKUIPER, ids=_ids(_EKUIPER))
def test_ekuiper_parser_tests(case: dict[str, Any]) -> None:
    if "error" in case:
        with pytest.raises(SqlError) as info:
            parse(case["sql"])
        assert info.value.message.startswith(case["error"])
        return
    # accepted by eKuiper (or refused only by its function registry: see the file header)
    stmt = parse(case["sql"])
    assert parse(render(stmt)) == stmt


_DOCS = _load("docs_examples.yaml")


@pytest.mark.parametrize("case", _DOCS, ids=_ids(_DOCS))
def test_docs_examples(case: dict[str, Any]) -> None:
    stmt = parse(case["sql"])
    assert parse(render(stmt)) == stmt
