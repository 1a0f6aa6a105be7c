"""Rule-test cases reaching plugin sources (live, bounded) and plugin sinks."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from kuiper_dev.testing import load_case, run_case
from tests.fixtures import ROOT


def write_case(tmp_path: Path, case: dict[str, object]) -> Path:
    path = tmp_path / "case.ruletest.json"
    path.write_text(json.dumps({"plugins": str(ROOT / "plugins"), **case}))
    return path


def test_plugin_source_runs_live_until_the_limit(tmp_path: Path) -> None:
    case = write_case(tmp_path, {
        "streams": [
            'CREATE STREAM dev (temperature FLOAT, seq BIGINT) '
            'WITH (DATASOURCE="boiler-1", TYPE="modbusSim", CONF_KEY="fast")'
        ],
        "sql": "SELECT seq, temperature FROM dev WHERE seq > 1",
        "limit": 3,
        "timeoutMs": 5000,
    })  # fmt: skip
    outcome = run_case(load_case(case))
    assert outcome.error is None
    assert [e[0]["seq"] for e in outcome.emissions] == [2, 3, 4]
    assert all(15 <= e[0]["temperature"] <= 35 for e in outcome.emissions)


def test_live_run_that_misses_its_limit_is_an_error(tmp_path: Path) -> None:
    case = write_case(tmp_path, {
        "streams": ['CREATE STREAM dev () WITH (DATASOURCE="d", TYPE="modbusSim")'],
        "sql": "SELECT * FROM dev WHERE seq > 100",
        "limit": 1,
        "timeoutMs": 300,
    })  # fmt: skip
    outcome = run_case(load_case(case))
    assert (
        outcome.error is not None
        and "timed out after 300 ms with 0 of 1 emissions" in outcome.error
    )


def test_unknown_source_type_says_did_you_mean(tmp_path: Path) -> None:
    case = write_case(tmp_path, {
        "streams": ['CREATE STREAM dev () WITH (DATASOURCE="d", TYPE="modbusSm")'],
        "sql": "SELECT * FROM dev",
        "limit": 1,
    })  # fmt: skip
    outcome = run_case(load_case(case))
    assert outcome.error is not None and 'Did you mean "modbusSim"' in outcome.error


def test_plugin_sink_receives_the_rows(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    case = write_case(tmp_path, {
        "streams": ['CREATE STREAM s (id BIGINT, v FLOAT) WITH (DATASOURCE="s")'],
        "sql": "SELECT id, v * 2 AS dv FROM s",
        "actions": [{"csvWriter": {"path": str(out), "sendSingle": True}}],
        "mockSource": {"s": {"data": [{"id": 1, "v": 1.5}, {"id": 2, "v": 3}]}},
        "expected": [{"id": 1, "dv": 3}, {"id": 2, "dv": 6}],
    })  # fmt: skip
    outcome = run_case(load_case(case))
    assert outcome.error is None and outcome.passed
    with out.open() as f:
        rows = list(csv.DictReader(f))
    assert rows == [{"dv": "3", "id": "1"}, {"dv": "6", "id": "2"}]
