"""Go's ``fmt`` and ``strconv.Quote`` for the values a sink template sees
(``print``, ``printf``, ``{{.x}}``).

A template's output is compared byte for byte with eKuiper's, so numbers, nils,
maps and verb mismatches must print the way Go prints them: ``20`` for a whole
float64, ``map[a:1 b:2]`` with sorted keys, ``%!d(string=x)`` for a wrong verb.
"""

from __future__ import annotations

import math
import unicodedata
from typing import Any

from ..go import go_str, go_type

__all__ = [
    "GoInt",
    "go_quote",
    "go_sprint",
    "go_sprintf",
    "go_sprintln",
    "go_value",
    "type_name",
]


class GoInt(int):
    """A Go ``int`` (literals, ``len``, range indexes); a plain Python int is int64.

    Only type names in messages tell them apart, as in Go's
    ``incompatible types for comparison: float64 and int``.
    """

    __slots__ = ()


def type_name(v: Any) -> str:
    """The Go type name of a template value, as ``%T`` and error messages print it.

    >>> type_name(GoInt(1)), type_name(1), type_name([])
    ('int', 'int64', '[]interface {}')
    """
    if isinstance(v, GoInt):
        return "int"  # literals, len and range indexes are Go ints; data ints are int64
    return go_type(v)


def go_value(v: Any) -> str:
    """``fmt.Sprint(v)`` for one value: ``<nil>`` for nil, Go's %v otherwise.

    >>> go_value({"b": [1.0, None], "a": 1e6})
    'map[a:1e+06 b:[1 <nil>]]'
    """
    if v is None:
        return "<nil>"
    if isinstance(v, list):
        return "[" + " ".join(go_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "map[" + " ".join(f"{k}:{go_value(v[k])}" for k in sorted(v)) + "]"
    return go_str(v)


def go_sprint(args: list[Any]) -> str:
    """``fmt.Sprint``: a space between operands when neither is a string.

    >>> go_sprint([1, 2, "a", 3.5, None])
    '1 2a3.5 <nil>'
    """
    out: list[str] = []
    for i, a in enumerate(args):
        if i > 0 and not isinstance(a, str) and not isinstance(args[i - 1], str):
            out.append(" ")
        out.append(go_value(a))
    return "".join(out)


def go_sprintln(args: list[Any]) -> str:
    """``fmt.Sprintln``: always a space between operands, then a newline.

    >>> go_sprintln([1, "a"])
    '1 a\\n'
    """
    return " ".join(go_value(a) for a in args) + "\n"


def go_quote(s: str) -> str:
    """``strconv.Quote``: Go's double-quoted form with Go's escapes.

    >>> go_quote('a"b\\n\\x01é')
    '"a\\\\"b\\\\n\\\\x01é"'
    """
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch in _SHORT_ESCAPES:
            out.append(_SHORT_ESCAPES[ch])
        elif o < 0x20 or o == 0x7F:
            out.append(f"\\x{o:02x}")
        elif o < 0x80 or _printable(ch):
            out.append(ch)
        elif o < 0x10000:
            out.append(f"\\u{o:04x}")
        else:
            out.append(f"\\U{o:08x}")
    out.append('"')
    return "".join(out)


_SHORT_ESCAPES = {
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
}


def _printable(ch: str) -> bool:
    # unicode.IsPrint: letters, marks, numbers, punctuation, symbols and ASCII space.
    return ch == " " or unicodedata.category(ch)[0] in "LMNPS"


class _Spec:
    """One parsed ``%`` directive: flags, width and precision."""

    __slots__ = ("minus", "plus", "space", "zero", "sharp", "width", "prec")

    def __init__(self) -> None:
        self.minus = self.plus = self.space = self.zero = self.sharp = False
        self.width: int | None = None
        self.prec: int | None = None

    def pad(self, s: str, numeric: bool = False) -> str:
        if self.width is None or len(s) >= self.width:
            return s
        fill = self.width - len(s)
        if self.minus:
            return s + " " * fill
        if self.zero and numeric:
            sign = s[0] if s[:1] in "+- " and s else ""
            return sign + "0" * fill + s[len(sign) :]
        return " " * fill + s


def _bad(verb: str, v: Any) -> str:
    if v is None:
        return f"%!{verb}(<nil>)"
    return f"%!{verb}({type_name(v)}={go_value(v)})"


def _sign(spec: _Spec, s: str) -> str:
    if s.startswith("-"):
        return s
    return ("+" if spec.plus else " " if spec.space else "") + s


def _fmt_int(verb: str, n: int, spec: _Spec) -> str:
    if verb == "c":
        return spec.pad(chr(n) if 0 <= n <= 0x10FFFF else "\ufffd")
    if verb == "q":
        return spec.pad("'" + go_quote(chr(n))[1:-1].replace("'", "\\'") + "'")
    if verb == "U":
        return spec.pad(f"U+{n:04X}")
    base = {"d": "d", "v": "d", "x": "x", "X": "X", "o": "o", "b": "b"}[verb]
    digits = format(abs(n), base)
    if spec.prec is not None:
        digits = digits.rjust(spec.prec, "0") if spec.prec else ("" if n == 0 else digits)
    if spec.sharp:
        digits = {"x": "0x", "X": "0X", "o": "0", "b": "0b"}.get(verb, "") + digits
    text = _sign(spec, ("-" if n < 0 else "") + digits)
    return spec.pad(text, numeric=spec.prec is None)


def _fmt_float(verb: str, f: float, spec: _Spec) -> str:
    if math.isnan(f) or math.isinf(f):
        # Go keeps the sign of an infinity, drops NaN's unless a flag asks; no zero padding.
        text = "NaN" if math.isnan(f) else ("+Inf" if f > 0 else "-Inf")
        if text == "NaN" and (spec.plus or spec.space):
            text = ("+" if spec.plus else " ") + text
        elif text == "+Inf" and spec.space and not spec.plus:
            text = " Inf"
        return spec.pad(text)
    if verb in ("v", "g", "G") and spec.prec is None:
        text = go_str(f) if verb != "G" else go_str(f).upper()
    elif verb in ("g", "G", "v"):
        text = format(f, f".{spec.prec}{'G' if verb == 'G' else 'g'}")
    else:
        prec = 6 if spec.prec is None else spec.prec
        py = {"e": "e", "E": "E", "f": "f", "F": "f"}[verb]
        text = format(f, f".{prec}{py}")
    return spec.pad(_sign(spec, text), numeric=True)


def _fmt_str(verb: str, s: str, spec: _Spec) -> str:
    if spec.prec is not None and verb in ("s", "v", "q"):
        s = s[: spec.prec]
    if verb in ("s", "v"):
        return spec.pad(s)
    if verb == "q":
        if spec.sharp and "`" not in s and s.isprintable():
            return spec.pad("`" + s + "`")
        return spec.pad(go_quote(s))
    data = s.encode()
    text = data.hex() if verb == "x" else data.hex().upper()
    if spec.space:
        text = " ".join(text[i : i + 2] for i in range(0, len(text), 2))
    return spec.pad(text)


def _format_one(verb: str, v: Any, spec: _Spec) -> str:
    if verb == "T":
        return spec.pad(type_name(v))
    if v is None:
        return spec.pad("<nil>") if verb == "v" else _bad(verb, v)
    if isinstance(v, list):
        # fmt applies the verb to each element of a slice or map.
        return "[" + " ".join(_format_one(verb, x, spec) for x in v) + "]"
    if isinstance(v, dict):
        parts = (f"{_format_one(verb, k, spec)}:{_format_one(verb, v[k], spec)}" for k in sorted(v))
        return "map[" + " ".join(parts) + "]"
    if isinstance(v, bool):
        return spec.pad("true" if v else "false") if verb in ("t", "v") else _bad(verb, v)
    if isinstance(v, int):
        return _fmt_int(verb, v, spec) if verb in "dvxXobcqU" else _bad(verb, v)
    if isinstance(v, float):
        return _fmt_float(verb, v, spec) if verb in "veEfFgG" else _bad(verb, v)
    if isinstance(v, str):
        return _fmt_str(verb, v, spec) if verb in "svqxX" else _bad(verb, v)
    return _bad(verb, v)


def go_sprintf(fmt: str, args: list[Any]) -> str:
    """``fmt.Sprintf`` for template values, with Go's ``%!verb(type=value)`` mismatches.

    >>> go_sprintf("%d|%5.2f|%s|%q|%x|%%|%d", [3, 2.5, 1, "a", "hi"])
    '3| 2.50|%!s(int64=1)|"a"|6869|%|%!d(MISSING)'
    """
    out: list[str] = []
    i, n, argn = 0, len(fmt), 0
    while i < n:
        j = fmt.find("%", i)
        if j < 0:
            out.append(fmt[i:])
            break
        out.append(fmt[i:j])
        i = j + 1
        spec = _Spec()
        while i < n and fmt[i] in "-+ 0#":
            c = fmt[i]
            spec.minus |= c == "-"
            spec.plus |= c == "+"
            spec.space |= c == " "
            spec.zero |= c == "0"
            spec.sharp |= c == "#"
            i += 1
        i, spec.width, argn = _number(fmt, i, args, argn)
        if i < n and fmt[i] == ".":
            i, prec, argn = _number(fmt, i + 1, args, argn)
            spec.prec = prec if prec is not None else 0
        if i >= n:
            out.append("%!(NOVERB)")
            break
        verb = fmt[i]
        i += 1
        if verb == "%":
            out.append("%")
        elif argn >= len(args):
            out.append(f"%!{verb}(MISSING)")
        else:
            out.append(_format_one(verb, args[argn], spec))
            argn += 1
    if argn < len(args):
        extra = ", ".join(
            "<nil>" if a is None else f"{type_name(a)}={go_value(a)}" for a in args[argn:]
        )
        out.append(f"%!(EXTRA {extra})")
    return "".join(out)


def _number(fmt: str, i: int, args: list[Any], argn: int) -> tuple[int, int | None, int]:
    if i < len(fmt) and fmt[i] == "*":
        arg = args[argn] if argn < len(args) else None
        value = arg if isinstance(arg, int) and not isinstance(arg, bool) else None
        return i + 1, value, argn + 1
    j = i
    while j < len(fmt) and fmt[j].isdigit():
        j += 1
    return j, (int(fmt[i:j]) if j > i else None), argn
