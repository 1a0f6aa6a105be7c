"""LIKE patterns as eKuiper reads them (``pkg/ast/expr_ref.go`` ``LikePattern.Compile``).

eKuiper turns ``%`` into ``.*`` and ``_`` into ``.`` and hands the rest to a
regular expression engine unescaped, so ``a LIKE "x.y"`` also matches ``"xzy"``
and ``"a(%"`` is refused when the rule is parsed. Every backslash is doubled,
which makes ``\\%`` match a backslash followed by anything. The engine should
match with :func:`like_regex` to behave the same.
"""

from __future__ import annotations

import re

__all__ = ["like_error", "like_regex"]


def like_regex(pattern: str) -> str:
    r"""The regular expression eKuiper matches for the LIKE ``pattern``.

    >>> like_regex("fo_o%")
    '^fo.o.*$'
    >>> like_regex(r"foo\%")
    '^foo\\\\%$'
    """
    out: list[str] = []
    i = 0
    while i < len(pattern):
        pair = pattern[i : i + 2]
        if pair in ("\\%", "\\_"):
            out.append(pair)
            i += 2
            continue
        ch = pattern[i]
        out.append(".*" if ch == "%" else "." if ch == "_" else ch)
        i += 1
    return "^" + "".join(out).replace("\\", "\\\\") + "$"


def like_error(pattern: str) -> str | None:
    """Why eKuiper refuses ``pattern``, or None when it compiles."""
    try:
        re.compile(like_regex(pattern))
    except re.error as exc:
        return f"invalid LIKE pattern: {exc}"
    return None
