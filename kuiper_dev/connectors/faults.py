"""Named faults a simulated scenario can switch on, and how they are injected.

Each fault is a small frozen config; :func:`inject` applies the switched-on ones to
a scenario's clean readings with a random stream of its own per fault (seeded
from the scenario's seed and the fault's name), so switching a fault on changes
nothing else: the clean values stay what they were. What each one does:

- ``late``: a message's arrival is delayed by ``min_ms``..``max_ms`` while its
  payload ``ts`` keeps the event time; pick ``min_ms`` above a rule's lateTolerance.
- ``out_of_order``: a message's arrival is delayed by 1..``max_ms``, so messages
  sent after it overtake it.
- ``duplicate``: a message arrives twice, the copy 0..``max_delay_ms`` later.
- ``malformed``: a payload that is cut in half (``truncated``: not valid JSON) or
  whose value field holds the text ``"n/a"`` (``wrong_type``).
- ``clock_skew``: one device's payload ``ts`` is off by ``offset_ms``.
- ``dropout``: a device falls silent for ``duration_ms``.

Messages leave in non-decreasing arrival order through a heap that holds only the
messages still delayed, so memory stays flat on any length.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, TypeAlias

import orjson

from .._types import Message

__all__ = [
    "FAULTS",
    "ClockSkew",
    "Dropout",
    "Duplicate",
    "Fault",
    "Late",
    "Malformed",
    "OutOfOrder",
    "Reading",
    "inject",
]


def _check_rate(rate: float) -> None:
    if not 0 <= rate <= 1:
        raise ValueError(f"rate must be between 0 and 1, got {rate}")


def _check_span(low: int, high: int, what: str) -> None:
    if not 0 <= low <= high:
        raise ValueError(f"{what} must satisfy 0 <= low <= high, got {low}..{high}")


@dataclass(frozen=True, slots=True)
class Late:
    """A share ``rate`` of messages arrive ``min_ms``..``max_ms`` after their event time.

    >>> Late(rate=0.1).min_ms
    5000
    """

    name: ClassVar[str] = "late"
    rate: float = 0.05
    min_ms: int = 5000
    max_ms: int = 15000

    def __post_init__(self) -> None:
        _check_rate(self.rate)
        _check_span(self.min_ms, self.max_ms, "late min_ms..max_ms")


@dataclass(frozen=True, slots=True)
class OutOfOrder:
    """A share ``rate`` of messages arrive up to ``max_ms`` late, behind later ones.

    >>> OutOfOrder().max_ms
    3000
    """

    name: ClassVar[str] = "out_of_order"
    rate: float = 0.2
    max_ms: int = 3000

    def __post_init__(self) -> None:
        _check_rate(self.rate)
        _check_span(1, self.max_ms, "out_of_order 1..max_ms")


@dataclass(frozen=True, slots=True)
class Duplicate:
    """A share ``rate`` of messages arrive twice, the copy up to ``max_delay_ms`` later.

    >>> Duplicate(rate=1.0).max_delay_ms
    0
    """

    name: ClassVar[str] = "duplicate"
    rate: float = 0.05
    max_delay_ms: int = 0

    def __post_init__(self) -> None:
        _check_rate(self.rate)
        _check_span(0, self.max_delay_ms, "duplicate 0..max_delay_ms")


MalformedKind: TypeAlias = Literal["truncated", "wrong_type"]


@dataclass(frozen=True, slots=True)
class Malformed:
    """A share ``rate`` of payloads broken in one of ``kinds`` (see the module's list).

    >>> Malformed(kinds=("truncated",)).kinds
    ('truncated',)
    """

    name: ClassVar[str] = "malformed"
    rate: float = 0.05
    kinds: tuple[MalformedKind, ...] = ("truncated", "wrong_type")

    def __post_init__(self) -> None:
        _check_rate(self.rate)
        bad = [k for k in self.kinds if k not in ("truncated", "wrong_type")]
        if bad or not self.kinds:
            raise ValueError(
                f"malformed kinds must be some of 'truncated', 'wrong_type', got {list(self.kinds)}"
            )


@dataclass(frozen=True, slots=True)
class ClockSkew:
    """Device number ``device`` (1-based) stamps its payload ``ts`` ``offset_ms`` off.

    >>> ClockSkew(device=2, offset_ms=-30000).offset_ms
    -30000
    """

    name: ClassVar[str] = "clock_skew"
    device: int = 1
    offset_ms: int = 60000

    def __post_init__(self) -> None:
        if self.device < 1:
            raise ValueError(f"clock_skew device is a 1-based device number, got {self.device}")


@dataclass(frozen=True, slots=True)
class Dropout:
    """Before each of its readings, a device falls silent for ``duration_ms`` with chance ``rate``.

    >>> Dropout(rate=0.02).duration_ms
    30000
    """

    name: ClassVar[str] = "dropout"
    rate: float = 0.01
    duration_ms: int = 30000

    def __post_init__(self) -> None:
        _check_rate(self.rate)
        _check_span(1, self.duration_ms, "dropout 1..duration_ms")


Fault: TypeAlias = Late | OutOfOrder | Duplicate | Malformed | ClockSkew | Dropout

FAULTS: dict[str, type[Fault]] = {
    f.name: f for f in (Late, OutOfOrder, Duplicate, Malformed, ClockSkew, Dropout)
}
"""Each fault's config class by its name."""


@dataclass(slots=True)
class Reading:
    """One clean reading before encoding: event time, device index (0-based), topic, row."""

    event_ts: int
    device: int
    topic: str
    row: dict[str, Any] = field(default_factory=dict)


def inject(
    readings: Iterable[Reading],
    faults: Sequence[Fault],
    *,
    seed: int,
    ts_field: str,
    value_fields: Sequence[str],
) -> Iterator[Message]:
    """Encode ``readings`` (in event-time order) as messages with ``faults`` applied.

    >>> rs = [Reading(t, 0, "s", {"v": 1, "ts": t}) for t in (0, 10, 20)]
    >>> [m.ts for m in inject(rs, [Duplicate(rate=1.0)], seed=1, ts_field="ts", value_fields=["v"])]
    [0, 0, 10, 10, 20, 20]
    """
    kinds = {f.name: f for f in faults}
    if len(kinds) != len(faults):
        raise ValueError("each fault may be switched on once; merge the duplicates")
    rngs = {name: random.Random(f"{seed}/{name}") for name in kinds}
    late, disorder = kinds.get("late"), kinds.get("out_of_order")
    dup, bad = kinds.get("duplicate"), kinds.get("malformed")
    skew, drop = kinds.get("clock_skew"), kinds.get("dropout")
    silent_until: dict[int, int] = {}
    heap: list[tuple[int, int, Message]] = []
    seq = 0
    for r in readings:
        while heap and heap[0][0] <= r.event_ts:
            yield heapq.heappop(heap)[2]
        if isinstance(drop, Dropout):
            if r.event_ts < silent_until.get(r.device, r.event_ts):
                continue
            if rngs["dropout"].random() < drop.rate:
                silent_until[r.device] = r.event_ts + drop.duration_ms
                continue
        if isinstance(skew, ClockSkew) and r.device == skew.device - 1:
            r.row[ts_field] = r.event_ts + skew.offset_ms
        payload = orjson.dumps(r.row)
        if isinstance(bad, Malformed) and rngs["malformed"].random() < bad.rate:
            payload = _malform(r.row, payload, bad, rngs["malformed"], value_fields)
        delay = 0
        if isinstance(late, Late) and rngs["late"].random() < late.rate:
            delay = rngs["late"].randint(late.min_ms, late.max_ms)
        if isinstance(disorder, OutOfOrder) and rngs["out_of_order"].random() < disorder.rate:
            delay = max(delay, rngs["out_of_order"].randint(1, disorder.max_ms))
        arrival = r.event_ts + delay
        heapq.heappush(heap, (arrival, seq, Message(r.topic, payload, arrival)))
        seq += 1
        if isinstance(dup, Duplicate) and rngs["duplicate"].random() < dup.rate:
            again = arrival + rngs["duplicate"].randint(0, dup.max_delay_ms)
            heapq.heappush(heap, (again, seq, Message(r.topic, payload, again)))
            seq += 1
    while heap:
        yield heapq.heappop(heap)[2]


def _malform(
    row: dict[str, Any],
    payload: bytes,
    fault: Malformed,
    rng: random.Random,
    value_fields: Sequence[str],
) -> bytes:
    kind = fault.kinds[rng.randrange(len(fault.kinds))]
    if kind == "wrong_type" and value_fields:
        broken = dict(row)
        broken[value_fields[rng.randrange(len(value_fields))]] = "n/a"
        return orjson.dumps(broken)
    return payload[: len(payload) // 2]
