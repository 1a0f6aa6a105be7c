"""Shrunk counterexamples kept as regression cases that replay forever after.

A function's failure becomes a ``*.ruletest.json`` case (DESIGN.md format) whose
rule calls the function on the shrunk input: while the bug lives, the rule
errors or emits something else than ``expected``, so ``kuiper-dev ruletest
--check`` and pytest fail. A source's or sink's failure is about its lifecycle,
which a rule test cannot drive, so it becomes a ``*.contract.json`` case: the
plugin, its conf and the shrunk steps, replayed by :func:`replay_contract`
(pytest collects those files too).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from .._types import PluginKind
from ..errors import RuleTestError

__all__ = ["NOT_WRITTEN", "REGRESSIONS_DIR", "function_case", "plugins_folder", "write_case"]

REGRESSIONS_DIR = Path("tests") / "regressions"
"""Where regression cases go, relative to the current folder."""

_STREAM = "regression"

NOT_WRITTEN = (
    "no regression case written: the plugin was defined in a cell, so a case could not "
    "load it; save it under plugins/ (kuiper-dev export) to keep its regressions"
)


def plugins_folder(plugins_dir: Path | None, where: str) -> Path | None:
    """The plugins folder a case can load the plugin from: None for a plugin defined in a cell.

    >>> plugins_folder(Path("plugins"), "<kuiper plugin Twice>") is None
    True
    """
    if plugins_dir is None or not Path(where).is_file():
        return None
    return plugins_dir


def _args(n: int) -> str:
    return ", ".join(f"a{i}" for i in range(n))


def function_case(
    name: str, law: str, args: list[Any], *, aggregate: bool = False, expected: Any = None
) -> dict[str, Any]:
    """The rule-test case that replays a broken function law on ``args``.

    Scalar laws call the function on one message; an aggregate's ``args`` are its
    column lists (one value per row) and an order law gives the rows, then the
    same rows reordered, to two count windows, expecting ``expected`` from both.

    >>> function_case("f", "never raises", [-1])["sql"]
    'SELECT isNull(f(a0)) OR true AS ok FROM regression'
    """
    n = len(args)
    if aggregate and args:
        rows = [{f"a{i}": col[j] for i, col in enumerate(args)} for j in range(len(args[0]))]
    else:
        rows = [{f"a{i}": a for i, a in enumerate(args)}]
    call = f"{name}({_args(n)})"
    window = f" GROUP BY COUNTWINDOW({len(rows)})" if aggregate else ""
    if law == "deterministic":
        sql = f"SELECT {call} = {call} AS same FROM {_STREAM}{window}"
        want: list[Any] = [[{"same": True}]]
    elif law == "row order":
        half = len(rows) // 2
        sql = f"SELECT {call} AS r FROM {_STREAM} GROUP BY COUNTWINDOW({half})"
        want = [[{"r": expected}], [{"r": expected}]]
    else:
        sql = f"SELECT isNull({call}) OR true AS ok FROM {_STREAM}{window}"
        want = [[{"ok": True}]]
    return {
        "name": f"{name}: {law}",
        "streams": [f'CREATE STREAM {_STREAM} () WITH (DATASOURCE="{_STREAM}", FORMAT="json")'],
        "sql": sql,
        "mockSource": {_STREAM: {"data": rows, "interval": 1000}},
        "expected": want,
    }


def write_case(
    case: dict[str, Any],
    kind: PluginKind,
    name: str,
    law: str,
    *,
    folder: Path | str | None = None,
    plugins: Path | None = None,
) -> Path:
    """Write ``case`` under ``folder`` (default ``tests/regressions``); the same case, the same file.

    ``plugins`` (the folder the plugin came from) is stored relative to the case.
    """
    target = Path(folder) if folder is not None else REGRESSIONS_DIR
    target.mkdir(parents=True, exist_ok=True)
    if plugins is not None:
        case = {**case, "plugins": os.path.relpath(plugins.resolve(), target.resolve())}
    try:
        text = json.dumps(case, indent=2, allow_nan=False, ensure_ascii=False) + "\n"
    except (TypeError, ValueError) as exc:  # a counterexample JSON cannot hold
        raise RuleTestError(
            f"cannot write the regression case for {name}: {exc}; report the shrunk input by hand"
        ) from exc
    digest = hashlib.sha1(text.encode()).hexdigest()[:8]
    slug = law.replace(" ", "-")
    suffix = "ruletest" if kind == "function" else "contract"
    path = target / f"{kind}-{name}-{slug}-{digest}.{suffix}.json"
    path.write_text(text)
    return path
