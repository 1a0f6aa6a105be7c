"""Nested data: ``->`` paths, ``[i]`` indexes, ``[a:b]`` slices and CASE, with the
results and errors of eKuiper's valuer (``evalJsonExpr``, ``subset``, ``evalCase``)."""

from __future__ import annotations

from typing import Any

import pytest

from kuiper_dev.engine import Binder
from kuiper_dev.engine.compiler import compile_expr
from kuiper_dev.engine.runtime import Scope
from kuiper_dev.engine.structure import case_searched, case_simple
from kuiper_dev.errors import EvalError
from kuiper_dev.plugins import PluginRegistry
from kuiper_dev.sql import parse_expr

ROW = {
    "a": 1,
    "n": None,
    "s": "abc",
    "l": [10, 20, 30, 40],
    "m": {"k": {"j": 5}, "items": [{"x": 1}, {"x": 2}]},
}


def ev(text: str, row: dict[str, Any] = ROW) -> Any:
    return compile_expr(parse_expr(text), Scope(Binder(PluginRegistry()), "rule", ("s",)))(row)


def error_of(text: str) -> str:
    with pytest.raises(EvalError) as info:
        ev(text)
    return str(info.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("m->k", {"j": 5}),
        ("m->k->j", 5),
        ("m->nope", None),
        ("m->nope->j", None),  # a null on the left of -> gives null
        ("n->k", None),
        ("m->items[1]->x", 2),
        ("m.items[0].x", 1),
    ],
)
def test_arrow_reads_object_keys(text: str, expected: Any) -> None:
    assert ev(text) == expected


def test_arrow_on_an_array_is_an_error() -> None:
    assert error_of("l->k") == "the result [10 20 30 40] is not a type of map[string]interface{}"


@pytest.mark.parametrize("text", ["s->k", "a->k", "s->k->j", "(a > 0)->k", "1.5->k"])
def test_arrow_on_a_scalar_is_null(text: str) -> None:
    # eKuiper: no object and no array falls through to the plain operator, whose
    # right side (the row's column k) is null, and an operator over a null is null
    assert ev(text) is None


@pytest.mark.parametrize(
    ("text", "row", "message"),
    [
        ("s->a", ROW, "invalid operation string(abc) -> int64(1)"),
        ("a->s", ROW, "invalid operation int64(1) -> string(abc)"),
        ("f->a", {"f": 1.5, "a": 1}, "invalid operation float64(1.5) -> float64(1)"),
    ],
)
def test_arrow_on_a_scalar_is_an_error_when_the_row_has_a_column_named_like_the_key(
    text: str, row: dict[str, Any], message: str
) -> None:
    # eKuiper evaluates the key as a column of the row there: an odd rule, matched
    with pytest.raises(EvalError) as info:
        ev(text, row)
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("text", "expected"),
    [("l[0]", 10), ("l[3]", 40), ("l[-1]", 40), ("l[-4]", 10), ("l[1.0]", 20), ("l[a]", 20)],
)
def test_an_index_counts_from_zero_or_back_from_the_end(text: str, expected: Any) -> None:
    assert ev(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("l[4]", "out of index: 4 of 4"),
        ("l[-5]", "out of index: -5 of 4"),
        ("s[0]", "invalid operation string(abc) [] index"),
    ],
)
def test_index_errors(text: str, message: str) -> None:
    assert error_of(text) == message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("l[1:3]", [20, 30]),  # the end is excluded
        ("l[:2]", [10, 20]),
        ("l[2:]", [30, 40]),
        ("l[0:4]", [10, 20, 30, 40]),
        ("l[-2:]", [30, 40]),
        ("l[1:-1]", [20, 30]),
        ("l[-3:-1]", [20, 30]),
    ],
)
def test_a_slice_takes_from_start_up_to_end(text: str, expected: Any) -> None:
    assert ev(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("l[4:]", "start value is out of index: 4 of 4"),
        ("l[0:5]", "end value is out of index: 5 of 4"),
        ("l[-5:]", "out of index: -5 of 4"),
        ("l[:-5]", "out of index: -5 of 4"),
        ("l[3:1]", "start cannot be greater than end. start:3  end:1"),
        ("l[2:2]", "start cannot be greater than end. start:2  end:2"),
        ("l[-1:1]", "start cannot be greater than end. start:3  end:1"),
        ("s[0:1]", "invalid operation string(abc) [] slice"),
    ],
)
def test_slice_errors(text: str, message: str) -> None:
    assert error_of(text) == message


@pytest.mark.parametrize("text", ["n[0]", "n[1:2]", "n[:1]"])
def test_indexing_or_slicing_null_gives_null(text: str) -> None:
    assert ev(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("CASE a WHEN 1 THEN 'one' WHEN 2 THEN 'two' END", "one"),
        ("CASE a WHEN 2 THEN 'two' WHEN 1.0 THEN 'one' END", "one"),  # compared as numbers
        ("CASE a WHEN 3 THEN 'x' ELSE 'other' END", "other"),
        ("CASE a WHEN 3 THEN 'x' END", None),  # no match and no ELSE: null
        ("CASE n WHEN 1 THEN 'x' ELSE 'null matches nothing' END", "null matches nothing"),
        ("CASE a WHEN n THEN 'x' WHEN 1 THEN 'y' END", "y"),
        ("CASE a WHEN 1 THEN 'first' WHEN 1 THEN 'second' END", "first"),
    ],
)
def test_simple_case_takes_the_first_equal_when(text: str, expected: Any) -> None:
    assert ev(text) == expected


def test_simple_case_with_values_that_cannot_be_compared_is_an_error() -> None:
    assert error_of("CASE a WHEN 'a' THEN 1 END") == (
        "evaluate case expression error: invalid operation int64(1) = string(a)"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("CASE WHEN a > 5 THEN 'big' WHEN a > 0 THEN 'positive' ELSE 'other' END", "positive"),
        ("CASE WHEN a > 5 THEN 'big' END", None),
        ("CASE WHEN a > n THEN 'x' ELSE 'null compares false' END", "null compares false"),
    ],
)
def test_searched_case_takes_the_first_true_when(text: str, expected: Any) -> None:
    assert ev(text) == expected


def test_only_the_chosen_branch_and_the_whens_before_it_are_evaluated() -> None:
    assert ev("CASE WHEN a = 1 THEN 'x' WHEN 1 / 0 = 1 THEN 1 / 0 END") == "x"
    assert ev("CASE a WHEN 1 THEN 'x' WHEN 1 / 0 THEN 'y' ELSE 1 / 0 END") == "x"
    assert error_of("CASE WHEN a = 2 THEN 'x' WHEN 1 / 0 = 1 THEN 'y' END") == "divided by zero"


def test_searched_case_skips_conditions_that_are_not_true() -> None:
    def const(v: Any) -> Any:
        return lambda row: v

    whens = [(const(c), const(i)) for i, c in enumerate([None, 1, "true", False, True])]
    assert case_searched(whens, None)({}) == 4
    assert case_searched(whens[:4], const("else"))({}) == "else"


def test_simple_case_reads_its_value_once_per_row() -> None:
    reads: list[int] = []

    def value(row: Any) -> int:
        reads.append(1)
        return 3

    choose = case_simple(value, [(lambda r: 1, lambda r: "a"), (lambda r: 3, lambda r: "b")], None)
    assert choose({}) == "b" and len(reads) == 1
