"""Binder: built-ins first, then plugins, then a "did you mean" error; plugins validate."""

from __future__ import annotations

from typing import Any

import pytest

from kuiper_dev.engine import Binder
from kuiper_dev.engine.binder import validate_args_for_plugin
from kuiper_dev.errors import PlanError
from kuiper_dev.plugins import PluginRegistry
from kuiper_dev.sql import ast, parse_expr

PLUGIN = """
from ekuiper import Function

class _Fn(Function):
    def validate(self, args):
        self.seen = args
        {validate}
    def exec(self, args, ctx):
        return "from the plugin"
    def is_aggregate(self):
        {is_aggregate}

{symbol} = _Fn()
"""


def define(
    registry: PluginRegistry,
    symbol: str,
    *,
    validate: str = 'return ""',
    is_aggregate: str = "return False",
) -> None:
    source = PLUGIN.format(symbol=symbol, validate=validate, is_aggregate=is_aggregate)
    registry.define_function(symbol, source)


def call(text: str) -> ast.Call:
    node = parse_expr(text)
    assert isinstance(node, ast.Call)
    return node


@pytest.fixture
def registry() -> PluginRegistry:
    registry = PluginRegistry()
    define(registry, "Double")
    return registry


def test_a_builtin_wins_over_a_plugin_of_the_same_name(registry: PluginRegistry) -> None:
    define(registry, "Upper")  # the registry allows it; the workspace refuses it later
    bound = Binder(registry).resolve(call("UPPER(a)"))
    assert bound.builtin is not None and bound.plugin is None
    assert bound.name == "upper"


def test_a_name_that_is_no_builtin_is_looked_up_among_the_plugins(
    registry: PluginRegistry,
) -> None:
    bound = Binder(registry).resolve(call("double(a)"))
    assert bound.builtin is None and bound.plugin is registry.function("double")
    assert bound.name == "double" and bound.aggregate is False


@pytest.mark.parametrize(
    ("text", "aggregate"), [("avg(a)", True), ("count(*)", True), ("abs(a)", False)]
)
def test_a_builtin_is_aggregate_by_its_kind(text: str, aggregate: bool) -> None:
    assert Binder(PluginRegistry()).resolve(call(text)).aggregate is aggregate


def test_a_plugin_is_aggregate_when_it_says_so(registry: PluginRegistry) -> None:
    define(registry, "Collect", is_aggregate="return True")
    assert Binder(registry).resolve(call("collect(a)")).aggregate is True


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        ("uper", ' Did you mean "upper"?'),
        ("SUMM", ' Did you mean "sum"?'),  # tried again in lower case, as built-ins are
        ("doubel", ' Did you mean "double"?'),  # plugins are offered too
        ("qqqqqq", ""),
    ],
)
def test_an_unknown_function_suggests_the_closest_name(
    registry: PluginRegistry, name: str, hint: str
) -> None:
    expr = parse_expr(f"x + {name}(a)")
    assert isinstance(expr, ast.BinaryExpr) and isinstance(expr.rhs, ast.Call)
    with pytest.raises(PlanError) as info:
        Binder(registry).resolve(expr.rhs)
    message = info.value.message
    assert message.startswith(f"function {name} not found.{hint} Built-ins are listed by")
    assert message.endswith("plugins load from plugins/functions.")
    assert (info.value.line, info.value.column) == (1, 5)  # the call's own place


def test_builtin_arguments_are_checked_when_binding() -> None:
    with pytest.raises(PlanError, match=r"^validate function upper error: Expect 1 arguments"):
        Binder(PluginRegistry()).resolve(call("upper()"))


def test_plugin_validate_gets_the_arguments_as_go_ast_json(registry: PluginRegistry) -> None:
    Binder(registry).resolve(call("double(1, 2.5, 'x', true, a, s.b, a + 1)"))
    seen = registry.function("double").impl.seen  # type: ignore[union-attr]
    assert seen == [
        {"Val": 1},
        {"Val": 2.5},
        {"Val": "x"},
        {"Val": True},
        {"StreamName": "$$default", "Name": "a"},
        {"StreamName": "s", "Name": "b"},
        {},  # any other expression: eKuiper sends its node without exported fields
    ]


def test_validate_args_for_plugin_needs_no_registry() -> None:
    assert validate_args_for_plugin(call("f(b, 3)").args) == [
        {"StreamName": "$$default", "Name": "b"},
        {"Val": 3},
    ]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"validate": 'return "needs two arguments"'},
            "validate function double error: validate return state is false, "
            "got 'needs two arguments'",
        ),
        (
            {"validate": "return None"},
            "validate function double error: validate return state is false, got None "
            '(validate must return "" to accept the arguments)',
        ),
        (
            {"validate": "raise ValueError('no')"},
            "validate function double error: ValueError('no')",
        ),
        (
            {"is_aggregate": "raise RuntimeError('boom')"},
            "function double: is_aggregate() raised RuntimeError('boom')",
        ),
    ],
)
def test_a_plugin_refusing_its_call_is_a_plan_error_at_the_call(
    overrides: dict[str, Any], message: str
) -> None:
    registry = PluginRegistry()
    define(registry, "Double", **overrides)
    with pytest.raises(PlanError) as info:
        Binder(registry).resolve(call("double(a)"))
    assert info.value.message == message
    assert (info.value.line, info.value.column) == (1, 1)
