"""The eKuiper-ported aggregate cases, run through each incremental form.

``cases/aggregate.json`` calls the list forms; every case whose arguments are
lists of one length (one item per row, as the engine passes them) is folded row
by row here, and split in two and merged, and must give the same result or error.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from kuiper_dev.functions import BUILTINS, FunctionError
from kuiper_dev.functions.registry import keep_values

from ._harness import CASES, same


def _row_cases() -> list[Any]:
    calls = json.loads((CASES / "aggregate.json").read_text(encoding="utf-8"))["calls"]
    out = []
    for i, (name, args, want) in enumerate(calls):
        b = BUILTINS[name]
        arity = len(b.params) + (1 if b.rows_arg else 0)
        if b.incremental is None or len(args) != arity:
            continue
        if not all(isinstance(a, list) and len(a) == len(args[0]) for a in args):
            continue
        rows = [tuple(a[j] for a in args) for j in range(len(args[0]))]
        out.append(pytest.param(name, rows, want, id=f"{name}-{i}"))
    return out


ROW_CASES = _row_cases()


def _check(got: Any, want: Any) -> None:
    if isinstance(want, dict) and set(want) == {"error"}:
        assert isinstance(got, FunctionError) and str(got) == want["error"]
    else:
        assert not isinstance(got, FunctionError), got
        assert same(got, want), f"{got!r} != {want!r}"


def _run(call: Any) -> Any:
    try:
        return call()
    except FunctionError as exc:
        return exc


@pytest.mark.parametrize(("name", "rows", "want"), ROW_CASES)
def test_case_folded_and_merged(name: str, rows: list[tuple[Any, ...]], want: Any) -> None:
    inc = BUILTINS[name].incremental
    assert inc is not None
    for cut in range(len(rows) + 1):
        head, tail = inc.init(), inc.init()
        for row in rows[:cut]:
            head = inc.add(head, *row)
        for row in rows[cut:]:
            tail = inc.add(tail, *row)
        _check(_run(lambda h=head, t=tail: inc.result(inc.merge(h, t))), want)


def test_most_cases_reach_the_incremental_forms() -> None:
    assert len(ROW_CASES) > 70
    assert {c.values[0] for c in ROW_CASES} >= {
        n for n, b in BUILTINS.items() if b.incremental is not None
    }


def test_keep_values_checks_the_row_width() -> None:
    inc = keep_values(lambda xs, ys: (xs, ys), 2)
    acc = inc.add(inc.init(), 1, 2)
    assert inc.result(acc) == ([1], [2])
    with pytest.raises(TypeError, match="takes 2 values per row"):
        inc.add(acc, 1)
