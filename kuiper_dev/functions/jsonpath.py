"""JSON functions (``json_functions.md``): to_json, parse_json and JSON path queries.

eKuiper evaluates paths with PaesslerAG/jsonpath: a path without wildcards gives
one value (a missing key is an error ``unknown key k``), a path with ``*``, ``..``,
slices or filters gives an array. This module implements that subset: ``$``,
``.key``, ``['key']``, ``[n]`` (negative from the end), ``[a:b]``, ``[*]``, ``..``
and filters ``[?(@.k op literal)]`` joined with ``&&`` / ``||``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from ..errors import FunctionError
from ..go import dumps, go_str, verb_v
from ..sql import ast
from . import _regexp
from .registry import builtin

_TOKEN = re.compile(
    r"\.\.(?P<deep>\w+|\*)?|\.(?P<key>\w+|\*)|\[(?P<br>(?:'[^']*'|\"[^\"]*\"|[^\]])*)\]"
)


def _steps(path: str) -> list[tuple[str, str]]:
    if not path.startswith("$"):
        raise FunctionError(f"unexpected path {path}: must start with $")
    steps: list[tuple[str, str]] = []
    pos = 1
    while pos < len(path):
        m = _TOKEN.match(path, pos)
        if not m:
            raise FunctionError(f"parsing error: {path}\t:{pos + 1}:{pos + 1} - unexpected token")
        if m.group(0).startswith(".."):
            steps.append(("deep", ""))
            if m.group("deep"):
                steps.append(("key", m.group("deep")))
        elif m.group("key") is not None:
            steps.append(("key", m.group("key")))
        else:
            steps.append(("br", m.group("br").strip()))
        pos = m.end()
    return steps


def _children(v: Any) -> list[Any]:
    if isinstance(v, dict):
        return [v[k] for k in sorted(v)]
    if isinstance(v, list):
        return list(v)
    return []


def _descend(v: Any) -> list[Any]:
    out = [v]
    for c in _children(v):
        out.extend(_descend(c))
    return out


_COND = re.compile(r"^@((?:\.\w+)*)\s*(==|!=|>=|<=|>|<|=~)\s*(.+)$|^@((?:\.\w+)+)$")


def _literal(text: str) -> Any:
    text = text.strip()
    if text[:1] in "'\"":
        return text[1:-1]
    try:
        return json.loads(text)
    except ValueError:
        raise FunctionError(f"unsupported filter value {text}") from None


def _get(v: Any, dotted: str) -> Any:
    for k in [p for p in dotted.split(".") if p]:
        if not isinstance(v, dict) or k not in v:
            return None
        v = v[k]
    return v


def _cond(item: Any, expr: str) -> bool:
    for part in re.split(r"\|\|", expr):
        if all(_atom(item, a.strip()) for a in re.split(r"&&", part)):
            return True
    return False


def _atom(item: Any, expr: str) -> bool:
    m = _COND.match(expr.strip("() "))
    if not m:
        raise FunctionError(f"unsupported filter {expr}")
    if m.group(4):
        return _get(item, m.group(4)) is not None
    left, op, right = _get(item, m.group(1)), m.group(2), _literal(m.group(3))
    try:
        if op == "==":
            return bool(left == right)
        if op == "!=":
            return bool(left != right)
        if op == "=~":
            return isinstance(left, str) and _regexp.matches(str(right).strip("/"), left)
        if left is None:
            return False
        return bool(
            {">": left > right, "<": left < right, ">=": left >= right, "<=": left <= right}[op]
        )
    except TypeError:
        return False


def _apply(values: list[Any], step: tuple[str, str], single: bool) -> list[Any]:
    kind, arg = step
    out: list[Any] = []
    if kind == "deep":
        for v in values:
            out.extend(_descend(v))
        return out
    if kind == "key" and arg != "*":
        for v in values:
            if isinstance(v, dict) and arg in v:
                out.append(v[arg])
            elif single:
                raise FunctionError(f"unknown key {arg}")
        return out
    if arg == "*" or kind == "key":
        for v in values:
            out.extend(_children(v))
        return out
    if arg.startswith("?"):
        for v in values:
            out.extend(c for c in _children(v) if _cond(c, arg[1:].strip()))
        return out
    if ":" in arg:
        lo, _, hi = arg.partition(":")
        for v in values:
            if isinstance(v, list):
                out.extend(v[int(lo) if lo else None : int(hi) if hi else None])
        return out
    for part in arg.split(","):
        part = part.strip()
        for v in values:
            if part[:1] in "'\"":
                key = part[1:-1]
                if isinstance(v, dict) and key in v:
                    out.append(v[key])
                elif single:
                    raise FunctionError(f"unknown key {key}")
            else:
                i = int(part)
                if isinstance(v, list) and -len(v) <= i < len(v):
                    out.append(v[i])
                elif single:
                    raise FunctionError(f"index out of range: {i}")
    return out


def query(data: Any, path: str) -> Any:
    """Evaluate a JSON path; a single value unless the path can match many.

    >>> query({"a": [{"b": 1}, {"b": 2}]}, "$.a[*].b"), query({"a": {"b": 1}}, "$.a.b")
    ([1, 2], 1)
    """
    steps = _steps(path)
    single = all(k == "key" and a != "*" or k == "br" and _is_index(a) for k, a in steps)
    values = [data]
    for step in steps:
        values = _apply(values, step, single)
    if single:
        return values[0] if values else None
    return values


def _is_index(arg: str) -> bool:
    return re.fullmatch(r"-?\d+|'[^']*'|\"[^\"]*\"", arg) is not None


def _json_validator(args: Sequence[ast.Expr]) -> str | None:
    if len(args) != 2:
        return f"Expect 2 arguments but found {len(args)}."
    if not isinstance(args[1], ast.StringLiteral):
        return "Expect string type for parameter 2"
    return None


def _path_call(data: Any, path: Any) -> Any:
    if not isinstance(path, str):
        raise FunctionError(f"invalid jsonPath, must be a string but got {verb_v(path)}")
    if data is None:
        raise FunctionError("invalid data nil for jsonpath")
    if isinstance(data, str):  # eKuiper parses text as JSON first (numbers as floats)
        try:
            data = json.loads(data, parse_int=float)
        except ValueError:
            raise FunctionError(f"data '{data}' is not a valid json string") from None
    elif not isinstance(data, dict | list):
        raise FunctionError(f"invalid data {go_str(data)} for jsonpath")
    return query(data, path)


@builtin("json", ["any", "string"], null="pass", validator=_json_validator)
def json_path_query(data: Any, path: Any) -> Any:
    """All items the JSON path selects (one value for a path without wildcards)."""
    return _path_call(data, path)


@builtin("json", ["any", "string"], null="pass", validator=_json_validator)
def json_path_query_first(data: Any, path: Any) -> Any:
    """The first item the JSON path selects; an error when the result is not an array."""
    result = _path_call(data, path)
    if not isinstance(result, list):
        raise FunctionError(f"query result ({go_str(result)}) is not an array")
    if not result:
        raise FunctionError("query result is empty")
    return result[0]


@builtin("json", ["any", "string"], null="pass", validator=_json_validator)
def json_path_exists(data: Any, path: Any) -> bool:
    """Whether the JSON path selects anything; false on any error."""
    try:
        result = _path_call(data, path)
    except FunctionError:
        return False
    if isinstance(result, list):
        return len(result) > 0
    return result is not None


@builtin("json", ["any"])
def to_json(v: Any) -> str:
    """JSON text of a value as Go's ``json.Marshal`` writes it (sorted keys, ``1.0`` as 1)."""
    try:
        return dumps(v)
    except ValueError:
        raise FunctionError(f"fail to convert {go_str(v)} to json") from None


@builtin("json", ["string"], null="pass")
def parse_json(text: Any) -> Any:
    """The value a JSON text stands for; null for null or ``"null"``. Numbers become floats."""
    if text is None or text == "null":
        return None
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if not isinstance(text, str):
        raise FunctionError(f"fail to convert {go_str(text)} to string")
    try:
        # eKuiper decodes into interface{}: every JSON number is a float64
        return json.loads(text, parse_int=float)
    except ValueError as exc:
        raise FunctionError(f"fail to parse json: {exc}") from None
