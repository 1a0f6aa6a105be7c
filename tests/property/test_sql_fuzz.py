"""Whatever the text, the parser raises SqlError or returns a tree: nothing else escapes.

Random text finds lexer holes; mutated valid statements (a token dropped, doubled
or swapped, a character changed) reach deep into the grammar, where an
IndexError or ValueError would otherwise hide.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kuiper_dev.errors import SqlError
from kuiper_dev.sql import parse, parse_expr, render
from kuiper_dev.sql.lexer import tokenize

SEEDS = [
    "SELECT a, b.c->d[1:2], * EXCEPT(x) REPLACE(y + 1 AS z) FROM s/+/# AS t "
    "LEFT JOIN u ON t.k = u.k WHERE a IN (1, 2) AND b NOT BETWEEN -1 AND 3 "
    "GROUP BY c, HOPPINGWINDOW(ss, 10, 5) FILTER(WHERE a > 1) OVER (WHEN b PARTITION BY c) "
    "HAVING count(*) > 1 ORDER BY a DESC, b LIMIT 10",
    "SELECT CASE a WHEN 1 THEN 'x' ELSE \"y\" END AS c INVISIBLE, lag(a) OVER (PARTITION BY b WHEN c) "
    "FROM demo GROUP BY STATEWINDOW(a > 1, a < 0)",
    "SELECT row_number() OVER (PARTITION BY a ORDER BY b) AS r, meta(*), a[-1], a[:2] FROM demo "
    "GROUP BY COUNTWINDOW(5, 1)",
    "CREATE STREAM demo (a BIGINT DEFAULT -1, b ARRAY(STRUCT(c FLOAT, d ARRAY(STRING))), "
    'e STRUCT(f BOOLEAN)) WITH (DATASOURCE="t/#", FORMAT="json", SHARED=true, KIND="lookup")',
    "DROP TABLE t; SHOW STREAMS; DESCRIBE STREAM s; EXPLAIN TABLE t",
]
PIECES = [t.value or " " for seed in SEEDS for t in tokenize(seed)] + [
    "`", "'", '"', "\\", "/*", "--", "-", ".", "[", "]", "(", ")", ":", "->", "!", "<", "#", "²",
]  # fmt: skip


def _safe(text: str) -> None:
    for run in (parse, parse_expr):
        try:
            tree = run(text)
        except SqlError:
            continue
        # a tree that parsed must render and parse back to itself
        assert run(render(tree)) == tree


@given(st.text(max_size=60))
def test_random_text_raises_only_sql_errors(text: str) -> None:
    _safe(text)


@given(st.lists(st.sampled_from(PIECES), max_size=30).map(" ".join))
def test_random_token_soup_raises_only_sql_errors(text: str) -> None:
    _safe(text)


@st.composite
def mutated(draw: st.DrawFn) -> str:
    """A valid statement with a few tokens dropped, doubled, swapped or replaced."""
    seed = draw(st.sampled_from(SEEDS))
    tokens = [seed[t.offset : t.offset + max(len(t.value), 1)] for t in tokenize(seed)][:-1]
    for _ in range(draw(st.integers(1, 3))):
        if not tokens:
            break
        i = draw(st.integers(0, len(tokens) - 1))
        action = draw(st.sampled_from(["drop", "double", "swap", "replace", "cut"]))
        if action == "drop":
            del tokens[i]
        elif action == "double":
            tokens.insert(i, tokens[i])
        elif action == "swap" and i + 1 < len(tokens):
            tokens[i], tokens[i + 1] = tokens[i + 1], tokens[i]
        elif action == "replace":
            tokens[i] = draw(st.sampled_from(PIECES))
        elif action == "cut":
            tokens = tokens[:i]
    return " ".join(tokens)


@settings(max_examples=300)
@given(mutated())
def test_mutated_statements_raise_only_sql_errors(text: str) -> None:
    _safe(text)


def test_deep_nesting_is_a_sql_error() -> None:
    try:
        parse("SELECT " + "(" * 5000 + "1" + ")" * 5000 + " FROM s")
    except SqlError as err:
        assert "nests too deeply" in err.message
