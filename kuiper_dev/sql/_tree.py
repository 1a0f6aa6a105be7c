"""Generic walks over the frozen syntax tree.

The parser needs two whole-tree passes that eKuiper does while parsing: turning
``a.b`` into ``a->b`` once the source names are known, and finding functions
that are only allowed in some clauses. Walking the dataclass fields keeps those
passes correct as nodes gain fields.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

__all__ = ["transform", "walk"]

N = TypeVar("N")


def _is_node(value: object) -> bool:
    return dataclasses.is_dataclass(value) and not isinstance(value, type)


_CHILDREN: dict[type, tuple[str, ...]] = {}


def _children(cls: type) -> tuple[str, ...]:
    # A node's place is not part of its value (compare=False) and not a child:
    # rebuilding a ``Pos`` item by item would turn it into a plain tuple.
    names = _CHILDREN.get(cls)
    if names is None:
        names = _CHILDREN[cls] = tuple(f.name for f in dataclasses.fields(cls) if f.compare)
    return names


def walk(node: object) -> Iterator[object]:
    """Every node under ``node`` (itself included), parents before children.

    A tuple of nodes is walked item by item.
    """
    if isinstance(node, tuple):
        for item in node:
            yield from walk(item)
        return
    yield node
    if not _is_node(node):
        return
    for name in _children(type(node)):
        value = getattr(node, name)
        items = value if isinstance(value, tuple) else (value,)
        for item in items:
            if _is_node(item):
                yield from walk(item)


def transform(node: N, fn: Callable[[Any], Any]) -> N:
    """Rebuild ``node`` bottom-up, replacing each node by ``fn(node)``."""
    if not _is_node(node):
        return node
    changes: dict[str, Any] = {}
    for name in _children(type(node)):
        value = getattr(node, name)
        if isinstance(value, tuple):
            new: Any = tuple(transform(v, fn) for v in value)
        else:
            new = transform(value, fn)
        if new != value or type(new) is not type(value):
            changes[name] = new
    rebuilt = dataclasses.replace(node, **changes) if changes else node  # type: ignore[type-var]
    return fn(rebuilt)  # type: ignore[no-any-return]
