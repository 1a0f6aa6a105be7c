"""Regenerate the cells of notebooks 02-08 (outputs come from executing them).

``make notebooks`` runs this, then executes each notebook in place so that its
committed outputs are the ones nbval compares. ``python -m tests.tools.make_notebooks
02 05`` rewrites only those.
"""

from __future__ import annotations

import sys

from ._nb import write
from .nb_plugins import FUNCTIONS, SINKS, SOURCES
from .nb_ship import EXPORT, RECORDING
from .nb_time import PROPERTIES, WINDOWS

BOOKS = {
    "02": ("02-function-plugin", FUNCTIONS),
    "03": ("03-source-plugin", SOURCES),
    "04": ("04-sink-plugin", SINKS),
    "05": ("05-windows-event-time", WINDOWS),
    "06": ("06-property-testing", PROPERTIES),
    "07": ("07-recording-mqtt", RECORDING),
    "08": ("08-export-portable", EXPORT),
}


def main(argv: list[str]) -> None:
    for key in argv or sorted(BOOKS):
        name, cells = BOOKS[key]
        print(write(name, cells))


if __name__ == "__main__":
    main(sys.argv[1:])
