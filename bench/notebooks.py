"""The notebook jobs: hot reload through the ``%%kuiper_function`` magic, and the
notebook series under nbval.

- ``hot_reload_cell``: an IPython shell (``InteractiveShell``, what a Jupyter kernel
  runs) with ``%load_ext kuiper_dev`` re-runs a ``%%kuiper_function PlainAbs`` cell
  with new code while a rule of the magics' workspace calls ``plainAbs``; each
  reload is timed from the cell's start to the rule's next emission showing the new
  code (one message published after the cell). The result is the median in
  microseconds.
- ``notebooks_nbval``: ``pytest notebooks/`` with the options ``make test`` gives it
  (pyproject.toml's ``addopts``: ``--nbval --nbval-current-env
  --nbval-cell-timeout=120`` ...); the result is how many cells passed, the run's
  seconds the figure.
"""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .jobs import DDL, PLAIN_ABS

Run = Callable[[], Any]
ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
RELOADS = 20
NBVAL_TIMEOUT_S = 900


def _cell(scale: int) -> str:
    return f"%%kuiper_function PlainAbs\n{PLAIN_ABS.format(scale=scale)}"


def hot_reload_cell_job(_path: Path, reloads: int) -> Run:
    """Median microseconds from re-running the plugin cell to the rule using it."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "kuiper_dev")
    magics = shell.magics_manager.registry["KuiperMagics"]
    magics.plugins_dir = tempfile.mkdtemp(prefix="kuiper-bench-cells-")  # no example plugins
    quiet = io.StringIO()
    with contextlib.redirect_stdout(quiet):
        _run_cell(shell, _cell(1))
    ws = magics.workspace
    ws.create_stream(DDL)
    ws.create_rule("hot", "SELECT plainAbs(temperature) AS t FROM demo", actions=[{"log": {}}])
    row = [{"deviceId": "d", "temperature": -1.0, "ts": 0}]

    def run() -> int:
        took: list[float] = []
        for scale in range(2, (reloads or RELOADS) + 2):
            cell = _cell(scale)
            with contextlib.redirect_stdout(quiet):
                started = time.perf_counter()
                _run_cell(shell, cell)
                ws.publish("demo", row)
                last = ws.rule_output("hot")[-1]
                took.append(time.perf_counter() - started)
            got = last[0] if isinstance(last, list) else last
            if got["t"] != float(scale):
                raise AssertionError(f"reload {scale} not in effect: the rule returned {got}")
            quiet.seek(0)
            quiet.truncate()
        took.sort()
        return round(took[len(took) // 2] * 1e6)

    return run


def _run_cell(shell: Any, cell: str) -> None:
    result = shell.run_cell(cell, store_history=False)
    if not result.success:
        raise RuntimeError(f"the cell failed: {result.error_in_exec or result.error_before_exec}")


def _pytest() -> list[str]:
    """The venv's ``pytest`` command, as ``make test`` runs it."""
    exe = Path(sys.executable).with_name("pytest")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "pytest"]


def run_nbval(folder: Path = NOTEBOOKS) -> int:
    """Run ``folder``'s notebooks under pytest with the project's options (its
    pyproject.toml, as ``make test`` finds it); returns how many cells passed and
    raises RuntimeError with pytest's summary when one fails."""
    proc = subprocess.run(
        [*_pytest(), "-q", "-p", "no:cacheprovider", "-c", str(ROOT / "pyproject.toml"),
         "--rootdir", str(ROOT), str(folder)],
        cwd=ROOT, capture_output=True, text=True, timeout=NBVAL_TIMEOUT_S,
    )  # fmt: skip
    summary = (proc.stdout.strip().splitlines() or [""])[-1]
    if proc.returncode != 0:
        raise RuntimeError(f"pytest {folder.name} failed: {summary}")
    found = re.search(r"(\d+) passed", summary)
    if found is None:
        raise RuntimeError(f"pytest {folder.name}: no passed cells in {summary!r}")
    return int(found.group(1))


def nbval_job(_path: Path, _n: int) -> Run:
    """The notebook series under nbval; the result is the cells that passed."""
    return run_nbval


JOBS: dict[str, Callable[[Path, int], Run]] = {
    "hot_reload_cell": hot_reload_cell_job,
    "notebooks_nbval": nbval_job,
}
