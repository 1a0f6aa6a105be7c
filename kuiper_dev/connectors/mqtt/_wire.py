"""paho's TCP socket read in large chunks: one system call per run of packets, not four per packet.

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
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

__all__ = ["CHUNK", "ChunkedSocket"]

CHUNK = 1 << 16  # bytes read at once: a few hundred small messages


class ChunkedSocket:
    """A non-blocking TCP socket whose reads come from a buffer filled in chunks.

    Everything but ``recv`` and ``pending`` goes to the socket itself, so paho
    writes, selects on and closes it as it would the socket.

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
