from __future__ import annotations

import json

import pytest

CASE = {
    "name": "doubles",
    "streams": ['CREATE STREAM d () WITH (DATASOURCE="d")'],
    "sql": "SELECT a * 2 AS b FROM d",
    "mockSource": {"d": {"data": [{"a": 1}, {"a": 2}]}},
}


def test_collects_and_passes(pytester: pytest.Pytester) -> None:
    pytester.makefile(
        ".ruletest.json", good=json.dumps({**CASE, "expected": [[{"b": 2}], [{"b": 4}]]})
    )
    result = pytester.runpytest("-p", "no:nbval")
    result.assert_outcomes(passed=1)


def test_failure_shows_readable_diff(pytester: pytest.Pytester) -> None:
    pytester.makefile(
        ".ruletest.json", bad=json.dumps({**CASE, "expected": [[{"b": 2}], [{"b": 5}]]})
    )
    result = pytester.runpytest("-p", "no:nbval")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*case 'doubles'*", "*emissions differ*", '*-[[]{"b":5}[]]*', '*+[[]{"b":4}[]]*']
    )


def test_error_case_fails(pytester: pytest.Pytester) -> None:
    pytester.makefile(".ruletest.json", err=json.dumps({**CASE, "sql": "SELECT nope(a) FROM d"}))
    result = pytester.runpytest("-p", "no:nbval")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*function nope not found*"])
