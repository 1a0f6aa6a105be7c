"""The exception tree drawn in ``errors.py`` is the tree the classes make."""

from __future__ import annotations

import builtins
import inspect
import re

import pytest

import kuiper_dev
from kuiper_dev import errors
from kuiper_dev.sql import ast, parse_select

# "│   ├── Name  (also ValueError)   text": depth from the indent, the name, the builtin
_ROW = re.compile(r"^(?P<indent>[ │]*)(?:├── |└── )?(?P<name>\w+)(?:\s+\(also (?P<also>\w+)\))?")


def _drawn() -> dict[str, tuple[str | None, str | None]]:
    """Each class of the drawing: its parent in the drawing and its ``also`` builtin."""
    doc = errors.__doc__ or ""
    block = doc.split("::", 1)[1].split("\n\n")[1]
    parents: list[str] = []
    tree: dict[str, tuple[str | None, str | None]] = {}
    for line in block.splitlines():
        m = _ROW.match(line.strip("\n")[4:])
        assert m, line
        depth = len(m["indent"]) // 4 + (1 if "──" in line else 0)
        del parents[depth:]
        tree[m["name"]] = (parents[-1] if parents else None, m["also"])
        parents.append(m["name"])
    return tree


def test_drawing_matches_the_classes() -> None:
    drawn = _drawn()
    defined = {
        name
        for name, obj in vars(errors).items()
        if inspect.isclass(obj) and issubclass(obj, errors.KuiperDevError)
    }
    assert set(drawn) == defined
    for name, (parent, also) in drawn.items():
        cls = getattr(errors, name)
        own = [b for b in cls.__bases__ if issubclass(b, errors.KuiperDevError)]
        assert [b.__name__ for b in own] == ([parent] if parent else []), name
        if also is not None:
            assert issubclass(cls, getattr(builtins, also)), name


def test_every_error_is_public() -> None:
    for name in _drawn():
        assert getattr(kuiper_dev, name) is getattr(errors, name)


@pytest.mark.parametrize(
    ("error", "builtin"),
    [
        (errors.EvalError, ValueError),
        (errors.DecodeError, ValueError),
        (errors.FunctionError, ValueError),
        (errors.NotPortable, TypeError),
        (errors.NotJsonNumber, TypeError),
    ],
)
def test_moved_errors_keep_their_builtin_base(error: type[Exception], builtin: type) -> None:
    # callers written before the tree catch ValueError/TypeError and must still work
    with pytest.raises(builtin):
        raise error("x")


def test_function_errors_are_row_errors() -> None:
    assert issubclass(errors.FunctionError, errors.EvalError)
    assert issubclass(errors.EvalError, errors.RuleError)
    assert issubclass(errors.NotPortable, errors.PluginError)


def test_a_plan_error_takes_its_place_from_a_node_and_its_text_later() -> None:
    sql = "SELECT a,\n  nosuch(b) FROM s"
    call = parse_select(sql).fields[1].expr
    err = errors.PlanError("function nosuch not found.", node=call)
    assert (err.line, err.column) == (2, 3)
    assert str(err) == "function nosuch not found."  # no text yet, so no caret
    assert err.with_sql(sql) is err
    assert str(err).splitlines() == [
        "function nosuch not found.",
        "  at line 2, column 3:",
        "      nosuch(b) FROM s",
        "      ^",
    ]


def test_with_sql_keeps_text_an_error_already_has() -> None:
    err = errors.SqlError("found x", sql="CREATE STREAM", line=1, column=8)
    before = str(err)
    assert str(err.with_sql("SELECT a FROM s")) == before


def test_a_node_built_by_hand_gives_no_caret() -> None:
    err = errors.PlanError("m", node=ast.FieldRef("a")).with_sql("SELECT a FROM s")
    assert (err.line, str(err)) == (0, "m")
