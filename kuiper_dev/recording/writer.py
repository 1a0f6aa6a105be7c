"""Writing a recording append-only, one flushed line per message.

Each line is handed to the operating system as soon as it is written, so a
recorder that crashes loses at most the line it was writing. Opening an existing
recording appends to it, after checking that it is one.
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self

from .._types import JsonValue, Message
from ..errors import RecordingError
from .format import RecordingHeader, decode_header, encode_header, encode_message
from .reader import RecordingWarning, _open_lines, is_zstd

__all__ = ["RecordingWriter"]


class RecordingWriter:
    """Append messages to the recording at ``path`` (``.zst``: zstandard-compressed).

    A new or empty file gets a header from ``broker``, ``topics``, ``start_ms``
    (default: now) and ``extra``; an existing recording keeps its own header
    (:attr:`header`) and is appended to. A file cut off mid-line by a crash loses
    that partial line first (with a :class:`RecordingWarning`), so what is appended
    stays readable. Use it from one thread at a time.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "r.jsonl"
    >>> with RecordingWriter(p, topics=["t/#"], start_ms=0) as w:
    ...     w.write(Message("t/1", b'{"a":1}', 10))
    >>> w.count, p.read_text().splitlines()[1]
    (1, '{"ts":10,"topic":"t/1","qos":0,"retain":false,"payload":"{\\\\"a\\\\":1}"}')
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        broker: str = "",
        topics: Iterable[str] = (),
        start_ms: int | None = None,
        extra: Mapping[str, JsonValue] | None = None,
    ) -> None:
        self.path = Path(path)
        self.count = 0
        if self.path.is_dir():
            raise RecordingError(
                f"{self.path} is a folder; give a file path such as {self.path}/traffic.jsonl"
            )
        fresh = not self.path.exists() or self.path.stat().st_size == 0
        if fresh:
            if start_ms is None:
                start_ms = time.time_ns() // 1_000_000
            self.header = RecordingHeader(broker, tuple(topics), start_ms, extra=dict(extra or {}))
        else:
            self.header = self._existing_header()
        self._file: IO[bytes] = open(self.path, "ab")  # noqa: SIM115 - closed in close()
        self._zstd: Any = None
        if is_zstd(self.path):
            import zstandard

            self._zstd = zstandard.ZstdCompressor().stream_writer(self._file, closefd=False)
        if fresh:
            self._put(encode_header(self.header))

    def _existing_header(self) -> RecordingHeader:
        raw, lines = _open_lines(self.path)
        with raw:
            header = decode_header(next(lines, b""), str(self.path))
        if is_zstd(self.path):
            _check_zstd_end(self.path)
        else:
            _drop_partial_line(self.path)
        return header

    def _put(self, line: bytes) -> None:
        if self._zstd is not None:
            import zstandard

            self._zstd.write(line)
            self._zstd.flush(zstandard.FLUSH_BLOCK)
        else:
            self._file.write(line)
        self._file.flush()

    def write(self, message: Message) -> None:
        """Append one message and flush it to the operating system."""
        if self._file.closed:
            raise RecordingError(
                f"recording {self.path} is closed; open a new RecordingWriter to append"
            )
        self._put(encode_message(message))
        self.count += 1

    def close(self) -> None:
        """Finish the file (a compressed one gets its frame end); closing twice is harmless."""
        if self._file.closed:
            return
        if self._zstd is not None:
            import zstandard

            self._zstd.flush(zstandard.FLUSH_FRAME)
        self._file.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"RecordingWriter({str(self.path)!r}, count={self.count})"


def _drop_partial_line(path: Path) -> None:
    """Cut a last line that has no newline: a crash stopped its write half-way."""
    size = path.stat().st_size
    with open(path, "r+b") as f:
        f.seek(size - 1)
        if f.read(1) == b"\n":
            return
        # Walk back in blocks to the last newline; a partial line is one message long.
        end = size
        while end > 0:
            start = max(0, end - 65536)
            f.seek(start)
            cut = f.read(end - start).rfind(b"\n")
            if cut >= 0:
                keep = start + cut + 1
                break
            end = start
        else:
            keep = 0
        if keep == 0:
            raise RecordingError(
                f"{path} holds only part of a header line; delete it and record again"
            )
        f.truncate(keep)
    warnings.warn(
        f"recording {path} ended in a partial line of {size - keep} bytes (a writer stopped "
        "mid-line); dropped it before appending",
        RecordingWarning,
        stacklevel=4,
    )


def _check_zstd_end(path: Path) -> None:
    """Refuse to append after an unfinished frame: the decoder would read garbage there."""
    import zstandard

    fed = False  # whether the current frame has begun
    obj = zstandard.ZstdDecompressor().decompressobj()
    with open(path, "rb") as f:
        pending = b""
        while True:
            chunk = pending or f.read(1 << 20)
            pending = b""
            if not chunk:
                break
            fed = True
            try:
                obj.decompress(chunk)
            except zstandard.ZstdError as e:
                raise RecordingError(
                    f"{path} is not a readable zstandard file ({e}); record to a new file"
                ) from None
            if obj.eof:
                pending = obj.unused_data
                obj = zstandard.ZstdDecompressor().decompressobj()
                fed = False
    if fed:
        raise RecordingError(
            f"{path} ends in an unfinished zstandard frame (its writer was not closed), so "
            "appending would make it unreadable; replay it with read_recording and record "
            "to a new file"
        )
