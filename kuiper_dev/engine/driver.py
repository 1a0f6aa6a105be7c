"""The one driver: it moves the clock and pushes messages through pipelines.

Every entry point runs rules through a :class:`Driver`: ``Workspace.run``, rule
tests, replays and the rule manager in virtual time, live sources on the wall
clock. "Fire the timers due by t, then push the message at t" is written here
once (:meth:`Driver.advance`); pipelines only ask for it.
"""

from __future__ import annotations

import heapq
import queue
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

from .._types import Message
from ..connectors import Source
from .clock import VirtualClock, WallClock
from .pipeline import Pipeline

__all__ = ["Clock", "Driver", "LiveRun"]

Clock = VirtualClock | WallClock
_POLL_S = 0.05  # how long a live run may wait before asking whether it is done


@dataclass(slots=True)
class LiveRun:
    """How a wall-clock run ended."""

    messages: int = 0
    emissions: int = 0
    timed_out: bool = False
    source_errors: list[str] = field(default_factory=list)


class Driver:
    """Pipelines on one clock. ``on_step`` runs after each timer and message (memory topics)."""

    def __init__(
        self, clock: Clock | None = None, *, on_step: Callable[[], None] | None = None
    ) -> None:
        self.clock: Clock = clock if clock is not None else VirtualClock()
        self.pipelines: list[Pipeline] = []
        self.on_step = on_step

    def add(self, pipeline: Pipeline) -> Pipeline:
        """Drive ``pipeline`` on this clock; its rule runs until removed."""
        pipeline.attach_clock(self.clock.now_ms)
        pipeline.result.status.status = "running"
        self.pipelines.append(pipeline)
        return pipeline

    def remove(self, pipeline: Pipeline) -> None:
        pipeline.result.status.status = "stopped"
        if pipeline in self.pipelines:
            self.pipelines.remove(pipeline)

    @contextmanager
    def driving(self, pipeline: Pipeline) -> Iterator[Driver]:
        """Run ``pipeline`` for the length of a ``with`` block (one rule's run)."""
        self.add(pipeline)
        try:
            yield self
        finally:
            self.remove(pipeline)

    # -- time ----------------------------------------------------------------------
    def next_deadline(self) -> int | None:
        """The earliest time any pipeline needs the clock, if any does."""
        due = [d for p in self.pipelines if (d := p.next_deadline()) is not None]
        return min(due) if due else None

    def advance(self, to: int | None) -> int | None:
        """Fire every timer due by ``to`` in time order, move the clock there, and
        return the next deadline (``to`` None: only report it)."""
        while True:
            nxt: int | None = None
            owner: Pipeline | None = None
            for pipeline in self.pipelines:
                d = pipeline.next_deadline()
                if d is not None and (nxt is None or d < nxt):
                    nxt, owner = d, pipeline
            if to is None or nxt is None or nxt > to or owner is None:
                break
            self.clock.advance_to(nxt)
            owner.on_time(nxt)
            if self.on_step is not None:
                self.on_step()
        if to is not None:
            self.clock.advance_to(to)
        return nxt

    def move_to(self, ts: int) -> None:
        """Move the clock to ``ts`` when the caller knows no timer is due before it."""
        self.clock.advance_to(ts)

    # -- messages ------------------------------------------------------------------
    def route(self, stream: str, message: Message) -> None:
        """Push one message into every pipeline reading ``stream``, at the current time."""
        for pipeline in list(self.pipelines):
            if pipeline.plan.reads(stream):
                pipeline.push(stream, (message,))

    def deliver(self, stream: str, message: Message) -> None:
        """Let the clock reach the message's arrival, then push it."""
        self.advance(message.ts)
        self.route(stream, message)
        if self.on_step is not None:
            self.on_step()

    def replay(self, feeds: Mapping[str, Iterable[Message]], *, drain_ms: int = 0) -> None:
        """Feed time-ordered messages per stream in virtual time, then let ``drain_ms`` pass.

        One stream into one pipeline goes as a whole run, so the pipeline may use
        its generated loop; several are merged in arrival order.
        """
        if len(feeds) == 1 and len(self.pipelines) == 1 and self.on_step is None:
            ((stream, messages),) = feeds.items()
            pipeline = self.pipelines[0]
            if pipeline.plan.reads(stream):
                pipeline.push(stream, messages, self)
            self.advance(self.clock.now_ms() + drain_ms)
        else:
            self.replay_routed(_merged(feeds), drain_ms=drain_ms)

    def replay_routed(self, routed: Iterable[tuple[str, Message]], *, drain_ms: int = 0) -> None:
        """Deliver ``(stream, message)`` pairs already in arrival order (one recording
        split among streams in one pass), then let ``drain_ms`` pass."""
        if len(self.pipelines) == 1 and self.on_step is None:  # one rule: its own loop
            self.pipelines[0].push_routed(routed, self)
        else:
            for stream, message in routed:
                self.deliver(stream, message)
        self.advance(self.clock.now_ms() + drain_ms)

    def replay_payloads(
        self,
        stream: str,
        payloads: Iterable[bytes],
        *,
        ts: int = 0,
        arrival: str | None = None,
        drain_ms: int = 0,
    ) -> None:
        """Raw payloads of ``stream`` (a file of JSON lines) all arriving at ``ts``, or
        from ``ts`` on each at the time in its ``arrival`` field; then let ``drain_ms``
        pass. One pipeline may read them, the one whose FROM stream is ``stream``."""
        self.advance(ts)
        for pipeline in self.pipelines:
            if pipeline.plan.main.name == stream:
                pipeline.push_payloads(payloads, ts, arrival=arrival, driver=self)
        if drain_ms:
            self.advance(self.clock.now_ms() + drain_ms)

    def run_live(
        self,
        sources: Mapping[str, Source],
        *,
        timeout_ms: int,
        done: Callable[[], bool] = lambda: False,
        started: Callable[[], None] | None = None,
    ) -> LiveRun:
        """Run on the sources' own threads until ``done()`` or ``timeout_ms``, bounded.

        Sources deliver into a queue; this thread takes each message and the
        timers that fall due in between, so pipelines are never entered twice at once.
        """
        outcome = LiveRun()
        # SimpleQueue: nothing here needs task tracking, and its put/get cost a third less
        inbox: queue.SimpleQueue[tuple[str, Message | None, str]] = queue.SimpleQueue()
        running: list[Source] = []
        carry: tuple[str, Message | None, str] | None = None  # taken from the inbox, not yet run
        try:
            for name, source in sources.items():
                source.start(_put(inbox, name), _put_error(inbox, name))
                running.append(source)
            if started is not None:  # every source is subscribed: traffic may begin
                started()
            end = time.monotonic() + timeout_ms / 1000
            while not done():
                now = time.monotonic()
                if now >= end:
                    outcome.timed_out = True
                    break
                wait = min(end - now, _POLL_S)  # done() is asked at least this often
                deadline = self.next_deadline()
                if deadline is not None:
                    wait = min(wait, max(0.0, (deadline - self.clock.now_ms()) / 1000))
                try:
                    name, message, text = carry if carry is not None else inbox.get(timeout=wait)
                except queue.Empty:
                    self.advance(self.clock.now_ms())
                    continue
                carry = None
                self.advance(self.clock.now_ms())
                if message is None:
                    outcome.source_errors.append(f"source {name}: {text}")
                    for pipeline in self.pipelines:
                        if pipeline.plan.reads(name):
                            pipeline.record_error(self.clock.now_ms(), f"source {name}: {text}")
                    continue
                batch, carry = _drain(inbox, name, message)
                outcome.messages += len(batch)
                for pipeline in list(self.pipelines):  # a run goes through each rule at once
                    if pipeline.plan.reads(name):
                        pipeline.push(name, batch, self)
                if self.on_step is not None:
                    self.on_step()
        finally:
            for source in running:
                source.stop()
        return outcome


_BATCH = 512  # messages a live loop takes from its inbox at once


def _drain(
    inbox: queue.SimpleQueue[tuple[str, Message | None, str]], stream: str, first: Message
) -> tuple[list[Message], tuple[str, Message | None, str] | None]:
    """``first`` and the messages of ``stream`` already waiting after it (up to a batch),
    so a busy live rule pays the loop's overhead once per batch, not per message;
    the item that ended the run (another stream's, an error) comes back, to go next."""
    batch = [first]
    while len(batch) < _BATCH:
        try:
            item = inbox.get_nowait()
        except queue.Empty:
            return batch, None
        if item[0] != stream or item[1] is None:
            return batch, item
        batch.append(item[1])
    return batch, None


def _merged(feeds: Mapping[str, Iterable[Message]]) -> Iterator[tuple[str, Message]]:
    """The feeds' messages by arrival time, the earlier feed's first on a tie: each
    step takes the earliest of the feeds' next messages (as ``heapq.merge`` does)."""
    if len(feeds) == 2:
        ((first, a), (second, b)) = feeds.items()
        return _merged_two(first, iter(a), second, iter(b))
    tagged = [_tag(stream, messages) for stream, messages in feeds.items()]
    return heapq.merge(*tagged, key=lambda item: item[1].ts)


def _merged_two(
    first: str, a: Iterator[Message], second: str, b: Iterator[Message]
) -> Iterator[tuple[str, Message]]:
    """Two feeds merged without a heap (a join's two streams: the common case).

    >>> ms = lambda *ts: iter([Message("t", b"", t) for t in ts])
    >>> [(s, m.ts) for s, m in _merged_two("a", ms(1, 3, 3), "b", ms(0, 3, 2))]
    [('b', 0), ('a', 1), ('a', 3), ('a', 3), ('b', 3), ('b', 2)]
    """
    x = next(a, None)
    y = next(b, None)
    while x is not None and y is not None:
        if y.ts < x.ts:
            yield second, y
            y = next(b, None)
        else:
            yield first, x
            x = next(a, None)
    if x is not None:
        yield first, x
        for m in a:
            yield first, m
    if y is not None:
        yield second, y
        for m in b:
            yield second, m


def _tag(stream: str, messages: Iterable[Message]) -> Iterator[tuple[str, Message]]:
    for m in messages:
        yield stream, m


def _put(
    inbox: queue.SimpleQueue[tuple[str, Message | None, str]], stream: str
) -> Callable[[Message], None]:
    return lambda message: inbox.put((stream, message, ""))


def _put_error(
    inbox: queue.SimpleQueue[tuple[str, Message | None, str]], stream: str
) -> Callable[[str], None]:
    return lambda text: inbox.put((stream, None, text))
