"""Arrival times read from the payloads themselves.

A file of JSON lines holds no arrival times, but its lines often carry their own
(``ts``). Replaying it in processing time, each line arriving when its field
says, runs processing-time windows over it as if the traffic were live.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator

import orjson

from .._types import Message
from .formats import EXACT_MS

__all__ = ["arrival_of", "arriving", "first_arrival"]


def arrival_of(payload: bytes, column: str, now: int) -> int:
    """When ``payload`` arrives: the epoch ms its ``column`` holds, or ``now`` when it
    holds no exact integer time or an earlier one (a clock never goes back).

    >>> arrival_of(b'{"ts": 20}', "ts", 10), arrival_of(b'{"ts": 5}', "ts", 10)
    (20, 10)
    >>> arrival_of(b"not json", "ts", 10), arrival_of(b'{"ts": "20"}', "ts", 10)
    (10, 10)
    """
    try:
        value = orjson.loads(payload)[column]
    except Exception:  # not JSON, not an object, no such key: the rule reports it; now
        return now
    if value.__class__ is int and now < value <= EXACT_MS[1]:
        return int(value)
    return now


def arriving(stream: str, payloads: Iterable[bytes], column: str, start: int) -> Iterator[Message]:
    """``payloads`` as messages of ``stream`` arriving at their ``column`` (blank lines
    skipped), from ``start`` on."""
    now = start
    for payload in payloads:
        if payload.strip():
            now = arrival_of(payload, column, now)
            yield Message(stream, payload, now)


def first_arrival(lines: Iterable[bytes], column: str) -> tuple[int | None, Iterator[bytes]]:
    """The first line's arrival (None when it holds no time), and every line still to
    read, that one included: a replay starts its clock there, not at 1970.

    >>> at, rest = first_arrival([b"", b'{"ts": 1700000000123}', b"{}"], "ts")
    >>> at, list(rest)
    (1700000000123, [b'', b'{"ts": 1700000000123}', b'{}'])
    """
    it = iter(lines)
    seen: list[bytes] = []
    for line in it:
        seen.append(line)
        if line.strip():
            at = arrival_of(line, column, -1)
            return (None if at < 0 else at), itertools.chain(seen, it)
    return None, iter(seen)
