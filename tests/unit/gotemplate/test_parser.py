"""Parsing templates: what Go's ``parse.go`` refuses, in its words, with the place."""

from __future__ import annotations

import pytest

from kuiper_dev.gotemplate import TemplateError, parse
from kuiper_dev.gotemplate.nodes import Action, Field, IfWith, Range, Text
from kuiper_dev.gotemplate.parser import parse_tree

# (id, template, expected parse error)
PARSE_ERRORS: list[tuple[str, str, str]] = [
    ("triple-dot", "{{...a}}", "template: sink:1: unexpected <.> in operand"),
    ("stray-brace", "{{.a } }}", 'template: sink:1: unexpected "}" in operand'),
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
    ("else-after-else", "{{if .}}a{{else}}b{{else}}c{{end}}", "expected end; found {{else}}"),
    ("range-three-vars", "{{range $a, $b, $c := .}}{{end}}", "too many declarations in range"),
    ("line-number", "a\nb\n{{.a } }}", "template: sink:3: unexpected"),
    (
        "lex-error-on-later-line",
        '{{.a\n"x}}',
        "template: sink:2: unterminated quoted string in action started at sink:1",
    ),
    ("unclosed-on-later-line", "{{.a\n ", "template: sink:2: unclosed action started at sink:1"),
    ("range-declares-a-literal", "{{range $i, 3}}{{end}}", "range can only initialize variables"),
    ("break-with-argument", "{{range .}}{{break 1}}{{end}}", 'unexpected "1" in {{break}}'),
    ("invalid-escape", '{{"\\q"}}', "template: sink:1: invalid syntax"),
    ("illegal-number", "{{0x}}", 'template: sink:1: illegal number syntax: "0x"'),
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


def _ids(cases: list[tuple[str, ...]]) -> list[str]:
    return [c[0] for c in cases]


@pytest.mark.parametrize(("name", "template", "message"), PARSE_ERRORS, ids=_ids(PARSE_ERRORS))
def test_parse_errors(name: str, template: str, message: str) -> None:
    with pytest.raises(TemplateError) as info:
        parse(template)
    assert message in str(info.value)


@pytest.mark.parametrize(("name", "template", "message"), UNSUPPORTED, ids=_ids(UNSUPPORTED))
def test_unsupported_constructs_are_refused_at_compile_time(
    name: str, template: str, message: str
) -> None:
    with pytest.raises(TemplateError) as info:
        parse(template)
    assert message in str(info.value)


def test_tree_of_a_template() -> None:
    root = parse_tree("a{{.b.c}}{{if .x}}y{{else}}z{{end}}{{range .}}{{end}}")
    text, action, cond, loop = root.nodes
    assert isinstance(text, Text) and text.text == "a"
    assert isinstance(action, Action) and str(action) == "{{.b.c}}"
    assert isinstance(action.pipe.cmds[0].args[0], Field)
    assert isinstance(cond, IfWith) and cond.else_body is not None
    assert isinstance(loop, Range) and loop.else_body is None


def test_error_keeps_go_message_and_points_at_the_place() -> None:
    with pytest.raises(TemplateError) as info:
        parse("line one\n{{.a } }}")
    err = info.value
    assert err.message == 'template: sink:2: unexpected "}" in operand'
    assert (err.line, err.column) == (2, 6)
    assert str(err).endswith("{{.a } }}\n         ^")


def test_an_action_left_open_at_a_trailing_newline_is_reported_not_crashed() -> None:
    with pytest.raises(TemplateError, match="unclosed action") as info:
        parse("{{.a\n")
    assert str(info.value).endswith("at line 2, column 1:\n    \n    ^")
