"""LIKE patterns are regular expressions in eKuiper (pkg/ast/expr_ref.go)."""

from __future__ import annotations

import re

from kuiper_dev.sql.like import like_error, like_regex


def test_wildcards_and_regex_characters() -> None:
    assert re.fullmatch(like_regex("fo_o%"), "fooo-bar")
    # other characters are not escaped: "." matches any character, as in eKuiper
    assert re.fullmatch(like_regex("a.c"), "abc")


def test_backslashes_are_doubled() -> None:
    assert like_regex("foo\\%") == "^foo\\\\%$"
    assert re.fullmatch(like_regex("foo\\%"), "foo\\%")


def test_bad_patterns_are_reported() -> None:
    assert like_error("fo(o") is not None
    assert like_error("fo%o") is None
