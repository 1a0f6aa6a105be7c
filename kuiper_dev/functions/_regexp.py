"""Regular expressions as eKuiper runs them: Go's ``regexp`` package, RE2 syntax.

eKuiper's ``regexp_matches``, ``regexp_replace`` and ``regexp_substr`` (and the
``=~`` of its JSON path filters) compile their pattern with Go's
``regexp.Compile``. Python's ``re`` accepts more (lookarounds, backreferences,
possessive and atomic groups, ``\\Z``), so patterns are compiled here with RE2
itself (the ``google-re2`` package), in this one place, and a pattern Go refuses
is refused with Go's message (``error parsing regexp: CODE: `EXPR```).
``replace_all`` follows Go's ``ReplaceAllString``: its rule for empty matches
and its ``$1``/``${name}`` expansion.

Known differences left between Go's parser and RE2's C++ one: Go refuses
``\\C`` (any byte) and RE2 takes it, so it is refused here before RE2 sees it;
the offending fragment Go quotes may differ from RE2's for some malformed
patterns, while the error code (the text before it) is Go's.
"""

from __future__ import annotations

import functools
import unicodedata
from typing import Any

import re2

from ..errors import FunctionError

__all__ = ["compile_go", "find", "matches", "replace_all"]

# RE2's C++ error texts and the ErrorCode text Go's regexp/syntax gives for each
_GO_CODES = {
    "invalid perl operator": "invalid or unsupported Perl syntax",
    "invalid escape sequence": "invalid escape sequence",
    "missing )": "missing closing )",
    "unexpected )": "unexpected )",
    "missing ]": "missing closing ]",
    "bad repetition operator": "invalid nested repetition operator",
    "invalid repetition size": "invalid repeat count",
    "no argument for repetition operator": "missing argument to repetition operator",
    "invalid character class range": "invalid character class range",
    "invalid character class": "invalid character class",
    "invalid UTF-8": "invalid UTF-8",
    "invalid named capture group": "invalid named capture",
    "trailing \\": "trailing backslash at end of expression",
    "pattern too large - compile failed": "expression too large",
    "bad nesting depth": "expression nests too deeply",
}


class GoRegexp:
    """A compiled pattern and its groups' names by index (Go allows repeats)."""

    __slots__ = ("names", "rx")

    def __init__(self, rx: Any, names: list[str]) -> None:
        self.rx = rx
        self.names = names


def _go_error(code: str, expr: str) -> FunctionError:
    return FunctionError(f"error parsing regexp: {code}: `{expr}`")


def _scan(pattern: str) -> list[str]:
    """The name ('' for none) of each capturing group, in order; refuses ``\\C``."""
    names: list[str] = []
    i, n, in_class = 0, len(pattern), False
    while i < n:
        c = pattern[i]
        if c == "\\" and i + 1 < n:
            nxt = pattern[i + 1]
            if nxt == "Q":  # literal text up to \E: nothing in it is syntax
                end = pattern.find("\\E", i + 2)
                i = n if end < 0 else end + 2
                continue
            if nxt == "C" and not in_class:
                raise _go_error("invalid escape sequence", "\\C")
            i += 2
            continue
        if in_class:
            if c == "]":
                in_class = False
        elif c == "[":
            in_class = True
            # a ] right after [ or [^ is a literal member, not the end
            j = i + 1 + (pattern.startswith("^", i + 1))
            if pattern.startswith("]", j):
                i = j
        elif c == "(":
            if not pattern.startswith("?", i + 1):
                names.append("")
            else:
                for opener in ("(?P<", "(?<"):
                    if pattern.startswith(opener, i):
                        close = pattern.find(">", i)
                        names.append(pattern[i + len(opener) : close])
                        break
        i += 1
    return names


def _lookbehind_error(pattern: str, fragment: str) -> FunctionError | None:
    # Go reads "(?<" as a named group (Go 1.22+), so a lookbehind "(?<=" is a bad
    # group name there: the text up to the first ">", or the rest without one
    if not fragment.startswith("(?<") or fragment.startswith("(?<>"):
        return None
    at = pattern.find(fragment)
    close = pattern.find(">", at)
    return _go_error("invalid named capture", pattern[at:] if close < 0 else pattern[at : close + 1])


@functools.lru_cache(maxsize=256)
def compile_go(pattern: str) -> GoRegexp:
    """Compile ``pattern`` as Go's ``regexp.Compile`` would, or raise its error.

    >>> compile_go("(?=a)")
    Traceback (most recent call last):
    ...
    kuiper_dev.errors.FunctionError: error parsing regexp: invalid or unsupported Perl syntax: `(?=`
    """
    names = _scan(pattern)
    options = re2.Options()
    options.log_errors = False
    try:
        rx = re2.compile(pattern, options)
    except re2.error as exc:
        raw = exc.args[0] if exc.args else b""
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
        for cpp, go in _GO_CODES.items():
            if text == cpp or text.startswith(cpp + ": "):
                raise _lookbehind_error(pattern, text[len(cpp) + 2 :]) or _go_error(
                    go, text[len(cpp) + 2 :]
                ) from None
        raise FunctionError(f"error parsing regexp: {text}") from None
    if len(names) != rx.groups:  # a construct the scan misread: fall back to RE2's
        index = {i: name for name, i in rx.groupindex.items()}
        names = [index.get(i, "") for i in range(1, rx.groups + 1)]
    return GoRegexp(rx, names)


def matches(pattern: str, text: str) -> bool:
    """Go's ``regexp.MatchString``: a match anywhere in ``text``.

    >>> matches(r"^\\d+$", "123"), matches("b", "abc")
    (True, True)
    """
    return compile_go(pattern).rx.search(text) is not None


def find(pattern: str, text: str) -> str:
    """Go's ``FindString``: the leftmost match, or empty text.

    >>> find("[0-9]+", "ab12cd345")
    '12'
    """
    m = compile_go(pattern).rx.search(text)
    return "" if m is None else str(m.group(0))


def _name_end(template: str, start: int) -> int:
    # Go's template names run over Unicode letters, digits and the underscore
    i = start
    while i < len(template):
        c = template[i]
        if not (c == "_" or unicodedata.category(c) in ("Lu", "Ll", "Lt", "Lm", "Lo", "Nd")):
            break
        i += 1
    return i


def _group_number(name: str) -> int:
    # a group number: ASCII digits, no leading zero; anything else is a name
    if not name.isascii() or not name.isdigit() or (len(name) > 1 and name[0] == "0"):
        return -1
    return int(name)


def _expand(go: GoRegexp, template: str, m: Any) -> str:
    """Go's ``Regexp.Expand`` of ``template`` for the match ``m``."""
    out: list[str] = []
    i = 0
    while True:
        dollar = template.find("$", i)
        if dollar < 0:
            out.append(template[i:])
            return "".join(out)
        out.append(template[i:dollar])
        i = dollar + 1
        if template.startswith("$", i):
            out.append("$")
            i += 1
            continue
        brace = template.startswith("{", i)
        start = i + 1 if brace else i
        end = _name_end(template, start)
        if end == start or (brace and not template.startswith("}", end)):
            out.append("$")  # malformed: the $ is plain text
            continue
        name = template[start:end]
        i = end + 1 if brace else end
        num = _group_number(name)
        if num >= 0:
            if num <= go.rx.groups and m.start(num) >= 0:
                out.append(m.group(num))
            continue
        for index, group_name in enumerate(go.names, start=1):
            if group_name == name and m.start(index) >= 0:
                out.append(m.group(index))
                break


def replace_all(pattern: str, text: str, template: str) -> str:
    """Go's ``ReplaceAllString``: every match replaced by the expanded template.

    After a match, an empty match where it ended is not replaced again, as Go
    does (Python's ``re.sub`` does replace it).

    >>> replace_all("x*", "abxd", "-")
    '-a-b-d-'
    >>> replace_all(r"(?P<y>\\d{4})-(\\d\\d)", "2024-05", "$2/${y}")
    '05/2024'
    """
    go = compile_go(pattern)
    out: list[str] = []
    last_end, pos, n = 0, 0, len(text)
    while pos <= n:
        m = go.rx.search(text, pos)
        if m is None:
            break
        start, end = m.span()
        out.append(text[last_end:start])
        if end > last_end or start == 0:
            out.append(_expand(go, template, m))
        last_end = end
        pos = pos + 1 if pos + 1 > end else end  # always move on by at least a character
    out.append(text[last_end:])
    return "".join(out)
