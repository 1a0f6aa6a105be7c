"""Go's ``%v`` verb for values quoted in error messages.

``go_str`` is eKuiper's ``cast.ToStringAlways``, which prints null as empty text;
``fmt.Errorf("... %v", v)`` prints it as ``<nil>``, so messages that quote an
argument which may be null use :func:`verb_v`.
"""

from __future__ import annotations

from typing import Any

from ..go import go_str

__all__ = ["verb_v"]


def verb_v(v: Any) -> str:
    """``fmt.Sprintf("%v", v)``.

    >>> verb_v(None), verb_v(1.5), verb_v("a")
    ('<nil>', '1.5', 'a')
    """
    return "<nil>" if v is None else go_str(v)
