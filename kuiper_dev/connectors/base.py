"""The two slots every connector fills: a :class:`Source` delivers, a :class:`Sink` collects.

Sources push: once started they call ``deliver`` with each message (on their own
thread when live) and ``fail`` with a message when something goes wrong, until
stopped. In virtual time the driver reads a source as a time-ordered iterable of
messages instead (:class:`FeedSource`), so replays are deterministic and fast.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol, runtime_checkable

from .._types import Message

__all__ = ["Deliver", "Fail", "FeedSource", "Sink", "Source"]

Deliver = Callable[[Message], None]
Fail = Callable[[str], None]


@runtime_checkable
class Source(Protocol):
    """Anything that delivers messages of one stream: feeds, plugins, MQTT, recordings."""

    def start(self, deliver: Deliver, fail: Fail) -> None:
        """Begin delivering; may return at once (threads) or after the last message."""

    def stop(self) -> None:
        """Stop delivering and release what the source holds; bounded in time."""


@runtime_checkable
class Sink(Protocol):
    """Anything a rule's action hands its results to."""

    def collect(self, data: Any) -> None:
        """Take one emission as the action shaped it."""

    def close(self) -> None:
        """Flush and release; bounded in time."""


class FeedSource:
    """Messages held or generated in memory (a list, a simulated fleet, a file reader).

    >>> seen = []
    >>> FeedSource([Message("t", b"{}", 5)]).start(seen.append, print)
    >>> [m.ts for m in seen]
    [5]
    """

    def __init__(self, messages: Iterable[Message]) -> None:
        self._messages = messages
        self._stopped = False

    def __iter__(self) -> Iterator[Message]:
        return iter(self._messages)

    def start(self, deliver: Deliver, fail: Fail) -> None:
        for m in self._messages:
            if self._stopped:
                break
            deliver(m)

    def stop(self) -> None:
        self._stopped = True
