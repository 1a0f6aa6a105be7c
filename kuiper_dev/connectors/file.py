"""eKuiper's built-in ``file`` source and sink (``internal/io/file``), for local files.

**Source** (``TYPE="file"``): ``path`` (a folder; relative to ``root``, eKuiper's
install folder) joined with the stream's ``DATASOURCE`` names a file or a folder;
a DATASOURCE that leaves ``path`` (``..``, another absolute path) is refused. A
folder's files are read oldest first (modification time, then name: eKuiper's
code; its docs say by name). ``fileType`` picks how a file becomes messages:

- ``json``: the file is one JSON document; with the stream ``FORMAT`` json an
  array gives one message per element (an object, one message); with another
  format, as ``raw``.
- ``raw``: the whole file is one message (FORMAT binary, usually).
- ``lines``: one message per line, its bytes as they are for the stream's FORMAT
  to decode; with FORMAT json a line that is neither a JSON object nor an array
  of objects is reported.
- ``csv``: one message per record, a JSON object of text values, keys from
  ``columns``, or the header line with ``hasHeader``, else ``cols0``, ``cols1``...
  (eKuiper's names); ``delimiter`` is the stream's DELIMITER (first character).

``ignoreStartLines``/``ignoreEndLines`` drop lines at either end first (every line
counts, empty ones too, as eKuiper's code does). ``decompression: gzip`` unpacks
json and raw files; eKuiper refuses it for csv and lines, so does this.
``actionAfterRead`` 1 deletes a file once read, 2 moves it into ``moveTo``.

Messages carry ``meta`` ``{"file": path}``. Iterated (virtual time) the source
reads everything once and row ``i`` arrives at ``start_ms + i * sendInterval``.
Live, a thread reads at start, then every ``interval`` (a folder: only files
changed since read); with ``interval`` 0 a file is read once and a folder is
watched (polled every ``poll_ms``; a changed file is read once its size and time
held still for one poll; eKuiper uses inotify). Each row is stamped with the
``now_ms`` clock (the wall clock by default) and ``sendInterval`` is waited
between rows. A bad row or line is reported to ``fail`` (or ``on_error``, and
kept in ``errors``) with the file and line, and reading goes on.

**Sink** (action ``file``): :class:`FileSink`, in :mod:`.file_sink`.

Left out: fileType parquet, zstd (no zstandard module here), decryption,
``parallel``, eKuiper's rewind offsets (a restarted source reads everything
again). Files are read whole into memory, as eKuiper's buffer does, not streamed.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import threading
import time
from collections.abc import Callable, Generator, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from .._types import Message
from ..errors import RuleError, did_you_mean
from .base import Deliver, Fail
from .file_sink import FileSink
from .simulator_source import DEFAULT_START_MS, _duration_ms, _int, _wall_ms

__all__ = ["FileSink", "FileSource"]  # FileSink lives in .file_sink

_SOURCE_TYPES = ("json", "csv", "lines", "raw")
_KEEP_ERRORS = 1000
_Row = tuple[bytes, dict[str, Any]]


@dataclass(frozen=True, slots=True)
class _SourceConf:
    file_type: str
    path: str
    interval_ms: int
    send_interval_ms: int
    action_after_read: int
    move_to: str
    has_header: bool
    columns: tuple[str, ...]
    delimiter: str
    ignore_start: int
    ignore_end: int
    decompression: str
    format: str

    @classmethod
    def from_props(cls, props: Mapping[str, Any], where: str) -> _SourceConf:
        file_type = str(props.get("fileType") or "json")
        if file_type not in _SOURCE_TYPES:
            hint = did_you_mean(file_type, _SOURCE_TYPES)
            raise RuleError(
                f"{where}: fileType {file_type!r} is not supported;{hint} use one of "
                f"{', '.join(_SOURCE_TYPES)}"
            )
        decompression = str(props.get("decompression") or "")
        if decompression and file_type in ("csv", "lines"):
            raise RuleError(
                f"{where}: eKuiper refuses decompression for fileType {file_type} (it unpacks only "
                "whole files); use fileType json or raw, or unpack the file first"
            )
        if decompression not in ("", "gzip"):
            raise RuleError(f"{where}: decompression {decompression!r} is not available; use gzip")
        action = _int(props, "actionAfterRead", 0, where)
        if action not in (0, 1, 2):
            raise RuleError(
                f"{where}: invalid actionAfterRead: {action}; use 0 (keep), 1 (delete) or 2 (move)"
            )
        move_to = str(props.get("moveTo") or "")
        if action == 2 and not move_to:
            raise RuleError(f"{where}: missing moveTo when actionAfterRead is 2; give the folder")
        columns = props.get("columns") or ()
        if not isinstance(columns, list | tuple) or not all(isinstance(c, str) for c in columns):
            raise RuleError(f"{where}: columns must be a list of names, e.g. [id, name]")
        path = str(props.get("path") or "")
        if not path:
            raise RuleError(f"{where}: missing property path; give the folder of the files")
        return cls(
            file_type, path, _duration_ms(props.get("interval", 0), "interval", where),
            _duration_ms(props.get("sendInterval", 0), "sendInterval", where), action, move_to,
            bool(props.get("hasHeader", False)), tuple(columns),
            (str(props.get("delimiter") or ",") + ",")[0],
            max(0, _int(props, "ignoreStartLines", 0, where)),
            max(0, _int(props, "ignoreEndLines", 0, where)),
            decompression, str(props.get("format") or "json").lower(),
        )  # fmt: skip


def _confined(base: Path, datasource: str, where: str) -> Path:
    """``base/datasource``, refused when it leaves ``base`` (DESIGN: names never escape)."""
    target = (base / datasource).resolve()
    root = base.resolve()
    if target != root and root not in target.parents:
        raise RuleError(
            f"{where}: DATASOURCE {datasource!r} leaves the source folder {root}; name a file "
            "or folder inside it (no '..', no other absolute path)"
        )
    return target


class FileSource:
    """eKuiper's file source over ``root/path/datasource``; a :class:`Source` and an iterable.

    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "a.csv").write_text("id,name\\n1,ann\\n2,bob\\n")
    >>> src = FileSource("s", "a.csv", {"path": str(d), "fileType": "csv", "hasHeader": True,
    ...                                 "sendInterval": 10}, start_ms=0)
    >>> [(m.ts, m.payload) for m in src]
    [(0, b'{"id":"1","name":"ann"}'), (10, b'{"id":"2","name":"bob"}')]
    """

    def __init__(
        self,
        stream: str,
        datasource: str,
        props: Mapping[str, Any],
        *,
        root: str | Path | None = None,
        start_ms: int = DEFAULT_START_MS,
        now_ms: Callable[[], int] = _wall_ms,
        on_error: Fail | None = None,
        poll_ms: int = 500,
    ) -> None:
        self.stream = stream
        self._where = where = f"file source {stream}".rstrip()
        self.conf = conf = _SourceConf.from_props(props, where)
        self.root = Path(root) if root is not None else Path.cwd()
        self.target = _confined(self.root / conf.path, datasource, where)
        if not self.target.exists():
            raise RuleError(
                f"{where}: file {self.target} does not exist; create it or fix path/DATASOURCE"
            )
        self.is_dir = self.target.is_dir()
        self.move_to = self.root / conf.move_to if conf.action_after_read == 2 else None
        if self.move_to is not None:
            if self.move_to.exists() and not self.move_to.is_dir():
                raise RuleError(f"{where}: moveTo {self.move_to} is not a directory; name a folder")
            self.move_to.mkdir(parents=True, exist_ok=True)
        self.start_ms = start_ms
        self.poll_ms = poll_ms
        self.errors: list[str] = []
        self._now_ms = now_ms
        self._on_error = on_error
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._read_sigs: dict[Path, tuple[int, int]] = {}
        self._polled: dict[Path, tuple[int, int]] = {}

    # -- reading ---------------------------------------------------------------------

    def _report(self, text: str, fail: Fail | None) -> None:
        self.errors.append(text)
        if len(self.errors) > _KEEP_ERRORS:  # a long live run keeps only the latest
            del self.errors[0]
        sink = fail or self._on_error
        if sink is not None:
            sink(text)

    def _files(self) -> list[Path]:
        if not self.is_dir:
            return [self.target]
        found = []
        for p in self.target.iterdir():
            try:
                if p.is_file():
                    found.append((p.stat().st_mtime_ns, p.name, p))
            except OSError:
                continue
        return [p for _, _, p in sorted(found)]

    def rows(self, fail: Fail | None = None, files: list[Path] | None = None) -> Iterator[_Row]:
        """Each message payload with its meta, file by file, doing ``actionAfterRead``."""
        for path in self._files() if files is None else files:
            read = yield from self._read_file(path, fail)
            if read and self.conf.action_after_read:  # as eKuiper: not after a failed read
                self._after_read(path, fail)

    def _read_file(self, path: Path, fail: Fail | None) -> Generator[_Row, None, bool]:
        conf, meta = self.conf, {"file": str(path)}
        try:
            raw = path.read_bytes()
            if conf.decompression:
                raw = gzip.decompress(raw)
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            self._report(f"{path}: cannot be read ({exc}); check the file", fail)
            return False
        if not raw:  # eKuiper ignores an empty file
            return True
        first_line = 1
        if conf.ignore_start or conf.ignore_end:
            lines = raw.split(b"\n")
            if raw.endswith(b"\n"):
                lines.pop()
            kept = lines[conf.ignore_start : max(conf.ignore_start, len(lines) - conf.ignore_end)]
            raw = b"".join(line.removesuffix(b"\r") + b"\n" for line in kept)
            first_line += conf.ignore_start
        kind = conf.file_type
        if kind == "raw" or (kind == "json" and conf.format != "json"):
            yield raw, meta
            return True
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            self._report(f"{path}: not UTF-8 text ({exc}); use fileType raw for binary files", fail)
            return True
        if kind == "json":
            yield from self._json(text, path, first_line, meta, fail)
        elif kind == "lines":
            yield from self._lines(text, path, first_line, meta, fail)
        else:
            yield from self._csv(text, path, first_line, meta, fail)
        return True

    def _json(
        self, text: str, path: Path, first: int, meta: dict[str, Any], fail: Fail | None
    ) -> Iterator[_Row]:
        decoder = json.JSONDecoder(parse_constant=_no_constant)
        pos, end, i = _skip_ws(text, 0), len(text), 0
        try:
            if text.startswith("[", pos):
                pos = _skip_ws(text, pos + 1)
                while pos < end and text[pos] != "]":
                    value, stop = decoder.raw_decode(text, pos)
                    if isinstance(value, dict):
                        yield text[pos:stop].encode(), meta
                    else:
                        line = first + text.count("\n", 0, pos)
                        self._report(
                            f"{path}:{line}: element {i} is a {type(value).__name__}, not an "
                            "object; each element of the array must be a JSON object", fail
                        )  # fmt: skip
                    i, pos = i + 1, _skip_ws(text, stop)
                    if pos < end and text[pos] == ",":
                        pos = _skip_ws(text, pos + 1)
                    elif pos >= end or text[pos] != "]":
                        raise json.JSONDecodeError("expected ',' or ']'", text, pos)
            else:
                value, stop = decoder.raw_decode(text, pos)
                if not isinstance(value, dict) or _skip_ws(text, stop) != end:
                    raise json.JSONDecodeError(
                        "expected one object or an array of objects", text, pos
                    )
                yield text[pos:stop].encode(), meta
        except json.JSONDecodeError as exc:
            self._report(
                f"{path}:{first + exc.lineno - 1}: not valid JSON at column {exc.colno} ({exc.msg}); "
                "fix the file (rows before this point were read)", fail
            )  # fmt: skip

    def _lines(
        self, text: str, path: Path, first: int, meta: dict[str, Any], fail: Fail | None
    ) -> Iterator[_Row]:
        lines = text.split("\n")
        if text.endswith("\n"):
            lines.pop()
        for n, line in enumerate(lines, first):
            line = line.removesuffix("\r")
            if self.conf.format == "json":
                try:
                    value = json.loads(line, parse_constant=_no_constant)
                except json.JSONDecodeError as exc:
                    self._report(f"{path}:{n}: not a JSON object ({exc}); fix the line", fail)
                    continue
                # an array of objects is rows too: the file sink writes a list emission so
                if not isinstance(value, dict) and not (
                    isinstance(value, list) and all(isinstance(v, dict) for v in value)
                ):
                    self._report(
                        f"{path}:{n}: not a JSON object or array of objects; fix the line", fail
                    )
                    continue
            yield line.encode(), meta

    def _csv(
        self, text: str, path: Path, first: int, meta: dict[str, Any], fail: Fail | None
    ) -> Iterator[_Row]:
        conf = self.conf
        reader = csv.reader(
            io.StringIO(text), delimiter=conf.delimiter, skipinitialspace=True, strict=True
        )
        cols: list[str] | None = list(conf.columns) or None
        header_due = conf.has_header
        while True:
            try:
                record = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                self._report(
                    f"{path}:{first + reader.line_num - 1}: bad CSV record ({exc}); fix the line",
                    fail,
                )
                continue
            if not record:  # Go's csv reader skips empty lines
                continue
            if header_due:
                cols, header_due = record, False
                continue
            if cols is None:
                row = {f"cols{i}": v for i, v in enumerate(record)}
            elif len(record) < len(cols):
                self._report(
                    f"{path}:{first + reader.line_num - 1}: {len(record)} fields for {len(cols)} "
                    f"columns ({', '.join(cols)}); fix the line", fail
                )  # fmt: skip
                continue
            else:
                row = dict(zip(cols, record, strict=False))
            yield orjson.dumps(row), meta
        if header_due:
            self._report(f"{path}: header not found; the file has no lines for hasHeader", fail)

    def _after_read(self, path: Path, fail: Fail | None) -> None:
        try:
            if self.move_to is not None:
                os.replace(path, self.move_to / path.name)
            else:
                path.unlink()
        except OSError as exc:
            self._report(
                f"{path}: actionAfterRead {self.conf.action_after_read} failed ({exc})", fail
            )
        self._read_sigs.pop(path, None)

    # -- virtual time ----------------------------------------------------------------

    def __iter__(self) -> Iterator[Message]:
        step = self.conf.send_interval_ms
        for i, (payload, meta) in enumerate(self.rows()):
            yield Message(self.stream, payload, self.start_ms + i * step, meta=meta)

    # -- live ------------------------------------------------------------------------

    def start(self, deliver: Deliver, fail: Fail) -> None:
        """Read on a thread of its own, as the conf's interval says, until stopped."""
        if self._thread is not None and self._thread.is_alive():
            raise RuleError(f"{self._where}: already started; stop it before starting again")
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._run, args=(deliver, fail), name=f"file-{self.stream}", daemon=True
        )
        self._thread.start()

    def _changed(self, stable_only: bool) -> list[Path]:
        """A folder's files not read in their current state (stable for a poll if asked)."""
        ready = []
        polled: dict[Path, tuple[int, int]] = {}
        for p in self._files():
            try:
                st = p.stat()
            except OSError:
                continue
            sig = polled[p] = (st.st_mtime_ns, st.st_size)
            if self._read_sigs.get(p) != sig and (not stable_only or self._polled.get(p) == sig):
                ready.append(p)
                self._read_sigs[p] = sig
        self._polled = polled
        return ready

    def _pass(self, deliver: Deliver, fail: Fail, files: list[Path] | None) -> bool:
        """Deliver one reading; False once stopped."""
        wait = self.conf.send_interval_ms / 1000
        for payload, meta in self.rows(fail, files):
            if self._stop.is_set():
                return False
            try:
                deliver(Message(self.stream, payload, self._now_ms(), meta=meta))
            except Exception as exc:  # the receiver's trouble must not stop the reading
                fail(f"{self._where}: delivering a row of {meta['file']} failed: {exc!r}")
            if wait and self._stop.wait(wait):
                return False
        return not self._stop.is_set()

    def _run(self, deliver: Deliver, fail: Fail) -> None:
        try:
            self._loop(deliver, fail)
        except Exception as exc:  # e.g. the folder was removed: say so instead of dying mute
            fail(f"{self._where}: stopped reading {self.target} ({exc!r}); check it and restart")

    def _loop(self, deliver: Deliver, fail: Fail) -> None:
        interval = self.conf.interval_ms / 1000
        first, k = time.monotonic(), 0
        files = self._changed(stable_only=False) if self.is_dir else None
        while self._pass(deliver, fail, files):
            if interval > 0:  # eKuiper's ticker: drop the ticks a slow reading missed
                k = max(k + 1, int((time.monotonic() - first) / interval) + 1)
                if self._stop.wait(max(0.0, first + k * interval - time.monotonic())):
                    return
            elif self.is_dir:
                if self._stop.wait(self.poll_ms / 1000):
                    return
            else:
                return
            files = self._changed(stable_only=interval == 0) if self.is_dir else None

    def stop(self, timeout: float = 2.0) -> None:
        """Stop reading; returns within ``timeout`` seconds."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None


def _no_constant(name: str) -> Any:
    # Python reads NaN and Infinity; Go's JSON, and so eKuiper, refuses them
    raise json.JSONDecodeError(f"{name} is not JSON", name, 0)


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos
