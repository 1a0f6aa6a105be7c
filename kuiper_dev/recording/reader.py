"""Reading a recording as a stream: lazily, in flat memory, stopping at damage.

A recording whose writer died mid-line, or which was cut or edited badly, is
still worth replaying up to the damage: the messages before it are yielded, then
the damage is reported (a :class:`RecordingWarning`, or a callback the caller
gives) and kept on :attr:`Recording.damage`. Never fatal.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from .._types import Message
from ..errors import RecordingError, RecordingWarning
from .format import RecordingHeader, decode_header, decode_message

__all__ = ["Recording", "RecordingDamage", "RecordingWarning", "read_recording"]

OnDamage = Callable[["RecordingDamage"], None]

_HEADER_LIMIT = 1 << 20


@dataclass(frozen=True, slots=True)
class RecordingDamage:
    """Where a recording stops being readable and what was wrong there.

    >>> print(RecordingDamage("r.jsonl", 5, "not a complete JSON object", 3))
    recording r.jsonl is damaged at line 5: not a complete JSON object; replayed the 3 messages before it
    """

    path: str
    line: int
    reason: str
    replayed: int

    def __str__(self) -> str:
        return (
            f"recording {self.path} is damaged at line {self.line}: {self.reason}; "
            f"replayed the {self.replayed} messages before it"
        )


def is_zstd(path: Path) -> bool:
    """Whether ``path`` names a zstandard-compressed recording (``.zst``)."""
    return path.suffix == ".zst"


class _Unfinished(Exception):
    """A compressed recording ends inside a frame: its writer never closed it."""


def _open_lines(path: Path) -> tuple[IO[bytes], Iterator[bytes]]:
    """(the raw file, which tells how far we are; its decompressed lines)."""
    raw = open(path, "rb")  # noqa: SIM115 - closed by the caller
    return raw, (_zstd_lines(raw) if is_zstd(path) else iter(raw))


def _zstd_lines(raw: IO[bytes]) -> Iterator[bytes]:
    # A decompressobj per frame (appending adds frames) tells where a frame ends,
    # which a stream reader hides: a file cut inside a frame must be reported.
    import zstandard

    obj = zstandard.ZstdDecompressor().decompressobj()
    begun = False
    pending = b""
    while chunk := raw.read(1 << 14):  # small: a chunk may inflate a thousandfold
        while chunk:
            begun = True
            pending += obj.decompress(chunk)
            chunk = b""
            if obj.eof:
                chunk = obj.unused_data
                obj = zstandard.ZstdDecompressor().decompressobj()
                begun = False
            *lines, pending = pending.split(b"\n")
            for line in lines:
                yield line + b"\n"
    if pending:
        yield pending
    if begun:
        raise _Unfinished


def read_recording(path: str | os.PathLike[str], *, on_damage: OnDamage | None = None) -> Recording:
    """Open the recording at ``path``: its header now, its messages as they are iterated.

    A missing file or one that is no recording raises :class:`RecordingError` here.

    >>> import tempfile, pathlib
    >>> from kuiper_dev.recording import RecordingWriter
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "r.jsonl"
    >>> with RecordingWriter(p, topics=["t/#"], start_ms=0) as w:
    ...     w.write(Message("t/1", b"{}", 10))
    >>> rec = read_recording(p)
    >>> rec.header.topics, [m.ts for m in rec], rec.damage
    (('t/#',), [10], None)
    """
    return Recording(Path(path), on_damage=on_damage)


class Recording:
    """A recording on disk; iterating it reads the file again from the top each time.

    ``bytes_read`` and ``total_bytes`` (of the file on disk, compressed or not)
    let a caller draw progress while iterating; ``damage`` says, after an
    iteration, where the file stopped being readable (None when it did not).
    A progress bar with tqdm::

        bar = tqdm(total=rec.total_bytes, unit="B", unit_scale=True)
        for m in rec:
            bar.update(rec.bytes_read - bar.n)
    """

    def __init__(self, path: Path, *, on_damage: OnDamage | None = None) -> None:
        self.path = path
        self.on_damage = on_damage
        self.damage: RecordingDamage | None = None
        self.bytes_read = 0
        if not path.is_file():
            raise RecordingError(
                f"recording {path} not found; check the path "
                "(record one with `kuiper-dev record` or RecordingWriter)"
            )
        self.total_bytes = path.stat().st_size
        raw, lines = _open_lines(path)
        with raw:
            try:
                # a plain file's header is read with a bound: a big file without
                # newlines given by mistake must not be loaded whole
                first = next(lines, b"") if is_zstd(path) else raw.readline(_HEADER_LIMIT)
            except Exception as e:  # noqa: BLE001 - zstandard's errors, or a frame cut short
                raise RecordingError(
                    f"{path} is not a readable zstandard file ({e or 'it ends inside a frame'}); "
                    "check the path, or drop the .zst suffix if it is plain text"
                ) from None
        if not first.strip():
            raise RecordingError(
                f"{path} is empty, so it is not a kuiper-dev recording; check the path, "
                "or record one with `kuiper-dev record` or RecordingWriter"
            )
        self.header: RecordingHeader = decode_header(first, str(path))

    def __repr__(self) -> str:
        return f"Recording({str(self.path)!r}, topics={list(self.header.topics)})"

    def __iter__(self) -> Iterator[Message]:
        return self.messages()

    def messages(self, *, on_damage: OnDamage | None = None) -> Iterator[Message]:
        """The messages in file order; damage goes to ``on_damage`` (else the
        recording's callback, else a :class:`RecordingWarning`) after the messages
        before it."""
        self.damage = None
        self.bytes_read = 0
        raw, lines = _open_lines(self.path)
        with raw:
            next(lines, b"")  # the header, checked when the recording was opened
            number, count = 1, 0
            while True:
                try:
                    line = next(lines, b"")
                except _Unfinished:
                    reason = (
                        "the compressed data ends inside a frame (its writer has not closed "
                        "it, or the file was cut)"
                    )
                    self._damaged(number + 1, reason, count, on_damage)
                    return
                except Exception as e:  # noqa: BLE001 - a corrupt compressed stream
                    self._damaged(number + 1, f"cannot decompress ({e})", count, on_damage)
                    return
                if not line:
                    break
                number += 1
                self.bytes_read = raw.tell()
                if not line.strip():
                    continue  # a blank line, as an editor may leave at the end
                try:
                    message = decode_message(line)
                except ValueError as e:
                    reason = str(e)
                    if not line.endswith(b"\n"):
                        reason = f"the line is cut short ({reason})"
                    self._damaged(number, reason, count, on_damage)
                    return
                count += 1
                yield message
            self.bytes_read = raw.tell()

    def _damaged(self, line: int, reason: str, count: int, on_damage: OnDamage | None) -> None:
        self.damage = RecordingDamage(str(self.path), line, reason, count)
        callback = on_damage or self.on_damage
        if callback is not None:
            callback(self.damage)
        else:
            warnings.warn(str(self.damage), RecordingWarning, stacklevel=3)
