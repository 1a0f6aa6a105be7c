"""Pictures and tables of rules for a notebook: status metrics, operator topology, and a
live rule's table and plot updated in place while the kernel stays free."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..engine import RuleResult

if TYPE_CHECKING:
    import pandas as pd

    from ..engine import LiveRule

__all__ = ["LiveDisplay", "metrics_table", "topology"]

_METRIC = re.compile(
    r"^(?P<op>.+?)_(?P<metric>records_in_total|records_out_total|exceptions_total|"
    r"last_exception|last_invocation|process_latency_us|buffer_length)$"
)


def _status_dict(status: RuleResult | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(status, RuleResult):
        out: dict[str, Any] = {"status": status.status.status}
        for m in status.status.operators.values():
            out.update(m.to_dict())
        return out
    return dict(status)


def metrics_table(status: RuleResult | Mapping[str, Any]) -> pd.DataFrame:
    """A rule's per-operator metrics (eKuiper's ``getstatus rule`` keys) as one row per
    operator, in flow order; ``status`` is a result or a status dict.

    >>> metrics_table({"status": "running", "source_s_0_records_in_total": 3,
    ...                "source_s_0_records_out_total": 3}).loc["source_s_0"].tolist()
    [3, 3]
    """
    import pandas as pd

    rows: dict[str, dict[str, Any]] = {}
    for key, value in _status_dict(status).items():
        match = _METRIC.match(key)
        if match:
            metric = match["metric"].removesuffix("_total")
            rows.setdefault(match["op"], {})[metric] = value
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "operator"
    return frame


def topology(status: RuleResult | Mapping[str, Any]) -> Any:
    """The rule's operators as boxes from source to sink, each with its records in and
    out (a matplotlib Figure). Operators that saw nothing are drawn grey."""
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyBboxPatch

    table = metrics_table(status)
    ops = list(table.index)
    fig = Figure(figsize=(max(4.0, 2.2 * len(ops)), 1.8), layout="constrained")
    ax = fig.subplots()
    ax.set_xlim(-0.6, len(ops) - 0.4)
    ax.set_ylim(-0.7, 0.7)
    ax.axis("off")
    for i, op in enumerate(ops):
        seen = int(table.loc[op].get("records_in", 0) or 0)
        box = FancyBboxPatch((i - 0.4, -0.4), 0.8, 0.8, boxstyle="round,pad=0.02",
                             facecolor="#cfe3f7" if seen else "#e6e6e6", edgecolor="#345")  # fmt: skip
        ax.add_patch(box)
        label = f"{op}\nin {seen}  out {int(table.loc[op].get('records_out', 0) or 0)}"
        ax.text(i, 0, label, ha="center", va="center", fontsize=8)
        if i:
            ax.annotate("", xy=(i - 0.4, 0), xytext=(i - 0.6, 0),
                        arrowprops={"arrowstyle": "->", "color": "#345"})  # fmt: skip
    status_text = _status_dict(status).get("status", "")
    ax.set_title(f"rule topology ({status_text})", fontsize=9)
    return fig


class LiveDisplay:
    """Shows a live rule's latest rows (and a plot) and refreshes them in place from a
    background thread, every ``every`` seconds, until the rule stops or :meth:`close`.

    The kernel stays free: the next cell may stop the rule (``live.stop()``)."""

    def __init__(
        self, live: LiveRule, *, rows: int = 10, plot: bool = False, every: float = 0.5
    ) -> None:
        from IPython.display import display

        self.live, self.rows, self.plot, self.every = live, rows, plot, every
        self._closed = threading.Event()
        self._table = display(self._text(), display_id=True)
        self._picture = display("(no output yet)", display_id=True) if plot else None
        self.updates = 0
        self._thread = threading.Thread(target=self._loop, name="kuiper-live-display", daemon=True)
        self._thread.start()

    def _text(self) -> Any:
        frame = self.live.result.to_pandas()
        return frame.tail(self.rows) if len(frame.columns) else "(no emissions yet)"

    def refresh(self) -> None:
        """Redraw now (the thread calls this; a cell may too)."""
        if self._table is not None:
            self._table.update(self._text())
        if self._picture is not None and self.live.result.emissions:
            self._picture.update(self.live.result.plot())
        self.updates += 1

    def _loop(self) -> None:
        while not self._closed.is_set():
            self.refresh()
            if not self.live.running:
                break
            self._closed.wait(self.every)
        self.refresh()  # the rule's last rows

    def close(self, timeout: float = 5.0) -> None:
        """Stop refreshing (the rule goes on until stopped)."""
        self._closed.set()
        end = time.monotonic() + timeout
        self._thread.join(max(0.0, end - time.monotonic()))
