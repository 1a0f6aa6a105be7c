"""``python -m kuiper_dev.cli``: the ``kuiper-dev`` command without its entry point."""

from __future__ import annotations

from . import app

app(prog_name="kuiper-dev")
