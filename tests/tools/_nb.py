"""Shared bits of the notebook builders: cells, and writing a notebook file."""

from __future__ import annotations

import hashlib
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def md(text: str) -> nbformat.NotebookNode:
    return new_markdown_cell(text.strip("\n"))


def code(text: str, *, ignore_output: str = "", raises: bool = False) -> nbformat.NotebookNode:
    """A code cell; ``ignore_output`` (the reason) tags it so nbval does not compare its
    output (a cell magic's first line must be the magic, so no marker comment fits);
    ``raises`` tags a cell that shows an error on purpose, so executing the notebook
    (nbconvert, nbval) goes on past it."""
    cell = new_code_cell(text.strip("\n"))
    tags = []
    if ignore_output:
        tags.append("nbval-ignore-output")
        cell.metadata["nbval-ignore-output-reason"] = ignore_output
    if raises:
        tags.append("raises-exception")
    if tags:
        cell.metadata["tags"] = tags
    return cell


def build(cells: list[nbformat.NotebookNode]) -> nbformat.NotebookNode:
    """The notebook of ``cells``, with no outputs (executing it fills them)."""
    for i, cell in enumerate(cells):  # ids from place and text: a rebuild leaves them be
        cell.id = f"{i:02d}-{hashlib.sha1(cell.source.encode()).hexdigest()[:8]}"
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def write(name: str, cells: list[nbformat.NotebookNode]) -> Path:
    """Write ``notebooks/{name}.ipynb`` with no outputs (executing it fills them)."""
    path = NOTEBOOKS / f"{name}.ipynb"
    nbformat.write(build(cells), path)
    return path
