"""Sink ``dataTemplate`` rendering: eKuiper's documented examples and Go's text/template rules.

Expected outputs come from eKuiper's ``docs/en_US/guide/sinks/data_template.md`` (the
stated results) and from Go's text/template semantics (``exec.go``, ``funcs.go``,
``parse/lex.go``) for what the docs do not show.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kuiper_dev.engine.gotemplate import Template, TemplateError, compile_template
from kuiper_dev.errors import RuleError

ROWS = [{"ab": "hello1"}, {"ab": "hello2"}]
AWS = [
    {"device_id": "1", "t_av": 36.25, "t_count": 4.0, "t_max": 80.0, "t_min": 10.0},
    {"device_id": "2", "t_av": 27.0, "t_count": 4.0, "t_max": 45.0, "t_min": 12.0},
]
NESTED = {
    "device_id": "1",
    "values": [{"temperature": 10.5}, {"temperature": 20.3}, {"temperature": 30.3}],
}
CONVERSION = (
    '{"device_id": {{.device_id}}, "description": "{{if lt .t_av 30.0}}Current temperature is '
    "{{.t_av}}, it's normal.\"{{else if ge .t_av 30.0}}Current temperature is {{.t_av}}, "
    "it's high.\"{{end}}}"
)
TRAVERSAL = (
    "{{$len := len .values}} {{$loopsize := add $len -1}} "
    '{"device_id": "{{.device_id}}", "description": [{{range $index, $ele := .values}} '
    '{{if le .temperature 25.0}}"fine"{{else if gt .temperature 25.0}}"high"{{end}} '
    "{{if eq $loopsize $index}}]{{else}},{{end}}{{end}}}"
)

# (id, template, data, expected output)
DOC_CASES: list[tuple[str, str, Any, str]] = [
    # data_template.md, "Simple Template", sendSingle=true
    ("single-whole-record", '{"content":{{json .}}}', ROWS[0], '{"content":{"ab":"hello1"}}'),
    ("single-field", '{"content":{{.ab}}}', ROWS[0], '{"content":hello1}'),
    ("single-quoted-field", '{"content":"{{.ab}}"}', ROWS[0], '{"content":"hello1"}'),
    # sendSingle=false
    (
        "array-whole",
        '{"content":{{json .}}}',
        ROWS,
        '{"content":[{"ab":"hello1"},{"ab":"hello2"}]}',
    ),
    ("array-first", '{"content":{{json (index . 0)}}}', ROWS, '{"content":{"ab":"hello1"}}'),
    ("array-first-field", '{"content":{{index . 0 "ab"}}}', ROWS, '{"content":hello1}'),
    (
        "array-html",
        "<div>results</div><ul>{{range .}}<li>{{.ab}}</li>{{end}}</ul>",
        ROWS,
        "<div>results</div><ul><li>hello1</li><li>hello2</li></ul>",
    ),
    # "Send slice data by piece"
    (
        "to-json",
        "{{toJson .}}",
        AWS[1],
        '{"device_id":"2","t_av":27,"t_count":4,"t_max":45,"t_min":12}',
    ),
    # "Data content conversion": the two stated results
    (
        "conversion-high",
        CONVERSION,
        AWS[0],
        '{"device_id": 1, "description": "Current temperature is 36.25, it\'s high."}',
    ),
    (
        "conversion-normal",
        CONVERSION,
        AWS[1],
        '{"device_id": 2, "description": "Current temperature is 27, it\'s normal."}',
    ),
    # "Data traversal": the stated result, after the two spaces the first actions leave
    (
        "traversal",
        TRAVERSAL,
        NESTED,
        '  {"device_id": "1", "description": [ "fine" , "fine" , "high" ]}',
    ),
    # "Actions"
    (
        "if-else-doc",
        '{{if .x}} {"field1": true} {{else}}  {"field1": false} {{end}}',
        {"x": 1.0},
        ' {"field1": true} ',
    ),
    # overview.md: topic by index, and other sinks' property templates
    ("overview-topic", 'prefix/{{index . 0 "topic"}}', [{"topic": "t1"}], "prefix/t1"),
    (
        "nested-field",
        '{"keyMapkey":"{{.data.key.value}}"}',
        {"data": {"key": {"value": 3.0}}},
        '{"keyMapkey":"3"}',
    ),
    (
        "rest-sql",
        "insert into mqtt.kuiper values (now, {{.temperature}}, {{.humidity}})",
        {"temperature": 20.5, "humidity": 50.0},
        "insert into mqtt.kuiper values (now, 20.5, 50)",
    ),
    ("fvt-array", '[{"v":{{.a}}},{"v":{{.b}}}]', {"a": 1.0, "b": 2.0}, '[{"v":1},{"v":2}]'),
    # eKuiper's transform_op_test: a missing key prints <no value>
    ("missing-index", '{"ab":{{index . 0 "a"}}}', [{"b": 1.0}], '{"ab":<no value>}'),
    (
        "missing-fields",
        '{"ab":{{.a}},"bb":{{.b}}}',
        {"data": {}},
        '{"ab":<no value>,"bb":<no value>}',
    ),
    ("missing-prop", "schema_{{.a}}", {"data": {"a": 5}}, "schema_<no value>"),
]

# (id, template, data, expected): Go text/template behaviour
GO_CASES: list[tuple[str, str, Any, str]] = [
    ("plain-text", "no actions here", None, "no actions here"),
    ("dot", "{{.}}", "x", "x"),
    ("trim-both", "{{23 -}} < {{- 45}}", None, "23<45"),
    ("trim-newlines", "a  \n\t{{- .x -}}\n  b", {"x": 1}, "a1b"),
    ("no-trim-without-space", "{{-3}}", None, "-3"),
    ("comment", "a{{/* a comment */}}b", None, "ab"),
    ("comment-trim", "a {{- /* c */ -}} b", None, "ab"),
    ("multiline-comment", "a{{/* one\ntwo */}}b", None, "ab"),
    ("newline-in-action", "{{if\n.x}}y{{end}}", {"x": True}, "y"),
    ("float-whole", "{{.}}", 20.0, "20"),
    ("float-exp", "{{.}}", 1e6, "1e+06"),
    ("float-small", "{{.}}", 0.1, "0.1"),
    ("float-big-fixed", "{{.}}", 123456.0, "123456"),
    ("float-tiny", "{{.}}", 0.00001, "1e-05"),
    ("int64", "{{.}}", 1234567890123, "1234567890123"),
    ("bool", "{{.a}} {{.b}}", {"a": True, "b": False}, "true false"),
    ("null-field", "{{.a}}", {"a": None}, "<no value>"),
    ("null-in-list", "{{.}}", [1, None], "[1 <nil>]"),
    ("map-sorted", "{{.}}", {"b": 2.0, "a": [1.0, "x"]}, "map[a:[1 x] b:2]"),
    ("missing-chain", "{{.a.b.c}}", {}, "<no value>"),
    ("dollar", "{{range .xs}}{{$.name}}{{.}}{{end}}", {"name": "n", "xs": [1, 2]}, "n1n2"),
    ("var-declare", "{{$x := .a}}{{$x}}", {"a": "v"}, "v"),
    ("var-field", "{{$r := .}}{{$r.a.b}}", {"a": {"b": 7}}, "7"),
    ("var-assign", "{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}", None, "2"),
    (
        "var-assign-in-range",
        "{{$last := 0}}{{range .}}{{$last = .}}{{end}}{{$last}}",
        [1, 2, 3],
        "3",
    ),
    ("var-shadow-in-if", "{{$x := 1}}{{if true}}{{$x := 2}}{{$x}}{{end}}{{$x}}", None, "21"),
    ("if-else-if-chain", "{{if eq . 1}}one{{else if eq . 2}}two{{else}}many{{end}}", 2, "two"),
    ("if-else-chain-last", "{{if eq . 1}}one{{else if eq . 2}}two{{else}}many{{end}}", 5, "many"),
    ("if-empty-list", "{{if .}}y{{else}}n{{end}}", [], "n"),
    ("if-zero", "{{if .}}y{{else}}n{{end}}", 0.0, "n"),
    ("if-missing", "{{if .a}}y{{else}}n{{end}}", {}, "n"),
    ("with", "{{with .a}}{{.b}}{{end}}", {"a": {"b": 1}}, "1"),
    ("with-else", "{{with .a}}{{.}}{{else}}none{{end}}", {}, "none"),
    ("with-else-with", "{{with .a}}a{{else with .b}}{{.}}{{end}}", {"b": "B"}, "B"),
    ("with-var", "{{with $x := .a}}{{$x}}{{end}}", {"a": 3}, "3"),
    ("range-list", "{{range .}}[{{.}}]{{end}}", ["a", "b"], "[a][b]"),
    ("range-index", "{{range $i, $v := .}}{{$i}}={{$v}} {{end}}", ["a", "b"], "0=a 1=b "),
    ("range-one-var", "{{range $v := .}}{{$v}}{{end}}", ["a", "b"], "ab"),
    (
        "range-map-sorted",
        "{{range $k, $v := .}}{{$k}}:{{$v}},{{end}}",
        {"b": 2, "a": 1, "c": 3},
        "a:1,b:2,c:3,",
    ),
    ("range-map-values", "{{range .}}{{.}}{{end}}", {"b": 2, "a": 1}, "12"),
    ("range-else-empty", "{{range .}}x{{else}}empty{{end}}", [], "empty"),
    ("range-else-missing", "{{range .a}}x{{else}}empty{{end}}", {}, "empty"),
    ("range-int", "{{range 3}}{{.}}{{end}}", None, "012"),
    ("range-break", "{{range .}}{{if eq . 3}}{{break}}{{end}}{{.}}{{end}}", [1, 2, 3, 4], "12"),
    ("range-continue", "{{range .}}{{if eq . 2}}{{continue}}{{end}}{{.}}{{end}}", [1, 2, 3], "13"),
    (
        "range-nested-break",
        "{{range .}}{{range .}}{{break}}{{end}}{{.}}{{end}}",
        [[1], [2]],
        "[1][2]",
    ),
    ("pipeline", '{{.a | printf "%s!"}}', {"a": "hi"}, "hi!"),
    ("pipeline-final-arg-last", '{{"a" | printf "%s-%s" "b"}}', None, "b-a"),
    ("pipeline-chain", '{{. | len | printf "%03d"}}', "abcd", "004"),
    ("paren", '{{printf "%d" (len .)}}', [1, 2], "2"),
    ("paren-field", "{{(index . 0).ab}}", ROWS, "hello1"),
    ("string-escapes", '{{"a\\tb\\u00e9\\x41\\n"}}', None, "a\tbéA\n"),
    ("raw-string", "{{`a\\tb`}}", None, "a\\tb"),
    ("char-constant", "{{'a'}}", None, "97"),
    (
        "numbers",
        "{{0x1F}} {{017}} {{1_000}} {{1.5e3}} {{.5}} {{-2}}",
        None,
        "31 15 1000 1500 0.5 -2",
    ),
    ("literals", "{{true}} {{false}}", None, "true false"),
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
    ("print", '{{print 1 2 "a" 3 "b" "c"}}', None, "1 2a3bc"),
    ("print-nil", "{{print .a}}", {}, "<nil>"),
    ("println", '{{println 1 "a"}}', None, "1 a\n"),
    (
        "html",
        '{{html "<a href=\'x\'>&\\"</a>"}}',
        None,
        "&lt;a href=&#39;x&#39;&gt;&amp;&#34;&lt;/a&gt;",
    ),
    ("html-pipe", "{{.a | html}}", {"a": "<b>"}, "&lt;b&gt;"),
    ("js", '{{js "a\'b\\"<>&=\\\\"}}', None, "a\\'b\\\"\\u003C\\u003E\\u0026\\u003D\\\\"),
    ("urlquery", '{{urlquery "a b&c=d/é"}}', None, "a+b%26c%3Dd%2F%C3%A9"),
    # printf: Go's fmt verbs on the types eKuiper holds
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
    # eKuiper's own and sprig's functions
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

# (id, template, data, expected error message) for execution errors, in Go's words
EXEC_ERRORS: list[tuple[str, str, Any, str]] = [
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
        "field-of-string",
        "{{.a.b}}",
        {"a": "x"},
        'sink:1:2: executing "sink" at <.a.b>: can\'t evaluate field b in type interface {}',
    ),
    (
        "field-of-array",
        "{{.ab}}",
        ROWS,
        "can't evaluate field ab in type []map[string]interface {}",
    ),
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
    ("wrong-arg-count", "{{lt 1}}", None, "at <lt>: wrong number of args for lt: want 2 got 1"),
    (
        "wrong-arg-type",
        "{{b64enc .a}}",
        {"a": 1.0},
        'sink:1:9: executing "sink" at <.a>: wrong type for value; expected string; got float64',
    ),
    ("nil-to-string", "{{b64enc .a}}", {}, "invalid value; expected string"),
    ("literal-to-string", "{{b64enc 1}}", None, "expected string; found 1"),
    ("field-with-args", "{{.a 1}}", {"a": 1}, "a is not a method but has arguments"),
    ("arg-to-non-function", '{{"x" | $}}', None, "can't give argument to non-function $"),
    ("range-over-float", "{{range .}}x{{end}}", 1.5, "range can't iterate over 1.5"),
    ("base64-nil", "{{base64 .a}}", {}, "error calling base64: based64 error for nil"),
    ("div-zero", "{{div 1 0}}", None, "error calling div: runtime error: integer divide by zero"),
    ("second-line-position", "line1\n  {{index . 3}}", [], "template: sink:2:4: executing"),
]

# (id, template, expected parse error)
PARSE_ERRORS: list[tuple[str, str, str]] = [
    ("triple-dot", "{{...a}}", "template: sink:1: unexpected <.> in operand"),
    ("stray-brace", "{{.a } }}", 'template: sink:1: unexpected "}" in operand'),
    ("unclosed-action", "{{.a", "template: sink:1: unclosed action"),
    ("missing-end", "{{if .a}}x", "template: sink:1: unexpected EOF"),
    ("stray-end", "x{{end}}", "template: sink:1: unexpected {{end}}"),
    ("stray-else", "{{else}}", "template: sink:1: unexpected {{else}}"),
    ("empty-action", "{{}}", "template: sink:1: missing value for command"),
    ("empty-if", "{{if}}{{end}}", "template: sink:1: missing value for if"),
    ("undefined-variable", "{{$x}}", 'template: sink:1: undefined variable "$x"'),
    ("variable-out-of-scope", "{{if true}}{{$x := 1}}{{end}}{{$x}}", 'undefined variable "$x"'),
    ("undefined-function", "{{frob .}}", 'template: sink:1: function "frob" not defined'),
    ("did-you-mean", "{{tojson .}}", 'function "tojson" not defined; did you mean "toJson"?'),
    ("break-outside-range", "{{break}}", "template: sink:1: {{break}} outside {{range}}"),
    ("continue-outside-range", "{{if true}}{{continue}}{{end}}", "{{continue}} outside {{range}}"),
    ("field-on-literal", '{{"a".b}}', 'template: sink:1: unexpected . after term "\\"a\\""'),
    (
        "non-executable-stage",
        "{{.a | 1}}",
        "template: sink:1: non executable command in pipeline stage 2",
    ),
    ("unterminated-string", '{{"abc}}', "template: sink:1: unterminated quoted string"),
    ("unterminated-raw", "{{`abc}}", "template: sink:1: unterminated raw quoted string"),
    ("unclosed-comment", "{{/* abc}}", "template: sink:1: unclosed comment"),
    ("comment-not-closed-by-delim", "{{/* c */ x}}", "comment ends before closing delimiter"),
    ("unclosed-paren", "{{(len .}}", "template: sink:1: unclosed left paren"),
    ("extra-paren", "{{len .)}}", "template: sink:1: unexpected right paren"),
    ("bad-number", "{{1x}}", 'template: sink:1: bad number syntax: "1x"'),
    ("bad-character", "{{.a+}}", "template: sink:1: bad character U+002B '+'"),
    ("else-after-else", "{{if .}}a{{else}}b{{else}}c{{end}}", "expected end; found {{else}}"),
    ("range-three-vars", "{{range $a, $b, $c := .}}{{end}}", "too many declarations in range"),
    ("line-number", "a\nb\n{{.a } }}", "template: sink:3: unexpected"),
]

# (id, template, text that must appear in the refusal)
UNSUPPORTED: list[tuple[str, str, str]] = [
    ("template", '{{template "x"}}', "{{template}} is not supported by kuiper_dev yet"),
    ("define", '{{define "x"}}y{{end}}', "{{define}} is not supported by kuiper_dev yet"),
    ("block", '{{block "x" .}}y{{end}}', "{{block}} is not supported by kuiper_dev yet"),
    (
        "sprig-unsupported",
        "{{nospace .a}}",
        'function "nospace" is not supported by kuiper_dev yet',
    ),
    ("sprig-date", "{{now}}", 'function "now" is not supported by kuiper_dev yet'),
    ("ekuiper-prop", '{{prop "a"}}', 'function "prop" is not supported by kuiper_dev yet'),
    ("go-call", "{{call .f}}", 'function "call" is not supported by kuiper_dev yet'),
    ("complex", "{{1+2i}}", "complex number 1+2i is not supported by kuiper_dev yet"),
]


def _ids(cases: list[tuple[Any, ...]]) -> list[str]:
    return [c[0] for c in cases]


@pytest.mark.parametrize(("name", "template", "data", "expected"), DOC_CASES, ids=_ids(DOC_CASES))
def test_documented_examples(name: str, template: str, data: Any, expected: str) -> None:
    assert compile_template(template).render(data) == expected


@pytest.mark.parametrize(("name", "template", "data", "expected"), GO_CASES, ids=_ids(GO_CASES))
def test_go_behaviour(name: str, template: str, data: Any, expected: str) -> None:
    assert compile_template(template).render(data) == expected


@pytest.mark.parametrize(
    ("name", "template", "data", "message"), EXEC_ERRORS, ids=_ids(EXEC_ERRORS)
)
def test_execution_errors(name: str, template: str, data: Any, message: str) -> None:
    compiled = compile_template(template)
    with pytest.raises(TemplateError) as info:
        compiled.render(data)
    assert message in str(info.value)
    assert str(info.value).startswith("template: sink:")


@pytest.mark.parametrize(("name", "template", "message"), PARSE_ERRORS, ids=_ids(PARSE_ERRORS))
def test_parse_errors(name: str, template: str, message: str) -> None:
    with pytest.raises(TemplateError) as info:
        compile_template(template)
    assert message in str(info.value)


@pytest.mark.parametrize(("name", "template", "message"), UNSUPPORTED, ids=_ids(UNSUPPORTED))
def test_unsupported_constructs_are_refused_at_compile_time(
    name: str, template: str, message: str
) -> None:
    with pytest.raises(TemplateError) as info:
        compile_template(template)
    assert message in str(info.value)


def test_template_error_is_a_rule_error() -> None:
    assert issubclass(TemplateError, RuleError)


def test_compiled_once_rendered_many_without_state_leaking() -> None:
    template = compile_template("{{$n := len .}}{{range .}}{{$n}}{{end}}")
    assert isinstance(template, Template)
    assert template.render([1, 2]) == "22"
    assert template.render([1, 2, 3]) == "333"
    assert template.render([]) == ""


def test_partial_output_is_not_returned_on_error() -> None:
    with pytest.raises(TemplateError):
        compile_template("ok {{index . 3}}").render([])


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53), max_value=2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=12,
)


@given(st.text().filter(lambda s: "{{" not in s), _JSON)
def test_text_without_actions_renders_to_itself(text: str, data: Any) -> None:
    assert compile_template(text).render(data) == text


@given(_JSON)
def test_json_of_dot_parses_back_to_the_data(data: Any) -> None:
    # Read back as Go does, numbers as float64: Go writes a big whole float with its
    # shortest digits (5.785678005865803e16 as 57856780058658030), not its exact value.
    text = compile_template("{{json .}}").render(data)
    assert json.loads(text, parse_int=float) == data


@given(st.dictionaries(st.text("abcXYZ_é", min_size=1, max_size=5), st.integers(), max_size=6))
def test_range_over_a_map_visits_keys_in_sorted_order(data: dict[str, int]) -> None:
    out = compile_template("{{range $k, $v := .}}{{$k}},{{end}}").render(data)
    assert out.split(",")[:-1] == sorted(data)


def test_error_keeps_go_message_and_points_at_the_place() -> None:
    with pytest.raises(TemplateError) as info:
        compile_template("line one\n{{.a } }}")
    err = info.value
    assert err.message == 'template: sink:2: unexpected "}" in operand'
    assert (err.line, err.column) == (2, 6)
    assert str(err).endswith("{{.a } }}\n         ^")


def test_execution_error_points_at_the_failing_node() -> None:
    with pytest.raises(TemplateError) as info:
        compile_template('{"v": {{index . 0 "x"}}, "w": {{lt .a 1}}}').render({"a": 2.5})
    err = info.value
    assert err.message == (
        'template: sink:1:8: executing "sink" at <index . 0 "x">: '
        "error calling index: value has type int; should be string"
    )
    assert err.column == 9


def test_module_docstring_lists_every_function() -> None:
    # The "not supported" message sends users to this list, so it must be complete.
    from kuiper_dev.engine import gotemplate
    from kuiper_dev.engine._gotemplate_funcs import FUNCS

    doc = gotemplate.__doc__ or ""
    assert [name for name in FUNCS if not re.search(rf"(?<!\w){name}(?!\w)", doc)] == []
