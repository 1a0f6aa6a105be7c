"""Which SELECT alias a name binds to, field by field, as eKuiper's analyzer decides.

eKuiper (``internal/topo/planner/analyzer.go`` with the project operator) does not
apply one scope rule; the outcome depends on where the alias stands and on what
it aliases:

- A name used in a field *before* its alias (``SELECT a + 1 AS b, size AS a``)
  is rebound to the alias only when the alias is a plain column (``size AS a``);
  for a computed alias (``size * 2 AS a``) it stays the column ``a``.
- A name used *after* its alias binds to a computed alias always; to a plain
  column alias only when the using field has an alias itself, because unaliased
  expressions are evaluated before any alias (they read the column then).
- Inside an alias's own expression the column wins (``lag(a) AS a``).
- With typed streams only, eKuiper first reorders the aliases by dependency
  depth, then by name, and puts unaliased fields last; "before" and "after"
  follow that order.

WHERE, GROUP BY, HAVING, ORDER BY and ON see every alias. Each alias's own
expression keeps the bindings of its own field wherever it is substituted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..sql import ast, walk

__all__ = ["AliasBindings", "bind_aliases"]


@dataclass(frozen=True, slots=True)
class AliasBindings:
    """Per SELECT field the aliases its names bind to, and each alias's expression."""

    fields: tuple[dict[str, ast.Expr], ...]
    exprs: dict[str, ast.Expr]
    scopes: dict[str, dict[str, ast.Expr]]  # the bindings inside each alias's expression
    order: tuple[int, ...]  # field indices in eKuiper's evaluation order


def bind_aliases(fields: Sequence[ast.Field], *, typed: bool) -> AliasBindings:
    """eKuiper's binding of names to aliases in ``fields``.

    >>> from kuiper_dev.sql import parse_select
    >>> f = parse_select("SELECT a + 1 AS b, size AS a, a * 2 AS c, a - 1 FROM s").fields
    >>> [sorted(m) for m in bind_aliases(f, typed=False).fields]
    [['a'], ['b'], ['a', 'b'], ['b', 'c']]
    """
    at = {f.alias: i for i, f in enumerate(fields) if f.alias}
    order = _evaluation_order(fields, typed)
    rank = {i: k for k, i in enumerate(order)}
    per_field = []
    for i, f in enumerate(fields):
        visible: dict[str, ast.Expr] = {}
        for name, j in at.items():
            if name == f.alias:
                continue
            plain = isinstance(fields[j].expr, ast.FieldRef)
            before = rank[j] < rank[i]
            if (plain and (not before or f.alias)) or (not plain and before):
                visible[name] = fields[j].expr
        per_field.append(visible)
    return AliasBindings(
        tuple(per_field),
        {name: fields[j].expr for name, j in at.items()},
        {name: per_field[j] for name, j in at.items()},
        tuple(order),
    )


def _evaluation_order(fields: Sequence[ast.Field], typed: bool) -> list[int]:
    """Field indices in the order eKuiper's analyzer leaves them."""
    if not typed:
        return list(range(len(fields)))
    depth: dict[str, int] = {}
    for f in fields:
        if f.alias:
            refs = [r.name for r in walk(f.expr) if isinstance(r, ast.FieldRef)]
            depth[f.alias] = max((depth[n] + 1 for n in refs if n in depth), default=0)
    aliased = sorted(
        (i for i, f in enumerate(fields) if f.alias),
        key=lambda i: (depth[fields[i].alias or ""], fields[i].alias or ""),
    )
    return aliased + [i for i, f in enumerate(fields) if not f.alias]
