"""String functions (``docs/en_US/sqls/functions/string_functions.md``).

Follows ``funcs_str.go``. Non-string arguments are printed with Go's ``%v`` first.
Where Go works on bytes (``indexof``, ``substring``, ``numbytes``), so does this
module: indexes are UTF-8 byte offsets, as eKuiper gives them, although the docs
speak of characters. ``length`` and ``reverse`` count runes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from ..errors import FunctionError
from ..go import go_str, to_float, to_int
from ..sql import ast
from . import _regexp
from ._locale import ARABIC_INDIC, separators
from .registry import builtin, check_kind

# unicode.IsSpace: what Go trims
_GO_SPACE = (
    " \t\n\v\f\r\x85\xa0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + "\u2028\u2029\u202f\u205f\u3000"
)


@builtin("string", ["string"])
def upper(s: Any) -> str:
    """Upper-case text; non-strings are printed first, as Go's ``%v`` does."""
    return go_str(s).upper()


@builtin("string", ["string"])
def lower(s: Any) -> str:
    """Lower-case text."""
    return go_str(s).lower()


@builtin("string", ["any"], null="zero")
def length(s: Any) -> int:
    """Characters (runes) in a string, items in an array or keys in an object."""
    if isinstance(s, list | dict):
        return len(s)
    return len(go_str(s))


def _concat_validator(args: Sequence[ast.Expr]) -> str | None:
    return "The arguments should be at least one." if not args else None


@builtin("string", [], variadic="string", null="pass", validator=_concat_validator)
def concat(*parts: Any) -> str:
    """Join the arguments' text; null counts as empty."""
    return "".join(go_str(p) for p in parts)


@builtin("string", ["string", "string"], null="false")
def endswith(s: Any, suffix: Any) -> bool:
    """Whether the text ends with ``suffix``; false for a null argument."""
    return go_str(s).endswith(go_str(suffix))


@builtin("string", ["string", "string"], null="false")
def startswith(s: Any, prefix: Any) -> bool:
    """Whether the text starts with ``prefix``; false for a null argument."""
    return go_str(s).startswith(go_str(prefix))


@builtin("string", ["string", "string"], null="pass")
def indexof(s: Any, sub: Any) -> int:
    """Byte offset of the first ``sub`` in the text, -1 when absent or null."""
    if s is None or sub is None:
        return -1
    return go_str(s).encode().find(go_str(sub).encode())


def _pad_count(n: Any) -> int:
    count = to_int(n, "strict")
    if count < 0:
        raise FunctionError("strings: negative Repeat count")
    return count


@builtin("string", ["string", "int"])
def lpad(s: Any, n: Any) -> str:
    """The text after ``n`` spaces."""
    return " " * _pad_count(n) + go_str(s)


@builtin("string", ["string", "int"])
def rpad(s: Any, n: Any) -> str:
    """The text followed by ``n`` spaces."""
    return go_str(s) + " " * _pad_count(n)


@builtin("string", ["string"])
def ltrim(s: Any) -> str:
    """Text without leading Unicode white space."""
    return go_str(s).lstrip(_GO_SPACE)


@builtin("string", ["string"])
def rtrim(s: Any) -> str:
    """Text without trailing Unicode white space."""
    return go_str(s).rstrip(_GO_SPACE)


@builtin("string", ["string"])
def trim(s: Any) -> str:
    """Text without white space at either end."""
    return go_str(s).strip(_GO_SPACE)


@builtin("string", ["string"], null="zero")
def numbytes(s: Any) -> int:
    """Bytes in the UTF-8 text."""
    return len(go_str(s).encode())


@builtin("string", ["string", "string"], null="false")
def regexp_matches(s: Any, pattern: Any) -> bool:
    """Whether the regular expression (Go's RE2 syntax) matches anywhere in the text."""
    return _regexp.matches(go_str(pattern), go_str(s))


@builtin("string", ["string", "string", "string"])
def regexp_replace(s: Any, pattern: Any, repl: Any) -> str:
    """Replace every match; ``$1`` and ``${name}`` refer to groups, as in Go."""
    return _regexp.replace_all(go_str(pattern), go_str(s), go_str(repl))


@builtin("string", ["string", "string"])
def regexp_substr(s: Any, pattern: Any) -> str:
    """The first match of the regular expression, or empty text."""
    return _regexp.find(go_str(pattern), go_str(s))


@builtin("string", ["string"])
def reverse(s: Any) -> str:
    """The text with its runes in reverse order."""
    return go_str(s)[::-1]


def _substring_validator(args: Sequence[ast.Expr]) -> str | None:
    if len(args) not in (2, 3):
        return "the arguments for substring should be 2 or 3"
    msg = check_kind(args[0], "string", 0)
    for i in range(1, len(args)):
        msg = msg or check_kind(args[i], "int", i)
    if msg:
        return msg
    start = args[1]
    if isinstance(start, ast.IntegerLiteral):
        if start.value < 0:
            return "The start index should not be a nagtive integer."
        end = args[2] if len(args) == 3 else None
        if isinstance(end, ast.IntegerLiteral) and end.value < start.value:
            return "The end index should be larger than start index."
    return None


@builtin("string", ["string", "int", "int"], optional=1, validator=_substring_validator)
def substring(s: Any, start: Any, end: Any = None) -> str:
    """Bytes ``[start, end)`` of the UTF-8 text (Go slices bytes, not runes)."""
    data = go_str(s).encode()
    b = to_int(start, "strict")
    if b < 0:
        raise FunctionError("start index must be a positive number")
    if end is None:
        return data[b:].decode("utf-8", "replace") if b <= len(data) else ""
    e = to_int(end, "strict")
    if e < 0:
        raise FunctionError("end index must be a positive number")
    if b > e:
        raise FunctionError("start index must be smaller than end index")
    if b > len(data):
        return ""
    return data[b:e].decode("utf-8", "replace")


def _split_validator(args: Sequence[ast.Expr]) -> str | None:
    if len(args) != 3:
        return "the arguments for split_value should be 3"
    msg = check_kind(args[0], "string", 0) or check_kind(args[1], "string", 1)
    msg = msg or check_kind(args[2], "int", 2)
    if msg:
        return msg
    if isinstance(args[2], ast.IntegerLiteral) and args[2].value < 0:
        return "The index should not be a nagtive integer."
    return None


@builtin("string", ["string", "string", "int"], validator=_split_validator)
def split_value(s: Any, sep: Any, index: Any) -> str:
    """Part ``index`` of the text split at ``sep``; negative counts from the end."""
    text, delim = go_str(s), go_str(sep)
    parts = text.split(delim) if delim else list(text)
    try:
        i = to_int(index, "strict")
    except FunctionError:
        i = 0
    if i > len(parts) - 1 or i < -len(parts):
        raise FunctionError(f"{i} out of index array (size = {len(parts)})")
    return parts[i]


def _format_validator(args: Sequence[ast.Expr]) -> str | None:
    if len(args) < 2:
        return f"At least has 2 argument but found {len(args)}."
    if not isinstance(args[1], ast.IntegerLiteral):
        return "Expect integer type for parameter 2"
    if len(args) == 3 and not isinstance(args[2], ast.StringLiteral):
        return "Expect string type for parameter 3"
    return None


_LOCALE = re.compile(r"^[A-Za-z]{2,3}[_-]([A-Za-z]{2}|[0-9]{3})$")


@builtin("string", ["any", "any", "any"], optional=1, validator=_format_validator)
def format_(x: Any, decimals: Any, locale: Any = None) -> str:
    """``x`` with ``decimals`` places; grouped by ``locale`` (``en_US``) when given.

    Rounds half to even on the shortest decimal form, as Go's x/text does.
    """
    try:
        v = to_float(x)
    except FunctionError:
        v = 0.0
    try:
        d = to_int(decimals, "strict")
    except FunctionError:
        d = 0
    if d < 0:
        raise FunctionError("the decimal places must greater or equal than 0")
    text = format(Decimal(repr(v)).quantize(Decimal(1).scaleb(-d), ROUND_HALF_EVEN), "f")
    if locale is None:
        return text
    loc = go_str(locale)
    if not _LOCALE.match(loc):
        raise FunctionError("not support for the specific locale:" + loc)
    loc = loc.replace("-", "_")
    group, point = separators(loc)
    sign = "-" if text.startswith("-") else ""
    whole, _, frac = text.lstrip("-").partition(".")
    grouped = f"{int(whole):,}".replace(",", group)
    out = sign + grouped + (point + frac if frac else "")
    if loc in ARABIC_INDIC:
        out = out.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    return out
