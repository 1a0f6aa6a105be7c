"""Rendering choices that keep ``parse(render(tree)) == tree``."""

from __future__ import annotations

import pytest

from kuiper_dev.sql import ast, parse, parse_expr, render


@pytest.mark.parametrize(
    ("value", "text"),
    [(1e-05, "0.00001"), (1e16, "10000000000000000.0"), (2.0, "2.0"), (-0.5, "-0.5")],
)
def test_numbers_render_without_exponent(value: float, text: str) -> None:
    # eKuiper's grammar has no exponent notation
    assert render(ast.NumberLiteral(value)) == text
    assert parse_expr(text) == ast.NumberLiteral(value)


def test_infinity_renders_as_a_long_literal() -> None:
    assert parse_expr(render(ast.NumberLiteral(float("-inf")))) == ast.NumberLiteral(float("-inf"))


def test_names_that_need_it_are_back_quoted() -> None:
    assert render(ast.FieldRef("select")) == "`select`"
    assert render(ast.FieldRef("_a")) == "`_a`"
    assert render(ast.FieldRef("my field", stream="s")) == "s.`my field`"


def test_dotted_json_path_keeps_its_field_name() -> None:
    # "x.y" with x no source is x->y named "y"; "x->y" would be named kuiper_field_0
    tree = parse("SELECT x.y FROM demo")
    assert render(tree) == "SELECT x.y FROM demo"
    assert parse(render(tree)) == tree


def test_window_renders_last_in_group_by() -> None:
    tree = parse("SELECT a FROM s GROUP BY COUNTWINDOW(3, 1) FILTER(WHERE a > 1), a")
    assert render(tree) == "SELECT a FROM s GROUP BY a, COUNTWINDOW(3, 1) FILTER(WHERE a > 1)"


def test_topic_sources_render_unquoted() -> None:
    assert render(parse("SELECT a FROM /topic/+/x/# AS t")) == "SELECT a FROM /topic/+/x/# AS t"
