"""Render a syntax tree back to eKuiper SQL text.

``parse(render(tree)) == tree`` for every tree the parser makes; the property
test in ``tests/property`` holds us to it.
"""

from __future__ import annotations

import json
from functools import singledispatch

from . import ast

__all__ = ["render"]


@singledispatch
def render(node: object) -> str:
    """SQL text for a statement or expression.

    >>> from kuiper_dev.sql.parser import parse
    >>> render(parse("select a+1 as b from demo where c = 'x'"))
    'SELECT a + 1 AS b FROM demo WHERE c = "x"'
    """
    raise TypeError(f"cannot render {type(node).__name__}")


def _ident(name: str) -> str:
    from .tokens import KEYWORDS

    plain = name.replace("_", "a").isalnum() and not name[0].isdigit() and name.isascii()
    return name if plain and name.upper() not in KEYWORDS else f"`{name}`"


@render.register
def _(node: ast.IntegerLiteral) -> str:
    return str(node.value)


@render.register
def _(node: ast.NumberLiteral) -> str:
    text = repr(node.value)
    return text if "." in text else text + ".0"


@render.register
def _(node: ast.StringLiteral) -> str:
    return json.dumps(node.value, ensure_ascii=False)


@render.register
def _(node: ast.BooleanLiteral) -> str:
    return "true" if node.value else "false"


@render.register
def _(node: ast.FieldRef) -> str:
    return f"{_ident(node.stream)}.{_ident(node.name)}" if node.stream else _ident(node.name)


@render.register
def _(node: ast.Wildcard) -> str:
    return "*"


@render.register
def _(node: ast.ParenExpr) -> str:
    return f"({render(node.expr)})"


@render.register
def _(node: ast.BinaryExpr) -> str:
    return f"{render(node.lhs)} {node.op} {render(node.rhs)}"


@render.register
def _(node: ast.BetweenExpr) -> str:
    return f"{render(node.lower)} AND {render(node.higher)}"


@render.register
def _(node: ast.ValueSet) -> str:
    return "(" + ", ".join(render(i) for i in node.items) + ")"


@render.register
def _(node: ast.Call) -> str:
    return f"{_ident(node.name)}(" + ", ".join(render(a) for a in node.args) + ")"


@render.register
def _(node: ast.Field) -> str:
    text = render(node.expr)
    return f"{text} AS {_ident(node.alias)}" if node.alias else text


@render.register
def _(node: ast.Select) -> str:
    text = "SELECT " + ", ".join(render(f) for f in node.fields) + " FROM " + _ident(node.source)
    if node.source_alias:
        text += f" AS {_ident(node.source_alias)}"
    if node.where is not None:
        text += " WHERE " + render(node.where)
    return text


@render.register
def _(node: ast.CreateStream) -> str:
    cols = ", ".join(f"{_ident(c.name)} {c.type.upper()}" for c in node.columns)
    opts = ", ".join(f"{k}={json.dumps(v)}" for k, v in node.options)
    return f"CREATE {node.kind.upper()} {_ident(node.name)} ({cols}) WITH ({opts})"
