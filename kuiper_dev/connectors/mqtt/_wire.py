"""paho's TCP socket read in large chunks, and QoS 0 messages parsed from them in runs.

paho reads a packet with three ``recv`` calls (the type byte, the length, the rest)
after a ``select``; each is a system call that lets go of the GIL, so a subscriber
under load spends more time in them, and in handing the GIL back and forth with
the rule's thread, than in its own work. :class:`ChunkedSocket` stands in for the
socket: a ``recv`` that finds its buffer empty reads up to :data:`CHUNK` bytes at
once and later calls are served from memory. ``pending()`` tells paho's loop that
bytes are waiting there (paho asks the same of TLS sockets before each ``select``),
so it reads them without waiting.

``idle`` runs whenever paho goes to the network with the buffer empty: before a
real read, and when paho asks ``pending()`` before it waits in ``select``. The
messages parsed by then are all there is for now, so the client hands the ones it
held over to the rule there (see ``MqttClient._handle_message``). A hook on the
last message of a chunk would not do: a chunk may end with a packet that is not a
message (a PINGRESP), and the held ones would wait for the next traffic.

Even reading from memory, paho spent 25-35 µs of Python per message on the loaded
bench machine (a packet
dict, an ``MQTTMessage``, locks, topic matching for filtered callbacks, keepalive
bookkeeping), more than the whole rule. :meth:`ChunkedSocket.take_publishes`
parses the run of whole QoS 0 PUBLISH packets (MQTT 3.1/3.1.1, §3.3) at the head of
the buffer in one loop; paho still reads every other packet (QoS 1/2 with their
acknowledgements, SUBACK, PINGRESP, MQTT 5, anything malformed) and owns the
connection, so the fast path only ever sees what needs no answer.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from typing import Any

from ..._types import Message

__all__ = ["CHUNK", "HOLD_MAX", "ChunkedSocket", "Publish", "Runs"]

Publish = Callable[[bytes, bytes, bool], bool]
"""Takes a QoS 0 message's topic (raw bytes), payload and retain flag; False refuses
it (the packet stays in the buffer for paho to read)."""

CHUNK = 1 << 16  # bytes read at once: a few hundred small messages
HOLD_MAX = 512  # messages held on paho's thread before they are handed over anyway


class ChunkedSocket:
    """A non-blocking TCP socket whose reads come from a buffer filled in chunks.

    Reads go through the buffer; everything else (``send``, ``fileno`` for
    ``select``, ``setblocking``, ``close``) to the socket itself, so paho uses it as
    it would the socket.

    >>> a, b = socket.socketpair()
    >>> reads = []
    >>> s = ChunkedSocket(a, idle=lambda: reads.append(1))
    >>> b.sendall(b"\\x30\\x05abcde")
    >>> s.recv(1), s.buffered(), s.recv(1), s.recv(5), len(reads)
    (b'0', 6, b'\\x05', b'abcde', 1)
    >>> s.pending(), len(reads)  # nothing buffered: paho will wait, the hook runs
    (0, 2)
    >>> s.close(); b.close()
    """

    __slots__ = ("_buf", "_pos", "_sock", "idle")

    def __init__(self, sock: socket.socket, idle: Callable[[], None] | None = None) -> None:
        self._sock = sock
        self._buf = b""
        self._pos = 0
        self.idle = idle

    def recv(self, n: int) -> bytes:
        """Up to ``n`` bytes: from the buffer while it lasts, else one read of a chunk."""
        buf, pos = self._buf, self._pos
        if pos < len(buf):
            end = pos + n
            if end < len(buf):
                self._pos = end
                return buf[pos:end]
            self._buf, self._pos = b"", 0
            return buf[pos:]  # the end of the chunk; paho asks again for the rest
        if self.idle is not None:
            self.idle()
        data = self._sock.recv(CHUNK if n < CHUNK else n)  # BlockingIOError when none came
        if len(data) <= n:  # all of it asked for, or b"" when the broker closed
            self._buf, self._pos = b"", 0
            return data
        self._buf, self._pos = data, n
        return data[:n]

    def fill(self) -> bool:
        """Read a chunk if the buffer is empty (``idle`` first); whether bytes are
        buffered now. Nothing there, the end of the stream or an error leave the
        buffer empty, and paho's own read meets the same answer and handles it.

        >>> a, b = socket.socketpair()
        >>> a.setblocking(False)
        >>> s = ChunkedSocket(a)
        >>> s.fill(), b.sendall(b"xy"), s.fill(), s.buffered()
        (False, None, True, 2)
        >>> s.close(); b.close()
        """
        if self._pos < len(self._buf):
            return True
        if self.idle is not None:
            self.idle()
        try:
            data = self._sock.recv(CHUNK)
        except OSError:  # BlockingIOError above all; a reset connection is paho's to see
            return False
        if not data:
            return False
        self._buf, self._pos = data, 0
        return True

    def take_publishes(self, publish: Publish, most: int) -> int:
        """Hand up to ``most`` whole QoS 0 PUBLISH packets at the head of the buffer
        to ``publish``; stop at anything else (another packet, a partial one, one
        ``publish`` refuses), which stays for paho. Returns how many were taken.

        >>> a, b = socket.socketpair()
        >>> s, got = ChunkedSocket(a), []
        >>> b.sendall(b"\\x30\\x06\\x00\\x01tabc" b"\\x31\\x04\\x00\\x01uv" b"\\x32\\x06")
        >>> _ = s.recv(0)  # fills the buffer (paho would read a byte here)
        >>> s.take_publishes(lambda t, p, r: got.append((t, p, r)) is None, 10), got
        (2, [(b't', b'abc', False), (b'u', b'v', True)])
        >>> s.buffered()  # a QoS 1 PUBLISH header: paho's to read
        2
        >>> s.close(); b.close()
        """
        buf, pos, end = self._buf, self._pos, len(self._buf)
        taken = 0
        while taken < most and pos + 4 <= end:
            first = buf[pos]
            if first & 0xF6 != 0x30:  # not a PUBLISH at QoS 0 (the low bit is retain)
                break
            length, at, shift = 0, pos + 1, 0
            while at < end and shift < 28:  # "remaining length": at most 4 bytes
                byte = buf[at]
                at += 1
                length |= (byte & 0x7F) << shift
                shift += 7
                if byte < 0x80:
                    break
            else:
                break  # cut off, or malformed: paho decides
            stop = at + length
            if stop > end or length < 2:
                break
            topic_end = at + 2 + (buf[at] << 8 | buf[at + 1])
            if topic_end > stop or topic_end == at + 2:  # an empty topic is malformed in 3.1.1
                break
            if not publish(buf[at + 2 : topic_end], buf[topic_end:stop], bool(first & 1)):
                break
            pos = stop
            taken += 1
        if pos >= end:
            self._buf, self._pos = b"", 0
        else:
            self._pos = pos
        return taken

    def buffered(self) -> int:
        """Bytes read from the socket and not yet handed to paho."""
        return len(self._buf) - self._pos

    def pending(self) -> int:
        """:meth:`buffered`, for paho's loop; when it is 0 paho waits next, so ``idle`` runs."""
        left = len(self._buf) - self._pos
        if not left and self.idle is not None:
            self.idle()
        return left

    def fileno(self) -> int:
        return self._sock.fileno()

    def close(self) -> None:
        self._buf, self._pos = b"", 0
        self._sock.close()

    @property
    def raw(self) -> socket.socket:
        """The socket itself (for options such as ``TCP_NODELAY``)."""
        return self._sock

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


class Runs:
    """Messages parsed on paho's thread, handed to ``on_message`` a run at a time.

    Handing each message over wakes the rule's thread, which then takes the GIL
    from paho's for one message; held until paho goes back to the network (or
    :data:`HOLD_MAX` wait), a run costs one wake-up. Only paho's thread adds and
    hands over, and the client's ``close`` once that thread has ended: no lock.

    >>> got, errors = [], []
    >>> runs = Runs(got.append, errors.append)
    >>> runs.publish(b"a/b", b"1", False), runs.publish(b"\\xff", b"2", False), got
    (True, False, [])
    >>> runs.hand_over()
    >>> [(m.topic, m.payload, m.qos, m.meta) for m in got]
    [('a/b', b'1', 0, {'topic': 'a/b', 'qos': 0, 'messageId': 0})]
    """

    __slots__ = ("_raw", "_text", "held", "on_error", "on_message", "ts")

    def __init__(self, on_message: Callable[[Message], None] | None,
                 on_error: Callable[[str], None]) -> None:  # fmt: skip
        self.held: list[Message] = []
        self.on_message = on_message
        self.on_error = on_error
        self.ts = 0  # arrival time (epoch ms) of the run being parsed
        self._raw, self._text = b"", ""  # the last topic decoded: runs often share one

    def take_from(self, sock: ChunkedSocket) -> int:
        """Parse the QoS 0 messages at the head of ``sock``'s buffer (see
        :meth:`ChunkedSocket.take_publishes`), stamped with one arrival time: they
        came in one read."""
        if len(self.held) >= HOLD_MAX:
            self.hand_over()
        self.ts = time.time_ns() // 1_000_000
        return sock.take_publishes(self.publish, HOLD_MAX - len(self.held))

    def publish(self, topic: bytes, payload: bytes, retain: bool) -> bool:
        """A QoS 0 message from :meth:`ChunkedSocket.take_publishes`, with the meta
        paho's path gives (``messageId`` 0 at QoS 0). A topic that is not UTF-8 is
        refused, so paho reads it and the client reports it as it does there."""
        if topic == self._raw:
            text = self._text
        else:
            try:
                text = topic.decode()
            except UnicodeDecodeError:
                return False
            self._raw, self._text = topic, text
        meta = {"topic": text, "qos": 0, "messageId": 0}
        self.held.append(Message(text, payload, self.ts, 0, retain, meta))
        return True

    def add_paho(self, msg: Any, v5: bool) -> None:
        """A message paho read (any QoS; MQTT 5 user properties as ``properties``)."""
        try:
            topic = msg.topic
            meta: dict[str, Any] = {"topic": topic, "qos": msg.qos, "messageId": msg.mid}
            if v5:
                user = getattr(msg.properties, "UserProperty", None)
                if user:
                    meta["properties"] = {str(k): str(v) for k, v in user}
            message = Message(topic, bytes(msg.payload), time.time_ns() // 1_000_000,
                                    msg.qos, bool(msg.retain), meta)  # fmt: skip
        except Exception as e:  # noqa: BLE001 - errors on paho's thread go to our callback
            try:
                where = repr(msg.topic)
            except UnicodeDecodeError:  # paho's answer to a topic that is not UTF-8
                where = f"topic bytes {msg._topic!r}"
            self.on_error(f"error handling a message on {where}: {e!r}")
            return
        self.held.append(message)

    def hand_over(self) -> None:
        """Give the held messages to ``on_message``, in arrival order."""
        held = self.held
        if not held:
            return
        self.held = []
        on_message = self.on_message
        if on_message is None:
            return
        for message in held:
            try:
                on_message(message)
            except Exception as e:  # noqa: BLE001 - errors on paho's thread go to our callback
                self.on_error(f"error handling a message on {message.topic!r}: {e!r}")
