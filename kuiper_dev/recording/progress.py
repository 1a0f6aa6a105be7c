"""A progress bar over a recording being read: its bytes, drawn by tqdm.

Long replays and recordings show how far they are (tqdm picks a notebook widget
in Jupyter and a text bar in a terminal); the bar follows the bytes read, so it
is exact for recordings of any size without counting their lines first.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from .._types import Message
from .reader import Recording

__all__ = ["with_progress"]


def with_progress(
    messages: Iterable[Message], recording: Recording, *, desc: str = "replay", every: int = 4096
) -> Iterator[Message]:
    """``messages`` (read from ``recording``) passed through while a bar shows the bytes read.

    >>> import io, contextlib, tempfile, pathlib
    >>> from kuiper_dev.recording import RecordingWriter, read_recording
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "r.jsonl"
    >>> with RecordingWriter(p, start_ms=0) as w:
    ...     w.write(Message("t", b"{}", 1))
    >>> rec = read_recording(p)
    >>> with contextlib.redirect_stderr(io.StringIO()):
    ...     [m.ts for m in with_progress(rec, rec)]
    [1]
    """
    from tqdm.auto import tqdm

    with tqdm(total=recording.total_bytes, unit="B", unit_scale=True, desc=desc) as bar:
        for i, message in enumerate(messages):
            if i % every == 0:
                bar.update(recording.bytes_read - bar.n)
            yield message
        bar.update(recording.bytes_read - bar.n)
