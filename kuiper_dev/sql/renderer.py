"""Render a syntax tree back to eKuiper SQL text.

``parse(render(tree)) == tree`` for every tree the parser makes; the property
tests in ``tests/property`` hold us to it. Operators are rendered without added
parentheses: the parser keeps the ones written as ``ParenExpr``, so the tree
already says how the text groups.
"""

from __future__ import annotations

import json
import math
import re
from decimal import Decimal
from functools import singledispatch

from . import ast
from .tokens import KEYWORDS

__all__ = ["render"]

_PLAIN_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_SOURCE_PART = re.compile(r"([/#+])")


@singledispatch
def render(node: object) -> str:
    """SQL text for a statement or expression.

    >>> from kuiper_dev.sql.parser import parse
    >>> render(parse("select a+1 as b from demo where c = 'x'"))
    'SELECT a + 1 AS b FROM demo WHERE c = "x"'
    """
    raise TypeError(f"cannot render {type(node).__name__}")


def _ident(name: str) -> str:
    plain = _PLAIN_NAME.fullmatch(name) is not None and name.upper() not in KEYWORDS
    return name if plain else f"`{name}`"


def _list(nodes: tuple[object, ...]) -> str:
    return ", ".join(render(n) for n in nodes)


def _source(name: str) -> str:
    # topic-like names: the / # + separators are tokens of their own
    return "".join(
        p if _SOURCE_PART.fullmatch(p) else _ident(p) for p in _SOURCE_PART.split(name) if p
    )


@render.register
def _(node: ast.IntegerLiteral) -> str:
    return str(node.value)


@render.register
def _(node: ast.NumberLiteral) -> str:
    value = node.value
    if math.isinf(value):
        # the grammar has no exponent: a long literal is how eKuiper spells infinity
        return ("-" if value < 0 else "") + "9" * 400 + ".0"
    text = repr(value)
    if "e" in text or "E" in text:
        text = format(Decimal(text), "f")
    return text if "." in text else text + ".0"


@render.register
def _(node: ast.StringLiteral) -> str:
    return json.dumps(node.value, ensure_ascii=False)


@render.register
def _(node: ast.BooleanLiteral) -> str:
    return "true" if node.value else "false"


@render.register
def _(node: ast.TimeLiteral) -> str:
    return node.unit.lower()


@render.register
def _(node: ast.FieldRef) -> str:
    return f"{_ident(node.stream)}.{_ident(node.name)}" if node.stream else _ident(node.name)


@render.register
def _(node: ast.JsonFieldRef) -> str:
    return _ident(node.name)


@render.register
def _(node: ast.Wildcard) -> str:
    text = f"{_ident(node.stream)}.*" if node.stream else "*"
    if node.except_:
        text += " EXCEPT(" + ", ".join(_ident(n) for n in node.except_) + ")"
    if node.replace:
        text += f" REPLACE({_list(node.replace)})"
    return text


@render.register
def _(node: ast.ParenExpr) -> str:
    return f"({render(node.expr)})"


@render.register
def _(node: ast.BinaryExpr) -> str:
    if node.op == "->":
        return f"{render(node.lhs)}->{render(node.rhs)}"
    return f"{render(node.lhs)} {node.op} {render(node.rhs)}"


@render.register
def _(node: ast.BetweenExpr) -> str:
    return f"{render(node.lower)} AND {render(node.higher)}"


@render.register
def _(node: ast.ValueSet) -> str:
    return f"({_list(node.items)})"


@render.register
def _(node: ast.IndexExpr) -> str:
    return f"{render(node.expr)}[{render(node.index)}]"


@render.register
def _(node: ast.SliceExpr) -> str:
    start = "" if node.start is None else render(node.start)
    end = "" if node.end is None else render(node.end)
    return f"{render(node.expr)}[{start}:{end}]"


@render.register
def _(node: ast.CaseExpr) -> str:
    parts = ["CASE"]
    if node.value is not None:
        parts.append(render(node.value))
    for w in node.whens:
        parts.append(f"WHEN {render(w.cond)} THEN {render(w.result)}")
    if node.else_ is not None:
        parts.append(f"ELSE {render(node.else_)}")
    parts.append("END")
    return " ".join(parts)


@render.register
def _(node: ast.SortField) -> str:
    return render(node.expr) + ("" if node.ascending else " DESC")


@render.register
def _(node: ast.Call) -> str:
    text = f"{_ident(node.name)}({_list(node.args)})"
    over = []
    if node.partition:
        over.append(f"PARTITION BY {_list(node.partition)}")
    if node.order_by:
        over.append(f"ORDER BY {_list(node.order_by)}")
    if node.when is not None:
        over.append(f"WHEN {render(node.when)}")
    return text + (f" OVER ({' '.join(over)})" if over else "")


def _window_call(node: ast.Window) -> ast.Call:
    if node.raw is not None:
        return node.raw
    args: list[ast.Expr] = []
    if node.kind == "state":
        args = [a for a in (node.begin, node.end) if a is not None]
    else:
        if node.kind != "count":
            args.append(ast.TimeLiteral(node.unit or "SS"))
        args += [ast.IntegerLiteral(v) for v in (node.length, node.interval) if v is not None]
    return ast.Call(f"{node.kind.upper()}WINDOW", tuple(args))


@render.register
def _(node: ast.Window) -> str:
    text = render(_window_call(node))
    if node.filter is not None:
        text += f" FILTER(WHERE {render(node.filter)})"
    over = []
    if node.trigger is not None:
        over.append(f"WHEN {render(node.trigger)}")
    if node.partition:
        over.append(f"PARTITION BY {_list(node.partition)}")
    if over:
        text += f" OVER ({' '.join(over)})"
    return text


def _dotted(node: ast.Field) -> str | None:
    # eKuiper names the field "b" for "a.b" even when "a" is no source and the
    # expression became a->b; only the dotted spelling gives that name back
    expr = node.expr
    if node.alias is None and isinstance(expr, ast.BinaryExpr) and expr.op == "->":
        lhs, rhs = expr.lhs, expr.rhs
        if isinstance(lhs, ast.FieldRef) and lhs.stream is None:
            if isinstance(rhs, ast.JsonFieldRef) and rhs.name == node.name:
                return f"{_ident(lhs.name)}.{'*' if rhs.name == '*' else _ident(rhs.name)}"
    return None


@render.register
def _(node: ast.Field) -> str:
    text = _dotted(node) or render(node.expr)
    if node.alias is not None:
        text += f" AS {_ident(node.alias)}"
    return text + (" INVISIBLE" if node.invisible else "")


@render.register
def _(node: ast.Join) -> str:
    text = f"{node.kind} JOIN {_source(node.source)}"
    if node.alias is not None:
        text += f" AS {_ident(node.alias)}"
    if node.on is not None:
        text += f" ON {render(node.on)}"
    return text


@render.register
def _(node: ast.Select) -> str:
    text = f"SELECT {_list(node.fields)} FROM {_source(node.source)}"
    if node.source_alias is not None:
        text += f" AS {_ident(node.source_alias)}"
    for join in node.joins:
        text += " " + render(join)
    if node.where is not None:
        text += f" WHERE {render(node.where)}"
    dims = [render(d) for d in node.group_by]
    if node.window is not None:
        dims.append(render(node.window))
    if dims:
        text += " GROUP BY " + ", ".join(dims)
    if node.having is not None:
        text += f" HAVING {render(node.having)}"
    if node.order_by:
        text += f" ORDER BY {_list(node.order_by)}"
    if node.limit is not None:
        text += f" LIMIT {node.limit}"
    return text


def _column_type(col: ast.ColumnDef) -> str:
    if col.type == "array" and col.items is not None:
        return f"ARRAY({_column_type(col.items)})"
    if col.type == "struct":
        return f"STRUCT({_columns(col.fields)})"
    return col.type.upper()


def _columns(cols: tuple[ast.ColumnDef, ...]) -> str:
    out = []
    for c in cols:
        text = f"{_ident(c.name)} {_column_type(c)}"
        if c.default is not None:
            text += f" DEFAULT {render(c.default)}"
        out.append(text)
    return ", ".join(out)


@render.register
def _(node: ast.CreateStream) -> str:
    opts = ", ".join(f"{k}={json.dumps(v)}" for k, v in node.options)
    return (
        f"CREATE {node.kind.upper()} {_ident(node.name)} ({_columns(node.columns)}) WITH ({opts})"
    )


@render.register
def _(node: ast.DropStream) -> str:
    return f"DROP {node.kind.upper()} {_ident(node.name)}"


@render.register
def _(node: ast.DescribeStream) -> str:
    return f"DESCRIBE {node.kind.upper()} {_ident(node.name)}"


@render.register
def _(node: ast.ExplainStream) -> str:
    return f"EXPLAIN {node.kind.upper()} {_ident(node.name)}"


@render.register
def _(node: ast.ShowStreams) -> str:
    return "SHOW STREAMS" if node.kind == "stream" else "SHOW TABLES"
