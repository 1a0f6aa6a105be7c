"""Lexing templates: Go's ``lex.go`` tokens, trim markers and lexical errors."""

from __future__ import annotations

import pytest

from kuiper_dev.gotemplate import TemplateError, parse
from kuiper_dev.gotemplate.lexer import lex

# (id, template, expected error): the lexer's, reported by the parser
LEX_ERRORS: list[tuple[str, str, str]] = [
    ("unclosed-action", "{{.a", "template: sink:1: unclosed action"),
    ("unclosed-after-space", "{{.a ", "template: sink:1: unclosed action"),
    ("unclosed-empty-action", "{{ ", "template: sink:1: unclosed action"),
    ("unterminated-string", '{{"abc}}', "template: sink:1: unterminated quoted string"),
    ("unterminated-raw", "{{`abc}}", "template: sink:1: unterminated raw quoted string"),
    ("unclosed-comment", "{{/* abc}}", "template: sink:1: unclosed comment"),
    ("comment-not-closed-by-delim", "{{/* c */ x}}", "comment ends before closing delimiter"),
    ("unclosed-paren", "{{(len .}}", "template: sink:1: unclosed left paren"),
    ("extra-paren", "{{len .)}}", "template: sink:1: unexpected right paren"),
    ("bad-number", "{{1x}}", 'template: sink:1: bad number syntax: "1x"'),
    ("bad-character", "{{.a+}}", "template: sink:1: bad character U+002B '+'"),
    ("bad-character-in-name", "{{len€}}", "template: sink:1: bad character U+20AC '€'"),
    ("colon-without-equals", "{{.a : 1}}", "template: sink:1: expected :="),
    ("unrecognized", "{{ € }}", "template: sink:1: unrecognized character in action: U+20AC '€'"),
    ("sign-without-imaginary", "{{1+2}}", 'template: sink:1: bad number syntax: "1+2"'),
]


def _ids(cases: list[tuple[str, ...]]) -> list[str]:
    return [c[0] for c in cases]


@pytest.mark.parametrize(("name", "template", "message"), LEX_ERRORS, ids=_ids(LEX_ERRORS))
def test_lexical_errors(name: str, template: str, message: str) -> None:
    with pytest.raises(TemplateError) as info:
        parse(template)
    assert message in str(info.value)


def test_tokens_of_an_action() -> None:
    items = lex('x {{- $v := .a | printf "%d" 1.5 -}} y')
    assert [(i.kind, i.val) for i in items] == [
        ("text", "x"),
        ("left", "{{"),
        ("variable", "$v"),
        ("space", " "),
        ("declare", ":="),
        ("space", " "),
        ("field", ".a"),
        ("space", " "),
        ("pipe", "|"),
        ("space", " "),
        ("identifier", "printf"),
        ("space", " "),
        ("string", '"%d"'),
        ("space", " "),
        ("number", "1.5"),
        ("right", "}}"),
        ("text", "y"),
        ("eof", ""),
    ]


def test_a_minus_without_space_is_a_number_not_a_trim_marker() -> None:
    assert [i.kind for i in lex("{{-3}}")] == ["left", "number", "right", "eof"]


def test_spaces_before_a_trim_marker_keep_one_space_token() -> None:
    items = lex("{{.a  -}}  b")
    assert [(i.kind, i.val) for i in items] == [
        ("left", "{{"),
        ("field", ".a"),
        ("space", " "),
        ("right", "}}"),
        ("text", "b"),
        ("eof", ""),
    ]


@pytest.mark.parametrize("text", ["{{ ", "{{.a\t", "{{.a\n", "{{if .a \r\n"])
def test_an_action_left_open_after_spaces_ends_in_an_error(text: str) -> None:
    # The end of the text is not a space: lexing used to loop there forever.
    last = lex(text)[-1]
    assert (last.kind, last.val) == ("error", "unclosed action")


def test_items_know_their_line() -> None:
    items = lex("a\n{{.b}}")
    assert [(i.kind, i.line) for i in items] == [
        ("text", 1),
        ("left", 2),
        ("field", 2),
        ("right", 2),
        ("eof", 2),
    ]
