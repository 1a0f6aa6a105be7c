"""eKuiper's built-in ``simulator`` source: a list of objects sent one by one on a timer.

As eKuiper's pull source node runs it (``internal/io/simulator``,
``internal/topo/node/source_node.go``): the first object goes out as soon as the
source starts, then one more every ``interval``; with ``loop`` it starts over at
the end, without it it stops there. An ``interval`` of 0 pulls once, so one object
is sent. Each message's time is its pull time: in virtual time object ``i`` arrives
at ``start_ms + i * interval``; live, a thread sends it at that wall-clock time.

``interval`` is eKuiper's duration: a number of milliseconds or a Go duration
text (``"1s"``, as ``etc/sources/simulator.yaml`` writes it). ``data`` may be one
object instead of a list, as the docs allow.

Left out: the simulator lookup table (``SimulatorLookupSource``); eKuiper's rule
test reset of the index on close (each :class:`SimulatorSource` starts at the
first object anyway).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import timedelta
from typing import Any

import orjson

from .._types import Message
from ..errors import RuleError
from ..go import parse_duration
from .base import Deliver, Fail

__all__ = ["SimulatorSource"]

DEFAULT_START_MS = 1_700_000_000_000


def _wall_ms() -> int:
    return time.time_ns() // 1_000_000


def _duration_ms(value: Any, name: str, where: str) -> int:
    """eKuiper's ``cast.DurationConf``: a number is milliseconds, a text a Go duration."""
    if isinstance(value, bool) or value is None:
        raise RuleError(
            f'{where}: {name} must be milliseconds or a duration like "1s", got {value!r}'
        )
    if isinstance(value, int | float):
        ms = int(value)
    elif isinstance(value, str):
        try:
            ms = parse_duration(value) // timedelta(milliseconds=1)
        except ValueError as exc:  # FunctionError is a ValueError
            raise RuleError(
                f'{where}: {name} {value!r} is not a duration ({exc}); write e.g. 500 or "1s"'
            ) from None
    else:
        raise RuleError(
            f'{where}: {name} must be milliseconds or a duration like "1s", got {value!r}'
        )
    if ms < 0:
        raise RuleError(f"{where}: {name} must not be negative, got {value!r}; use 0 or more")
    return ms


def _int(props: Mapping[str, Any], name: str, default: int, where: str) -> int:
    value = props.get(name, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise RuleError(f"{where}: {name} must be a whole number, got {value!r}")
    try:
        return int(value)
    except ValueError:
        raise RuleError(f"{where}: {name} must be a whole number, got {value!r}") from None


class SimulatorSource:
    """Sends ``data`` one object at a time every ``interval_ms``, looping or not.

    Iterated, it yields the messages in virtual time from ``start_ms``; a looping
    simulator never ends, so iterate it with ``count`` or ``until_ms`` set.

    >>> sim = SimulatorSource([{"t": 1}, {"t": 2}], interval_ms=10, loop=False, start_ms=0)
    >>> [(m.ts, m.payload) for m in sim]
    [(0, b'{"t":1}'), (10, b'{"t":2}')]
    >>> [m.ts for m in SimulatorSource([{"t": 1}], interval_ms=5, start_ms=0, count=3)]
    [0, 5, 10]
    """

    def __init__(
        self,
        data: list[Mapping[str, Any]] | Mapping[str, Any],
        *,
        interval_ms: int = 1000,
        loop: bool = True,
        stream: str = "",
        start_ms: int = DEFAULT_START_MS,
        count: int | None = None,
        until_ms: int | None = None,
        now_ms: Callable[[], int] = _wall_ms,
    ) -> None:
        where = f"simulator source {stream}".rstrip()
        rows = [data] if isinstance(data, Mapping) else data
        if not isinstance(rows, list) or not rows:
            raise RuleError(
                f"{where}: data must be a non-empty list of objects, got {data!r}; "
                "give e.g. data: [{temperature: 22.5}]"
            )
        self._payloads = [self._encode(row, i, where) for i, row in enumerate(rows)]
        if interval_ms < 0:
            raise RuleError(f"{where}: interval must not be negative, got {interval_ms}")
        if count is not None and count < 0:
            raise RuleError(f"{where}: count must not be negative, got {count}")
        self.interval_ms = interval_ms
        self.loop = loop
        self.stream = stream
        self.start_ms = start_ms
        self.count = count
        self.until_ms = until_ms
        self._now_ms = now_ms
        self._where = where
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @classmethod
    def from_props(
        cls, stream: str, datasource: str, props: Mapping[str, Any], **kw: Any
    ) -> SimulatorSource:
        """Build from a stream's conf (``data``, ``interval``, ``loop``), as eKuiper reads it.

        The datasource is not used by the simulator, as in eKuiper.

        >>> SimulatorSource.from_props("s", "", {"data": {"a": 1}, "interval": "1s"}).interval_ms
        1000
        """
        where = f"simulator source {stream}"
        interval = _duration_ms(props.get("interval", 0), "interval", where)
        return cls(
            props.get("data") or [],
            interval_ms=interval,
            loop=bool(props.get("loop", False)),
            stream=stream,
            **kw,
        )

    @staticmethod
    def _encode(row: Any, i: int, where: str) -> bytes:
        if not isinstance(row, Mapping):
            raise RuleError(
                f"{where}: data[{i}] is a {type(row).__name__}, not an object; "
                "each entry of data must be a mapping of field names to values"
            )
        try:
            return orjson.dumps(dict(row), option=orjson.OPT_NON_STR_KEYS)
        except TypeError as exc:
            raise RuleError(
                f"{where}: data[{i}] cannot be sent as JSON ({exc}); fix its values"
            ) from None

    def _limit(self) -> int | None:
        """How many pulls send an object: None when unbounded."""
        bounds = []
        if self.count is not None:
            bounds.append(self.count)
        if not self.loop:
            bounds.append(len(self._payloads))
        if self.interval_ms == 0:  # eKuiper pulls once when there is no interval
            bounds.append(1)
        return min(bounds) if bounds else None

    def _payload(self, i: int) -> bytes:
        return self._payloads[i % len(self._payloads)]

    def __iter__(self) -> Iterator[Message]:
        limit = self._limit()
        if limit is None and self.until_ms is None:
            raise RuleError(
                f"{self._where}: it loops forever, so iterating it never ends; "
                "give count=N or until_ms=T, or loop=False"
            )
        i = 0
        while limit is None or i < limit:
            ts = self.start_ms + i * self.interval_ms
            if self.until_ms is not None and ts > self.until_ms:
                return
            yield Message(self.stream, self._payload(i), ts)
            i += 1

    def start(self, deliver: Deliver, fail: Fail) -> None:
        """Send on a thread of its own, the first object at once, until done or stopped."""
        if self._thread is not None and self._thread.is_alive():
            raise RuleError(f"{self._where}: already started; stop it before starting again")
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._run, args=(deliver, fail), name=f"simulator-{self.stream}", daemon=True
        )
        self._thread.start()

    def _run(self, deliver: Deliver, fail: Fail) -> None:
        limit = self._limit()
        first = time.monotonic()
        first_ms = self._now_ms()
        i = 0
        while not self._stop.is_set() and (limit is None or i < limit):
            ts = first_ms + i * self.interval_ms
            if self.until_ms is not None and ts > self.until_ms:
                return
            try:
                deliver(Message(self.stream, self._payload(i), ts))
            except Exception as exc:  # the receiver's trouble must not kill the timer
                fail(f"{self._where}: delivering object {i % len(self._payloads)} failed: {exc!r}")
            i += 1
            if limit is not None and i >= limit:
                return
            # wait for the next tick from the first one, so slow delivery does not drift
            if self._stop.wait(max(0.0, first + i * self.interval_ms / 1000 - time.monotonic())):
                return

    def stop(self, timeout: float = 2.0) -> None:
        """Stop the timer thread; returns within ``timeout`` seconds."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
