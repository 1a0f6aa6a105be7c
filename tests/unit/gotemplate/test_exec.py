"""Executing templates: eKuiper's documented examples and Go's text/template rules.

Expected outputs come from eKuiper's ``docs/en_US/guide/sinks/data_template.md`` (the
stated results) and from Go's text/template semantics (``exec.go``) for what the docs
do not show.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kuiper_dev.errors import RuleError
from kuiper_dev.gotemplate import Template, TemplateError, parse

from .data import AWS, JSON_VALUES, ROWS

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
    ("numbers-octal-binary-hexfloat", "{{0o17}} {{0b101}} {{0x1p-2}}", None, "15 5 0.25"),
    ("trim-after-spaces", "{{.a  -}}  b", {"a": 1}, "1b"),
    ("paren-command", "{{(.a)}}", {"a": 1}, "1"),
    ("chain-argument", "{{print (.a).b}}", {"a": {"b": 2}}, "2"),
    ("int-argument-from-variable", "{{$p := 0}}{{round 2.5 $p}}", None, "3"),
    (
        "range-assign",
        "{{$i := 0}}{{$e := 0}}{{range $i, $e = .}}{{$i}}{{$e}},{{end}}{{$i}}{{$e}}",
        ["a", "b"],
        "0a,1b,1b",
    ),
    ("range-assign-one-var", "{{$e := 0}}{{range $e = .}}{{end}}{{$e}}", ["a", "b"], "b"),
]

# (id, template, data, expected error message) for execution errors, in Go's words
EXEC_ERRORS: list[tuple[str, str, Any, str]] = [
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
    (
        "function-argument",
        "{{print len}}",
        None,
        "at <len>: wrong number of args for len: want 1 got 0",
    ),
    ("nil-argument", "{{b64enc nil}}", None, "at <nil>: cannot assign nil to string"),
    ("literal-to-int", "{{round 1.5 1.5}}", None, "at <1.5>: expected integer; found 1.5"),
    ("literal-to-bool", '{{ternary 1 2 "x"}}', None, 'expected bool; found "x"'),
    ("nil-command", "{{nil}}", None, "at <nil>: nil is not a command"),
    (
        "range-int-two-vars",
        "{{range $i, $e := 3}}{{end}}",
        None,
        "can't use 3 to iterate over more than one variable",
    ),
    ("second-line-position", "line1\n  {{index . 3}}", [], "template: sink:2:4: executing"),
]


def _ids(cases: list[tuple[Any, ...]]) -> list[str]:
    return [c[0] for c in cases]


@pytest.mark.parametrize(("name", "template", "data", "expected"), DOC_CASES, ids=_ids(DOC_CASES))
def test_documented_examples(name: str, template: str, data: Any, expected: str) -> None:
    assert parse(template).execute(data) == expected


@pytest.mark.parametrize(("name", "template", "data", "expected"), GO_CASES, ids=_ids(GO_CASES))
def test_go_behaviour(name: str, template: str, data: Any, expected: str) -> None:
    assert parse(template).execute(data) == expected


@pytest.mark.parametrize(
    ("name", "template", "data", "message"), EXEC_ERRORS, ids=_ids(EXEC_ERRORS)
)
def test_execution_errors(name: str, template: str, data: Any, message: str) -> None:
    compiled = parse(template)
    with pytest.raises(TemplateError) as info:
        compiled.execute(data)
    assert message in str(info.value)
    assert str(info.value).startswith("template: sink:")


def test_template_error_is_a_rule_error() -> None:
    assert issubclass(TemplateError, RuleError)


def test_parsed_once_executed_many_without_state_leaking() -> None:
    template = parse("{{$n := len .}}{{range .}}{{$n}}{{end}}")
    assert isinstance(template, Template)
    assert template.execute([1, 2]) == "22"
    assert template.execute([1, 2, 3]) == "333"
    assert template.execute([]) == ""


def test_partial_output_is_not_returned_on_error() -> None:
    with pytest.raises(TemplateError):
        parse("ok {{index . 3}}").execute([])


@given(st.text().filter(lambda s: "{{" not in s), JSON_VALUES)
def test_text_without_actions_renders_to_itself(text: str, data: Any) -> None:
    assert parse(text).execute(data) == text


@given(st.dictionaries(st.text("abcXYZ_é", min_size=1, max_size=5), st.integers(), max_size=6))
def test_range_over_a_map_visits_keys_in_sorted_order(data: dict[str, int]) -> None:
    out = parse("{{range $k, $v := .}}{{$k}},{{end}}").execute(data)
    assert out.split(",")[:-1] == sorted(data)


def test_execution_error_points_at_the_failing_node() -> None:
    with pytest.raises(TemplateError) as info:
        parse('{"v": {{index . 0 "x"}}, "w": {{lt .a 1}}}').execute({"a": 2.5})
    err = info.value
    assert err.message == (
        'template: sink:1:8: executing "sink" at <index . 0 "x">: '
        "error calling index: value has type int; should be string"
    )
    assert err.column == 9
