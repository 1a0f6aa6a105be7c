"""Pacing a replay in real time: the recorded gaps between arrivals, divided by a speed."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Iterator

from .._types import Message

__all__ = ["paced"]


def paced(
    messages: Iterable[Message],
    speed: float,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], object] = time.sleep,
) -> Iterator[Message]:
    """Yield ``messages`` at their recorded pace: a gap of ``g`` ms takes ``g / speed`` ms.

    ``speed`` 0 or infinity yields as fast as possible. Each message is due at its
    offset from the first one, measured on ``clock``, so time spent by the consumer
    between messages is not added on top. ``clock`` and ``sleep`` are injectable:
    tests move a fake clock; a stoppable caller passes ``threading.Event().wait``.

    >>> now = [0.0]
    >>> msgs = [Message("t", b"", ts) for ts in (1000, 1500, 3000)]
    >>> out = paced(msgs, 2.0, clock=lambda: now[0], sleep=lambda s: now.__setitem__(0, now[0] + s))
    >>> [(m.ts, now[0]) for m in out]
    [(1000, 0.0), (1500, 0.25), (3000, 1.0)]
    """
    if not speed >= 0:  # also refuses NaN
        raise ValueError(f"speed must be 0 (as fast as possible) or positive, got {speed}")
    if speed == 0 or math.isinf(speed):
        yield from messages
        return
    first_ts: int | None = None
    start = 0.0
    for m in messages:
        if first_ts is None:
            first_ts, start = m.ts, clock()
        else:
            delay = start + (m.ts - first_ts) / 1000 / speed - clock()
            if delay > 0:
                sleep(delay)
        yield m
