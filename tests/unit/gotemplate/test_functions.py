"""The functions a template can call: Go's builtins, eKuiper's and sprig's (``funcs.go``,
eKuiper's ``transform/func.go``, sprig v3), with Go's results and error messages."""

from __future__ import annotations

import json
import math
import re
from typing import Any

import pytest
from hypothesis import given

from kuiper_dev import gotemplate
from kuiper_dev.gotemplate import TemplateError, parse
from kuiper_dev.gotemplate.functions import FUNCS

from .data import AWS, JSON_VALUES

# (id, template, data, expected)
GO_CASES: list[tuple[str, str, Any, str]] = [
    ("and-or", '{{and 1 0 2}}|{{and 1 2}}|{{or 0 "" "y"}}|{{or 0 ""}}', None, "0|2|y|"),
    ("and-short-circuit", "{{and false (index . 9)}}", [1], "false"),
    ("or-short-circuit", "{{or true (index . 9)}}", [1], "true"),
    ("not", "{{not .a}} {{not 1}}", {}, "true false"),
    (
        "len",
        "{{len .s}} {{len .l}} {{len .m}}",
        {"s": "héllo", "l": [1, 2], "m": {"a": 1}},
        "6 2 1",
    ),
    ("index-map-list", '{{index .m "k" 1}}', {"m": {"k": [1, 2]}}, "2"),
    ("index-missing-key", '{{index . "nope"}}', {}, "<no value>"),
    ("index-string", '{{index "abc" 1}}', None, "98"),
    ("eq-multi", '{{eq .a "x" "y"}}', {"a": "y"}, "true"),
    ("eq-int-int64", "{{eq (len .) (add 1 1)}}", [1, 2], "true"),
    ("eq-nil", "{{eq .a nil}} {{eq 1.0 nil}}", {}, "true false"),
    ("ne", '{{ne 1 2}} {{ne "a" "a"}}', None, "true false"),
    (
        "lt-le-gt-ge",
        '{{lt 1 2}} {{le 2 2}} {{gt 1.5 2.5}} {{ge "b" "a"}}',
        None,
        "true true false true",
    ),
    (
        "html",
        '{{html "<a href=\'x\'>&\\"</a>"}}',
        None,
        "&lt;a href=&#39;x&#39;&gt;&amp;&#34;&lt;/a&gt;",
    ),
    ("html-pipe", "{{.a | html}}", {"a": "<b>"}, "&lt;b&gt;"),
    ("js", '{{js "a\'b\\"<>&=\\\\"}}', None, "a\\'b\\\"\\u003C\\u003E\\u0026\\u003D\\\\"),
    ("urlquery", '{{urlquery "a b&c=d/é"}}', None, "a+b%26c%3Dd%2F%C3%A9"),
    (
        "json-escapes-html",
        "{{json .}}",
        {"a": "<&>", "b": 1.5},
        '{"a":"\\u003c\\u0026\\u003e","b":1.5}',
    ),
    ("json-scalar", "{{json .a}} {{json .b}}", {"a": None, "b": [1.0, 2.5]}, "null [1,2.5]"),
    ("to-raw-json", "{{toRawJson .}}", {"a": "<"}, '{"a":"<"}'),
    (
        "to-pretty-json",
        "{{toPrettyJson .}}",
        {"b": 1.0, "a": [1]},
        '{\n  "a": [\n    1\n  ],\n  "b": 1\n}',
    ),
    ("base64-string", "{{base64 .a}}", {"a": "hello"}, "aGVsbG8="),
    ("base64-float", "{{base64 .a}} {{base64 .b}}", {"a": 1.5, "b": 20.0}, "MS41 MjA="),
    ("base64-bool", "{{base64 true}}", None, "dHJ1ZQ=="),
    ("base64-map", "{{base64 .}}", {"a": 1.0}, "eyJhIjoxfQ=="),
    ("b64enc-b64dec", '{{b64enc "hello"}} {{b64dec "aGVsbG8="}}', None, "aGVsbG8= hello"),
    ("b64enc-toString", "{{.a | toString | b64enc}}", {"a": 1.0}, "MQ=="),
    ("add", "{{add 1 2 3}} {{add .a 1}} {{add $ -1}}", {"a": 2.9}, "6 3 -1"),
    (
        "sub-mul-div-mod",
        "{{sub 10 3}} {{mul 2 3 4}} {{div 7 2}} {{div -7 2}} {{mod -7 2}}",
        None,
        "7 24 3 -3 -1",
    ),
    ("add1-max-min", "{{add1 .a}} {{max 1 5 3}} {{min 4 2 8}}", {"a": 1.0}, "2 5 2"),
    (
        "float-math",
        "{{addf 1.1 2.2}} {{subf 1 0.3}} {{mulf 1.5 2}} {{divf 1 4}}",
        None,
        "3.3 0.7 3 0.25",
    ),
    (
        "round-floor-ceil",
        "{{round 3.14159 2}} {{round 2.5 0}} {{floor 1.7}} {{ceil 1.2}}",
        None,
        "3.14 3 1 2",
    ),
    (
        "conversions",
        '{{int 3.9}} {{int64 "42"}} {{float64 "1.5"}} {{toString 2.0}}',
        None,
        "3 42 1.5 2",
    ),
    (
        "strings",
        '{{upper "ab"}} {{lower "AB"}} {{trim "  x "}} {{replace "a" "b" "aaa"}}',
        None,
        "AB ab x bbb",
    ),
    (
        "string-tests",
        '{{contains "b" "abc"}} {{hasPrefix "a" "abc"}} {{hasSuffix "x" "abc"}}',
        None,
        "true true false",
    ),
    (
        "trim-affixes",
        '{{trimPrefix "a" "abc"}} {{trimSuffix "c" "abc"}} {{quote "x" 1}}',
        None,
        'bc ab "x" "1"',
    ),
    ("default", '{{default "d" .a}} {{default "d" .b}} {{.a | default "p"}}', {"b": "B"}, "d B p"),
    (
        "empty-coalesce-ternary",
        '{{empty .a}} {{coalesce .a "" "c"}} {{ternary "y" "n" true}}',
        {},
        "true c y",
    ),
    ("sprig-slice", "{{slice . 1}} {{slice . 1 2}}", [1, 2, 3], "[2 3] [2]"),
]

# (id, template, data, expected error message): a function's error, as Go reports it
CALL_ERRORS: list[tuple[str, str, Any, str]] = [
    (
        "index-out-of-range",
        "{{index . 5}}",
        [1],
        'template: sink:1:2: executing "sink" at <index . 5>: '
        "error calling index: index out of range: 5",
    ),
    (
        "index-at-len",
        "{{index . 1}}",
        [1],
        "error calling index: reflect: slice index out of range",
    ),
    (
        "index-map-by-float",
        "{{index . .i}}",
        {"i": 1.0},
        "error calling index: value has type float64; should be string",
    ),
    (
        "index-scalar",
        "{{index .a 0}}",
        {"a": 1.0},
        "error calling index: can't index item of type float64",
    ),
    (
        "index-list-by-float",
        "{{index .l .i}}",
        {"l": [1], "i": 0.0},
        "cannot index slice/array with type float64",
    ),
    ("index-nil", "{{index .a 0}}", {}, "error calling index: index of untyped nil"),
    (
        "lt-float-int",
        "{{if lt .t_av 30}}x{{end}}",
        AWS[0],
        "error calling lt: incompatible types for comparison: float64 and int",
    ),
    (
        "lt-int64-float",
        "{{lt .n 3.0}}",
        {"n": 2},
        "incompatible types for comparison: int64 and float64",
    ),
    (
        "eq-float-string",
        '{{eq .a "1"}}',
        {"a": 1.0},
        "incompatible types for comparison: float64 and string",
    ),
    ("lt-nil", "{{lt .a 1}}", {}, "error calling lt: invalid type for comparison"),
    ("lt-bool", "{{lt true false}}", None, "invalid type for comparison"),
    ("eq-maps", "{{eq . .}}", {"a": 1}, "non-comparable type map[a:1]: map[string]interface {}"),
    ("eq-one-arg", "{{eq 1}}", None, "error calling eq: missing argument for comparison"),
    ("len-float", "{{len .a}}", {"a": 1.5}, "error calling len: len of type float64"),
    ("base64-nil", "{{base64 .a}}", {}, "error calling base64: based64 error for nil"),
    ("div-zero", "{{div 1 0}}", None, "error calling div: runtime error: integer divide by zero"),
]


def _ids(cases: list[tuple[Any, ...]]) -> list[str]:
    return [c[0] for c in cases]


@pytest.mark.parametrize(("name", "template", "data", "expected"), GO_CASES, ids=_ids(GO_CASES))
def test_function_results(name: str, template: str, data: Any, expected: str) -> None:
    assert parse(template).execute(data) == expected


@pytest.mark.parametrize(
    ("name", "template", "data", "message"), CALL_ERRORS, ids=_ids(CALL_ERRORS)
)
def test_function_errors(name: str, template: str, data: Any, message: str) -> None:
    with pytest.raises(TemplateError) as info:
        parse(template).execute(data)
    assert message in str(info.value)
    assert str(info.value).startswith("template: sink:")


def test_json_functions_on_what_go_cannot_marshal() -> None:
    # sprig's toJson and toPrettyJson (and eKuiper's json, which is toJson) drop
    # Marshal's error and give ""; toRawJson panics, which text/template reports.
    data = {"a": math.nan}
    assert parse("[{{json .}}|{{toJson .}}|{{toPrettyJson .}}]").execute(data) == "[||]"
    with pytest.raises(
        TemplateError, match="error calling toRawJson: json: unsupported value: NaN"
    ):
        parse("{{toRawJson .}}").execute(data)
    with pytest.raises(TemplateError, match="error calling base64: json: unsupported value: NaN"):
        parse("{{base64 .}}").execute(data)


@given(JSON_VALUES)
def test_json_of_dot_parses_back_to_the_data(data: Any) -> None:
    # Read back as Go does, numbers as float64: Go writes a big whole float with its
    # shortest digits (5.785678005865803e16 as 57856780058658030), not its exact value.
    text = parse("{{json .}}").execute(data)
    assert json.loads(text, parse_int=float) == data


def test_module_docstring_lists_every_function() -> None:
    # The "not supported" message sends users to this list, so it must be complete.
    doc = gotemplate.__doc__ or ""
    assert [name for name in FUNCS if not re.search(rf"(?<!\w){name}(?!\w)", doc)] == []
