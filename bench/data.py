"""The bench's data: one seeded JSON-lines file and recordings made from it, cached.

Every job reads the same file (100 devices, temperature uniform 0-100, ``ts`` 1-19 ms
apart), so kuiper_dev, the bare loop and bytewax do the same work. Files are made
once per (kind, count, seed) in a cache folder and reused by later runs.
"""

from __future__ import annotations

import os
import random
import tempfile
from collections.abc import Iterator
from pathlib import Path

import orjson

from kuiper_dev import Message, RecordingWriter

DEVICES = 100
SEED = 15
START_MS = 1_700_000_000_000
TOPIC = "sensors/demo"
FORMAT_VERSION = 1  # bump when the generated content changes, so caches are remade


def cache_dir() -> Path:
    """Where generated files live: ``$KUIPER_BENCH_CACHE`` or a folder in the temp dir.

    >>> cache_dir().name.startswith("kuiper_dev-bench") or "KUIPER_BENCH_CACHE" in os.environ
    True
    """
    folder = os.environ.get("KUIPER_BENCH_CACHE") or os.path.join(
        tempfile.gettempdir(), "kuiper_dev-bench"
    )
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    return path


def rows(count: int, seed: int = SEED) -> Iterator[dict[str, object]]:
    """``count`` seeded sensor rows in time order.

    >>> [sorted(r) for r in rows(1)]
    [['deviceId', 'temperature', 'ts']]
    >>> ts = [r["ts"] for r in rows(50)]
    >>> all(1 <= b - a <= 19 for a, b in zip(ts, ts[1:]))
    True
    """
    rng = random.Random(seed)
    ts = START_MS
    for _ in range(count):
        ts += rng.randint(1, 19)
        yield {
            "deviceId": f"d{rng.randrange(DEVICES):03d}",
            "temperature": round(rng.uniform(0, 100), 2),
            "ts": ts,
        }


def _fresh(path: Path) -> Path | None:
    """``path`` if it is already made (a partial file never has this name)."""
    return path if path.exists() else None


def jsonl_file(count: int, seed: int = SEED) -> Path:
    """The JSON-lines file of ``count`` rows, made once and cached.

    >>> p = jsonl_file(3)
    >>> len(p.read_bytes().splitlines())
    3
    """
    path = cache_dir() / f"sensors-v{FORMAT_VERSION}-{seed}-{count}.jsonl"
    if _fresh(path):
        return path
    partial = path.with_suffix(f".{os.getpid()}.part")
    with partial.open("wb") as f:
        dumps = orjson.dumps
        for row in rows(count, seed):
            f.write(dumps(row) + b"\n")
    partial.replace(path)  # atomic: a crash never leaves a short file under the real name
    return path


def messages(path: Path) -> Iterator[Message]:
    """The file's lines as messages arriving at their ``ts`` (streamed, flat memory).

    The arrival time is cut from the line's end, where the generator put ``ts``, so
    that feeding the engine costs little beside the engine's own decoding.

    >>> m = next(messages(jsonl_file(3)))
    >>> m.topic, m.ts == orjson.loads(m.payload)["ts"]
    ('sensors/demo', True)
    """
    with path.open("rb") as f:
        for line in f:
            payload = line.rstrip(b"\n")
            yield Message(TOPIC, payload, int(payload[payload.rindex(b":") + 1 : -1]))


def recording_file(count: int, seed: int = SEED) -> Path:
    """A recording of the file's ``count`` messages (written by RecordingWriter), cached.

    >>> from kuiper_dev import read_recording
    >>> sum(1 for _ in read_recording(recording_file(3)))
    3
    """
    path = cache_dir() / f"sensors-v{FORMAT_VERSION}-{seed}-{count}.rec.jsonl"
    if _fresh(path):
        return path
    partial = path.with_suffix(f".{os.getpid()}.part")
    partial.unlink(missing_ok=True)
    with RecordingWriter(partial, topics=[TOPIC], start_ms=START_MS) as writer:
        for m in messages(jsonl_file(count, seed)):
            writer.write(m)
    partial.replace(path)
    return path
