"""Go's ``fmt`` as templates print values: ``print``, ``println`` and ``printf``'s verbs."""

from __future__ import annotations

from typing import Any

import pytest

from kuiper_dev.gotemplate import parse
from kuiper_dev.gotemplate.fmt import go_quote, go_sprintf, go_value

# (id, template, data, expected): Go's fmt on the types eKuiper holds
PRINT_CASES: list[tuple[str, str, Any, str]] = [
    ("print", '{{print 1 2 "a" 3 "b" "c"}}', None, "1 2a3bc"),
    ("print-nil", "{{print .a}}", {}, "<nil>"),
    ("println", '{{println 1 "a"}}', None, "1 a\n"),
    (
        "printf-d",
        '{{printf "%d|%5d|%-5d|%05d|%+d" 42 42 42 42 42}}',
        None,
        "42|   42|42   |00042|+42",
    ),
    (
        "printf-f",
        '{{printf "%f|%.2f|%8.3f|%-8.1f|" 3.14159 3.14159 3.14159 3.14159}}',
        None,
        "3.141590|3.14|   3.142|3.1     |",
    ),
    (
        "printf-e-g",
        '{{printf "%e|%.2e|%g|%g|%.3g" 123456.789 0.000123 1e6 0.1 3.14159}}',
        None,
        "1.234568e+05|1.23e-04|1e+06|0.1|3.14",
    ),
    (
        "printf-s-q",
        '{{printf "%s|%q|%10s|%-4s|%.2s" "hi" "a\\"b" "r" "l" "trunc"}}',
        None,
        'hi|"a\\"b"|         r|l   |tr',
    ),
    (
        "printf-v",
        '{{printf "%v %v %v %v %v" 1 2.5 "s" true .}}',
        {"a": [1]},
        "1 2.5 s true map[a:[1]]",
    ),
    (
        "printf-t-x",
        '{{printf "%t %x %X %x %o %b %c" true 255 255 "hi" 8 5 65}}',
        None,
        "true ff FF 6869 10 101 A",
    ),
    ("printf-percent", '{{printf "100%%"}}', None, "100%"),
    (
        "printf-T",
        '{{printf "%T %T %T %T" 1 .a "s" .l}}',
        {"a": 1.5, "l": []},
        "int float64 string []interface {}",
    ),
    (
        "printf-bad-verb",
        '{{printf "%d %s %t" "x" 1.5 1}}',
        None,
        "%!d(string=x) %!s(float64=1.5) %!t(int=1)",
    ),
    ("printf-float-d", '{{printf "%d" .a}}', {"a": 20.0}, "%!d(float64=20)"),
    ("printf-nil", '{{printf "%d %v" .a .a}}', {}, "%!d(<nil>) <nil>"),
    ("printf-missing", '{{printf "%d %d" 1}}', None, "1 %!d(MISSING)"),
    ("printf-extra", '{{printf "%d" 1 "x"}}', None, "1%!(EXTRA string=x)"),
    ("printf-list", '{{printf "%d" .}}', [1, 2], "[1 2]"),
    ("printf-star", '{{printf "%*d" 4 7}}', None, "   7"),
]


def _ids(cases: list[tuple[Any, ...]]) -> list[str]:
    return [c[0] for c in cases]


@pytest.mark.parametrize(
    ("name", "template", "data", "expected"), PRINT_CASES, ids=_ids(PRINT_CASES)
)
def test_print_functions(name: str, template: str, data: Any, expected: str) -> None:
    assert parse(template).execute(data) == expected


def test_values_print_as_go_prints_them() -> None:
    assert go_value({"b": [1.0, None], "a": 1e6}) == "map[a:1e+06 b:[1 <nil>]]"
    assert go_sprintf("%6.2f|%-4d|%x", [3.14159, 7, "hi"]) == "  3.14|7   |6869"


def test_quote_is_strconv_quote() -> None:
    assert go_quote('a"b\n\x01é\u200b') == '"a\\"b\\n\\x01é\\u200b"'
