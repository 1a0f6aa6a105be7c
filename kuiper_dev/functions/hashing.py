"""Hashing functions (``hashing_functions.md``): lower-case hex digests of the text.

As ``funcs_misc.go``, a non-string argument is hashed as its ``%v`` text.
"""

from __future__ import annotations

import hashlib
import zlib
from typing import Any

from ..go import go_str
from .registry import builtin


def _register(name: str) -> None:
    def fn(s: Any) -> str:
        return hashlib.new(name, go_str(s).encode()).hexdigest()

    fn.__name__ = name
    fn.__doc__ = f"{name.upper()} digest of the text, as lower-case hex."
    builtin("hashing", ["string"])(fn)


for _name in ("md5", "sha1", "sha256", "sha384", "sha512"):
    _register(_name)


@builtin("hashing", ["string"])
def crc32(s: Any) -> str:
    """CRC-32 (IEEE) of the text as hex without leading zeros, as Go's ``%x``.

    >>> crc32("abc")
    '352441c2'
    """
    return format(zlib.crc32(go_str(s).encode()), "x")
