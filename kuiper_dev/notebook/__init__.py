"""Jupyter integration: ``%load_ext kuiper_dev`` registers the magics."""

from __future__ import annotations

from typing import Any

from .magics import KuiperMagics

__all__ = ["KuiperMagics", "load_ipython_extension"]


def load_ipython_extension(ipython: Any) -> None:
    """Register the magics with the running IPython."""
    ipython.register_magics(KuiperMagics)
