"""Jupyter integration: ``%load_ext kuiper_dev`` registers the magics."""

from __future__ import annotations

import warnings
from typing import Any

from .display import LiveDisplay, metrics_table, topology
from .magics import KuiperMagics

__all__ = ["KuiperMagics", "LiveDisplay", "load_ipython_extension", "metrics_table", "topology"]


def load_ipython_extension(ipython: Any) -> None:
    """Register the magics, and show matplotlib figures returned by a cell as PNG (the
    pictures are made without pyplot, so they need no backend or global state)."""
    ipython.register_magics(KuiperMagics)
    # tqdm.auto draws a text bar where ipywidgets is missing; its warning about that
    # would print a site-packages path in every notebook that replays a recording
    warnings.filterwarnings("ignore", message="IProgress not found", module="tqdm")
    from IPython.core.pylabtools import print_figure
    from matplotlib.figure import Figure

    formatter = ipython.display_formatter.formatters["image/png"]
    formatter.for_type(Figure, lambda fig: print_figure(fig, "png"))
