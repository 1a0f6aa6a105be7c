"""The eKuiper SQL dialect: lexer, parser, syntax tree and renderer."""

from __future__ import annotations

from . import ast
from ._tree import walk
from .parser import parse, parse_expr, parse_select, parse_stream, split_statements
from .renderer import render

__all__ = [
    "ast",
    "parse",
    "parse_expr",
    "parse_select",
    "parse_stream",
    "render",
    "split_statements",
    "walk",
]
