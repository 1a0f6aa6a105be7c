"""The committed notebooks are the generators' cells: a hand edit to notebooks/*.ipynb
that the generators in tests/tools do not make would be undone by ``make notebooks``."""

from __future__ import annotations

from typing import Any

import nbformat
import pytest

from ._nb import NOTEBOOKS, build
from .make_notebooks import BOOKS
from .make_quickstart import CELLS, NAME

GENERATED = {NAME: CELLS, **{name: cells for name, cells in BOOKS.values()}}


def _cells(nb: nbformat.NotebookNode) -> list[tuple[str, str, dict[str, Any]]]:
    """Each cell's type, source and metadata, less the timings an execution adds."""
    return [
        (cell.cell_type, cell.source, {k: v for k, v in cell.metadata.items() if k != "execution"})
        for cell in nb.cells
    ]


def test_every_notebook_has_a_generator() -> None:
    assert sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb")) == sorted(GENERATED)


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_generator_makes_the_committed_cells(name: str) -> None:
    committed = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    generated = build(GENERATED[name])
    for index, (made, kept) in enumerate(zip(_cells(generated), _cells(committed), strict=False)):
        assert made == kept, (
            f"notebooks/{name}.ipynb cell {index} differs from what tests/tools generates: "
            "make the edit in the generator, then run `make notebooks`"
        )
    assert len(generated.cells) == len(committed.cells), (
        f"notebooks/{name}.ipynb has {len(committed.cells)} cells, its generator "
        f"{len(generated.cells)}: make the edit in the generator, then run `make notebooks`"
    )
    assert generated.metadata["kernelspec"] == committed.metadata["kernelspec"]
