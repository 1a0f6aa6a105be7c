"""The expression compiler specialised by column types: SQL to typed Python text.

The general path (:mod:`.compiler`) turns an expression into closures that call
:func:`.values.binary_op` on whatever values arrive. When every column an
expression reads has a declared scalar type, the type of each sub-expression is
known when the rule is planned, and the expression can be one line of Python
instead: ``t > 50`` over a FLOAT column is ``(c1 is not None and c1 > 50)``.
:class:`TypedCompiler` writes that text; the generated loops of :mod:`.fastpath`
and the folds of :mod:`.incremental` are built from it and run by :func:`define`.

Semantics are never restated here. An operation whose eKuiper meaning is not
Python's operator (``/`` and ``%``, a group key's text, the integer mean) is a
call (:func:`call`) to a function of :data:`RUNTIME`, the one environment
generated code runs in, which holds the very functions the general
path calls (:mod:`.values`, :mod:`kuiper_dev.go`). What stays a Python operator
is what the general path leaves to Python as well: ``+ - *`` on floats, ``+ - *``
on ints with Go's int64 wrap written inline, comparisons (an int met by a float
is converted to float first, as Go does), AND/OR on booleans.

The null policy is the general path's: arithmetic with a null side is null, a
comparison with a null side is false, and both sides are evaluated before the
null test, so a side that raises raises whether or not the other is null.

Typed code is optimistic. Its text assumes each column variable holds a value of
its column's Python type or None, which :meth:`TypedCompiler.decode` makes true
or raises :class:`Fallback`. Any exception in typed code (Fallback, or eKuiper's
``divided by zero`` from the shared division) means "the general path decides
this message": the loops hand it over, and the general path gives eKuiper's
result or error message. An expression the types cannot decide raises
:class:`NotTyped` while planning, and the rule keeps the general path.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final, Literal

from ..go import int_avg, wrap_int64
from ..sql import ast
from .values import float_quotient, float_remainder, group_key_part, int_quotient, int_remainder

__all__ = [
    "PY_TYPES",
    "RUNTIME",
    "Fallback",
    "NotTyped",
    "PyType",
    "Typed",
    "TypedCompiler",
    "call",
    "define",
    "indent",
]

PyType = Literal["int", "float", "str", "bool"]

PY_TYPES: Final[Mapping[str, PyType]] = MappingProxyType(
    {"bigint": "int", "float": "float", "string": "str", "boolean": "bool"}
)
"""The column types typed code reads, and the Python class of their values."""


class Fallback(Exception):
    """Typed code cannot decide this message exactly: the general path takes it."""


class NotTyped(Exception):
    """The expression has no typed form: the rule keeps the general path."""


_RUNTIME_FUNCTIONS: tuple[Callable[..., Any], ...] = (
    int_quotient,  # the general path's / and %, with its zero-divisor error
    int_remainder,
    float_quotient,
    float_remainder,
    group_key_part,  # GROUP BY keys as eKuiper prints them
    wrap_int64,  # Go's int64 at the end of a sum
    int_avg,  # avg of int64s, truncated
)

RUNTIME: Final[Mapping[str, Any]] = MappingProxyType(
    {"Fallback": Fallback, **{fn.__name__: fn for fn in _RUNTIME_FUNCTIONS}}
)
"""Everything generated code may call, by the name it calls it."""


def call(fn: Callable[..., Any], *args: str) -> str:
    """Text calling the runtime function ``fn`` on argument texts.

    Refuses a function that :data:`RUNTIME` lacks, so no generated text can name a
    helper the environment does not hold.

    >>> call(wrap_int64, "acc[1]")
    'wrap_int64(acc[1])'
    """
    name = getattr(fn, "__name__", "")
    if RUNTIME.get(name) is not fn:
        raise ValueError(f"{fn!r} is not in the typed runtime")
    return f"{name}({', '.join(args)})"


def indent(lines: Iterable[str], depth: int) -> list[str]:
    """Generated statements moved ``depth`` blocks in.

    >>> indent(["x = 1", "if x:", "    y = 2"], 1)
    ['    x = 1', '    if x:', '        y = 2']
    """
    pad = "    " * depth
    return [pad + line for line in lines]


def define(source: str, **names: Any) -> dict[str, Any]:
    """Run generated ``source`` with :data:`RUNTIME` and ``names``; return its namespace.

    >>> define("def half(x): return int_quotient(x, 2)")["half"](-7)
    -3
    """
    env = {**RUNTIME, **names}
    exec(source, env)  # noqa: S102 - generated from the rule's own AST; names are repr()-quoted
    return env


@dataclass(frozen=True, slots=True)
class Typed:
    """A SQL expression as Python text, with what the column types say of its value.

    ``type`` is the Python class of its non-null values and ``nullable`` whether it
    may be None. ``plain`` text (a column variable or a literal) may be repeated
    freely; ``fallible`` text may raise (it divides), so it runs wherever the
    general path would evaluate it.
    """

    text: str
    type: PyType
    nullable: bool
    plain: bool = False
    fallible: bool = False


_LITERALS: Mapping[type[ast.Node], PyType] = {
    ast.IntegerLiteral: "int",
    ast.NumberLiteral: "float",
    ast.StringLiteral: "str",
    ast.BooleanLiteral: "bool",
}
_COMPARE = {"=": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_ARITHMETIC = frozenset({"+", "-", "*", "/", "%"})
_DIVISION: Mapping[tuple[str, PyType], Callable[..., Any]] = {
    ("/", "int"): int_quotient,
    ("/", "float"): float_quotient,
    ("%", "int"): int_remainder,
    ("%", "float"): float_remainder,
}
_NUMERIC = ("int", "float")


class TypedCompiler:
    """Compiles expressions over one typed stream's columns to Python text.

    Column ``name`` lives in the local variable :meth:`var` names. ``sources``
    are the stream names a qualified column may carry; an unqualified name that
    is also a SELECT alias in ``aliases`` is left to the general path, which
    knows which one it means.

    >>> from kuiper_dev.sql import parse_expr, parse_stream
    >>> ddl = parse_stream('CREATE STREAM s (a BIGINT, b FLOAT) WITH (DATASOURCE="s")')
    >>> typed = TypedCompiler({c.name: c for c in ddl.columns})
    >>> typed.expr(parse_expr("b > 1.5")).text
    '(c1 is not None and c1 > 1.5)'
    >>> half = typed.expr(parse_expr("a / 2"))
    >>> half.text, half.type, half.nullable
    ('(None if c0 is None else int_quotient(c0, 2))', 'int', True)
    """

    def __init__(
        self,
        schema: Mapping[str, ast.ColumnDef],
        sources: Iterable[str] = (),
        aliases: Iterable[str] = (),
    ) -> None:
        self.schema = schema
        self.sources = frozenset(sources)
        self.aliases = frozenset(aliases)
        self._vars = {name: f"c{i}" for i, name in enumerate(schema)}
        self._temps = 0

    @classmethod
    def for_select(cls, select: ast.Select, schema: Mapping[str, ast.ColumnDef]) -> TypedCompiler:
        """The compiler for expressions of ``select`` over its stream's ``schema``."""
        sources = [select.source, *([select.source_alias] if select.source_alias else [])]
        return cls(schema, sources, (f.alias for f in select.fields if f.alias))

    def var(self, column: str) -> str:
        """The variable holding ``column``'s value in generated code."""
        return self._vars[column]

    def temp(self) -> str:
        """A fresh local name for generated code."""
        self._temps += 1
        return f"_t{self._temps}"

    def expr(self, node: ast.Expr) -> Typed:
        """``node`` as typed text; raises :class:`NotTyped` when the types cannot decide it."""
        match node:
            case ast.IntegerLiteral() | ast.StringLiteral() | ast.BooleanLiteral():
                return Typed(repr(node.value), _LITERALS[type(node)], False, plain=True)
            case ast.NumberLiteral(value) if math.isfinite(value):
                return Typed(repr(value), "float", False, plain=True)
            case ast.ParenExpr(inner):
                return self.expr(inner)
            case ast.FieldRef(name, stream) if stream is None or stream in self.sources:
                return self._column(name)
            case ast.BinaryExpr("AND" | "OR" as op, lhs, rhs):
                return self._logic(op, self.expr(lhs), self.expr(rhs))
            case ast.BinaryExpr(op, lhs, rhs) if op in _COMPARE:
                return self._compare(op, self.expr(lhs), self.expr(rhs))
            case ast.BinaryExpr(op, lhs, rhs) if op in _ARITHMETIC:
                return self._arithmetic(op, self.expr(lhs), self.expr(rhs))
        raise NotTyped

    def predicate(self, node: ast.Expr) -> str:
        """Text that is True exactly when condition ``node`` holds (null does not)."""
        code = self.expr(node)
        if code.type != "bool":
            raise NotTyped
        return f"({code.text}) is True" if code.nullable else code.text

    def decode(self, *, conv: bool = False, exact: str | None = None) -> list[str]:
        """Statements reading every column of the decoded ``obj`` into its variable
        with its column's type.

        Columns are read by subscript, the cheapest read; an object missing one is
        read again with ``get`` (missing is null), and anything but an object raises
        TypeError on the first read. With ``conv`` they set ``conv = True`` when they
        converted a value (an int in a FLOAT column, as the decoder does). They
        raise :class:`Fallback` for any value the decoder would convert otherwise or
        reject, so a decode error is never skipped. The variable ``exact`` (of a BIGINT
        column) must hold an integer up to ``HIGH``, a time the clock can take.
        """
        if not self.schema:
            return ["if obj.__class__ is not dict: raise Fallback"]
        names = [(self._vars[name], name) for name in self.schema]
        lines = ["try:", *(f"    {v} = obj[{name!r}]" for v, name in names)]
        lines += ["except KeyError:", "    get = obj.get"]
        lines += [f"    {v} = get({name!r})" for v, name in names]
        for v, name in names:
            py = PY_TYPES.get(self.schema[name].type)
            if v == exact:  # an int column that must hold a time: one check for both
                lines.append(f"if {v}.__class__ is not int or {v} > HIGH: raise Fallback")
            elif py is None:  # nested or special column: only the general path converts it
                lines.append(f"if {v} is not None: raise Fallback")
            elif py == "float":
                lines.append(f"if {v}.__class__ is not float and {v} is not None:")
                flag = "; conv = True" if conv else ""
                lines.append(f"    if {v}.__class__ is int: {v} = float({v}){flag}")
                lines.append("    else: raise Fallback")
            else:
                lines.append(f"if {v}.__class__ is not {py} and {v} is not None: raise Fallback")
        return lines

    def group_key(self, columns: Sequence[str]) -> str:
        """The group key of a row grouped by ``columns``: eKuiper's key text.

        A text column's part is inlined, the common key not paying for a call:
        the text and the separator (``group_key_part("")``), or null's part,
        both taken from :func:`.values.group_key_part` when the rule is planned.
        """
        parts = []
        for c in columns:
            v = self._vars[c]
            if PY_TYPES.get(self.schema[c].type) == "str":
                null, sep = group_key_part(None), group_key_part("")
                parts.append(f"({null!r} if {v} is None else {v} + {sep!r})")
            else:
                parts.append(call(group_key_part, v))
        return " + ".join(parts) if parts else "''"

    def fold_key(self, columns: Sequence[str]) -> str:
        """A key that groups rows exactly as :meth:`group_key`'s text does, for the
        folds' own dicts: for one STRING column its value itself (null as the text
        ``<nil>``, which eKuiper's key gives both), so no string is built per row."""
        if len(columns) == 1 and PY_TYPES.get(self.schema[columns[0]].type) == "str":
            null = group_key_part(None).removesuffix(group_key_part(""))
            return f"({null!r} if {self._vars[columns[0]]} is None else {self._vars[columns[0]]})"
        return self.group_key(columns)

    def _column(self, name: str) -> Typed:
        col = self.schema.get(name)
        if col is None or col.type not in PY_TYPES or name in self.aliases:
            raise NotTyped
        return Typed(self._vars[name], PY_TYPES[col.type], True, plain=True)

    def _logic(self, op: str, a: Typed, b: Typed) -> Typed:
        # Python's and/or skip the right side exactly when the general path does.
        if a.type != "bool" or b.type != "bool" or a.nullable or b.nullable:
            raise NotTyped
        text = f"({a.text} {op.lower()} {b.text})"
        return Typed(text, "bool", False, fallible=a.fallible or b.fallible)

    def _compare(self, op: str, a: Typed, b: Typed) -> Typed:
        same = a.type == b.type or (a.type in _NUMERIC and b.type in _NUMERIC)
        if not same or (a.type == "bool" and op not in ("=", "!=")):
            raise NotTyped
        fallible = a.fallible or b.fallible
        mixed = a.type != b.type  # an int met by a float: Go compares float64s

        def side(t: Typed, text: str) -> str:
            if not (mixed and t.type == "int"):
                return text
            if t.plain and text.lstrip("-").isdigit() and abs(int(text)) <= 2**53:
                return repr(float(int(text)))  # a literal converts once, here (exactly)
            return f"float({text})"

        if not (a.nullable or b.nullable):
            text = f"({side(a, a.text)} {_COMPARE[op]} {side(b, b.text)})"
            return Typed(text, "bool", False, fallible=fallible)
        present, (x, y) = self._null_test(a, b, negate=True)
        text = f"({present} and {side(a, x)} {_COMPARE[op]} {side(b, y)})"
        return Typed(text, "bool", False, fallible=fallible)

    def _arithmetic(self, op: str, a: Typed, b: Typed) -> Typed:
        if a.type not in _NUMERIC or b.type not in _NUMERIC:
            raise NotTyped
        kind: PyType = "int" if a.type == b.type == "int" else "float"
        helper = _DIVISION.get((op, kind))
        fallible = helper is not None or a.fallible or b.fallible
        if not (a.nullable or b.nullable):
            return Typed(_apply(op, helper, a.text, b.text, kind), kind, False, fallible=fallible)
        absent, (x, y) = self._null_test(a, b, negate=False)
        text = f"(None if {absent} else {_apply(op, helper, x, y, kind)})"
        return Typed(text, kind, True, fallible=fallible)

    def _null_test(self, a: Typed, b: Typed, *, negate: bool) -> tuple[str, tuple[str, str]]:
        """A test that a side is null (``negate``: that none is), and the sides' texts after it.

        A side that is not plain is evaluated once, in the test, into a temp. A
        fallible side is evaluated there too, and when it is the second, the test
        uses ``|`` instead of ``or``, so it runs even when the first side is null.
        """
        subjects: list[str] = []
        values: list[str] = []
        eager = False
        for code in (a, b):
            if not (code.nullable or code.fallible):
                values.append(code.text)
                continue
            if code.plain:
                subjects.append(code.text)
                values.append(code.text)
            else:
                t = self.temp()
                subjects.append(f"({t} := {code.text})")
                values.append(t)
            eager = eager or (code.fallible and len(subjects) > 1)
        if eager:
            some_null = " | ".join(f"({s} is None)" for s in subjects)
            test = f"not ({some_null})" if negate else f"({some_null})"
        elif negate:
            test = " and ".join(f"{s} is not None" for s in subjects)
        else:
            test = " or ".join(f"{s} is None" for s in subjects)
        return test, (values[0], values[1])


def _apply(op: str, helper: Callable[..., Any] | None, x: str, y: str, kind: PyType) -> str:
    if helper is not None:
        return call(helper, x, y)
    if kind == "int":  # Go's int64 wrap, inline: ((v + 2**63) & (2**64 - 1)) - 2**63
        return f"(((({x} {op} {y}) + {1 << 63}) & {(1 << 64) - 1}) - {1 << 63})"
    return f"({x} {op} {y})"
