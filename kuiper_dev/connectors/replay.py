"""A recording as a stream's source: its messages whose topic matches a subscription.

In virtual time the driver iterates a :class:`RecordingSource` like any feed (a
day of traffic in seconds); started as a live :class:`~.base.Source` it delivers
from its own thread, paced at ``speed`` times the recorded pace when one is given.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Iterator, Mapping

from .._types import Message
from ..recording import Recording, RecordingDamage, paced, read_recording
from .base import Deliver, Fail
from .mqtt import topic_matches

__all__ = ["RecordingSource", "split_recording"]

_CACHE_LIMIT = 4096  # topics remembered per split; device topics can be many


class RecordingSource:
    """The messages of a recording that ``subscription`` matches (MQTT wildcards).

    ``speed`` paces :meth:`start` (and iteration) in real time: 1 as recorded, 10
    ten times faster, 0 as fast as possible; None (the default) never waits.

    >>> import tempfile, pathlib
    >>> from kuiper_dev.recording import RecordingWriter
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "r.jsonl"
    >>> with RecordingWriter(p, start_ms=0) as w:
    ...     for i, t in enumerate(["a/1", "b/1", "a/2"]):
    ...         w.write(Message(t, b"{}", i))
    >>> [m.topic for m in RecordingSource(p, "a/+")]
    ['a/1', 'a/2']
    """

    def __init__(
        self,
        recording: Recording | str | os.PathLike[str],
        subscription: str = "#",
        *,
        speed: float | None = None,
    ) -> None:
        self.recording = (
            recording if isinstance(recording, Recording) else read_recording(recording)
        )
        self.subscription = subscription
        self.speed = speed
        if speed is not None and not speed >= 0:
            raise ValueError(f"speed must be 0 (as fast as possible) or positive, got {speed}")
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        return f"RecordingSource({str(self.recording.path)!r}, {self.subscription!r}, speed={self.speed})"

    @property
    def damage(self) -> RecordingDamage | None:
        """Where the last pass over the recording met damage, if it did."""
        return self.recording.damage

    def __iter__(self) -> Iterator[Message]:
        return self._messages(self.recording.messages())

    def _messages(self, messages: Iterable[Message]) -> Iterator[Message]:
        sub = self.subscription
        matching = (m for m in messages if topic_matches(sub, m.topic))
        if self.speed is None:
            return matching
        return paced(matching, self.speed, sleep=self._stop.wait)

    def start(self, deliver: Deliver, fail: Fail) -> None:
        """Deliver from a thread and return at once; damage calls ``fail`` after the
        messages before it."""
        self.stop()
        self._stop.clear()
        stopped = self._stop

        def run() -> None:
            damage: list[RecordingDamage] = []
            try:
                for m in self._messages(self.recording.messages(on_damage=damage.append)):
                    if stopped.is_set():
                        return
                    deliver(m)
            except Exception as e:  # an unreadable file mid-way must not die silently
                fail(f"replaying {self.recording.path} failed: {e}")
                return
            if damage and not stopped.is_set():
                fail(str(damage[0]))

        self._thread = threading.Thread(target=run, daemon=True, name="kuiper-replay")
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        """Stop delivering; a paced wait ends at once, so this returns within ``timeout``."""
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    @property
    def running(self) -> bool:
        """Whether a started replay is still delivering (a live driver's ``done``)."""
        return self._thread is not None and self._thread.is_alive()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for a started replay to deliver its last message; True when it has."""
        thread = self._thread
        if thread is None:
            return True
        thread.join(timeout)
        return not thread.is_alive()


def split_recording(
    messages: Iterable[Message], subscriptions: Mapping[str, str]
) -> Iterator[tuple[str, Message]]:
    """One pass over ``messages``: ``(name, message)`` for each subscription that matches.

    ``subscriptions`` maps a name (a stream, say) to its topic filter; a message
    matching several goes to each in the mapping's order. Flat memory: this is how
    one recording feeds several streams without being read once per stream.

    >>> msgs = [Message("a/1", b"", 1), Message("b/1", b"", 2)]
    >>> [(n, m.ts) for n, m in split_recording(msgs, {"s": "a/#", "all": "#"})]
    [('s', 1), ('all', 1), ('all', 2)]
    """
    routes: dict[str, tuple[str, ...]] = {}
    items = list(subscriptions.items())
    for m in messages:
        names = routes.get(m.topic)
        if names is None:
            if len(routes) >= _CACHE_LIMIT:
                routes.clear()
            names = routes[m.topic] = tuple(n for n, sub in items if topic_matches(sub, m.topic))
        for name in names:
            yield name, m
