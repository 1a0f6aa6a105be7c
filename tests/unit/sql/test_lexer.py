"""The scanner's eKuiper quirks (internal/xsql/lexical.go), one behaviour each."""

from __future__ import annotations

import pytest

from kuiper_dev.errors import SqlError
from kuiper_dev.sql.lexer import tokenize
from kuiper_dev.sql.tokens import T


def _values(sql: str) -> list[str]:
    return [t.value for t in tokenize(sql)][:-1]


@pytest.mark.parametrize(
    ("sql", "values"),
    [
        ("a > = 1", ["a", ">=", "1"]),  # blanks inside two-character operators
        ("a !\t= 1", ["a", "!=", "1"]),
        ("a ! 1", ["a", "=", "1"]),  # a lone ! is =
        ("a <> 1", ["a", "<", ">", "1"]),  # no <> operator
        ("a - > b", ["a", "->", "b"]),
        ("a - -1\nb", ["a", "b"]),  # - followed by - starts a comment
        ("a / * c */ b", ["a", "b"]),  # so does / followed by *
        ("-. 5", ["-.5"]),  # the scanner reads a negative fraction itself
        ("s/+/#", ["s", "/", "+", "/", "#"]),
        ("`half", ["half"]),  # an unclosed back quote runs to the end
    ],
)
def test_scanner_quirks(sql: str, values: list[str]) -> None:
    assert _values(sql) == values


def test_only_ekuiper_keywords_are_keywords() -> None:
    kinds = {t.value: t.kind for t in tokenize("SELECT create stream ss INVISIBLE with")}
    assert kinds["create"] is T.IDENT and kinds["stream"] is T.IDENT and kinds["with"] is T.IDENT
    assert kinds["ss"] is T.KEYWORD and kinds["INVISIBLE"] is T.KEYWORD


@pytest.mark.parametrize("sql", ["_a", "café", "a\u00a0b"])
def test_names_start_with_an_ascii_letter(sql: str) -> None:
    with pytest.raises(SqlError, match="expected a valid token"):
        tokenize(sql)


def test_positions_are_one_based_lines_and_columns() -> None:
    toks = tokenize("a\n  bb\n\nc")
    assert [(t.value, t.line, t.column) for t in toks] == [
        ("a", 1, 1),
        ("bb", 2, 3),
        ("c", 4, 1),
        ("", 4, 2),
    ]
