"""How eKuiper's ``Message`` map reads a key (``internal/xsql/row.go``): the exact
key first, else the first key equal to it ignoring case. Rows and message
metadata both read this way."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["message_value"]


def message_value(message: Mapping[str, Any], key: str) -> Any:
    """``message[key]``, else the value of a key equal to ``key`` ignoring case, else None.

    >>> message_value({"messageId": 7}, "messageid"), message_value({"a": 1}, "b")
    (7, None)
    """
    value = message.get(key)
    if value is None and key not in message:
        folded = key.lower()
        for k, v in message.items():
            if k.lower() == folded:
                return v
    return value
