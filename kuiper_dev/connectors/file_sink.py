"""eKuiper's built-in ``file`` sink (``internal/io/file/sink.go``): results into local files.

See :class:`FileSink` for what it writes and when files roll. Left out: zstd
compression (no zstandard module here), encryption, ``rollingHook``, and the
batch writer eKuiper uses with ``batchSize``/``lingerInterval``.
"""

from __future__ import annotations

import gzip
import os
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from .. import gotemplate
from ..errors import PlanError, RuleError
from ..go import dumps, to_string
from .simulator_source import _duration_ms, _int, _wall_ms

__all__ = ["FileSink"]

_SINK_TYPES = ("lines", "json", "csv")
_HOOKS = {"lines": (b"", b"\n", b""), "json": (b"[", b",", b"]"), "csv": (b"", b"\n", b"")}


class _Writer:
    """One open output file: header written at open, separator between items, footer at close."""

    def __init__(
        self, path: Path, file_type: str, header: str | None, gz: bool, start_ms: int
    ) -> None:
        self.path, self.start_ms, self.count, self.size, self.written = path, start_ms, 0, 0, False
        self._head, self.sep, self._foot = _HOOKS[file_type]
        if file_type == "csv" and header:
            self._head = header.encode() + b"\n"
        if not path.parent.exists():
            path.parent.mkdir()  # one level, as eKuiper's os.Mkdir
        self._file = open(path, "wb")  # noqa: SIM115 - closed in close()
        try:
            self._gz = gzip.GzipFile(fileobj=self._file, mode="wb") if gz else None
            self.write(self._head)
        except OSError:
            self._file.close()
            raise

    def write(self, data: bytes) -> None:
        (self._gz or self._file).write(data)
        self.size += len(data)

    def flush(self) -> None:
        if self._gz is not None:
            self._gz.flush()
        self._file.flush()

    def close(self) -> None:
        try:
            self.write(self._foot)
            if self._gz is not None:
                self._gz.close()
            self._file.flush()
            os.fsync(self._file.fileno())
        finally:
            self._file.close()


class FileSink:
    """eKuiper's file sink: each emission one item of a ``lines``, ``json`` or ``csv`` file.

    What it writes is eKuiper's: ``lines`` puts a newline between items (none at
    the end), ``json`` writes ``[item,item]``, ``csv`` a header line (``hasHeader``)
    then the items. An item is the emission as the rule shaped it: a dataTemplate's
    text as is, else the ``format``'s encoding (``json``: Go's JSON; ``delimited``:
    values joined by ``delimiter`` in sorted key order, a list one line per row).
    A file is opened (and truncated) at its first item and closed at ``close()`` or
    when it rolls: after ``rollingCount`` items (default 1000000), ``rollingSize``
    bytes, or at the first ``checkInterval`` tick (default 5 min, from the sink's
    start) after ``rollingInterval`` has passed since it opened. Take care: with
    ``rollingInterval`` 0 every tick rolls every file, as in eKuiper, and the next
    item truncates a file of the same name; ``rollingNamePattern`` ``prefix`` or
    ``suffix`` puts the open time in the name instead. The clock is ``now_ms`` (the
    rule's, in virtual time); ticks are checked when an item arrives. ``path`` may
    be a template (``{{.device}}.csv``) rendered on the emission; a rendered path
    that leaves the folder before the first ``{{`` is refused. Items are flushed as
    written; ``compression: gzip`` packs the whole file.

    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "r.txt"
    >>> sink = FileSink({"path": str(out)})
    >>> sink.collect([{"b": 1, "a": "x"}]); sink.collect({"a": 2}); sink.close()
    >>> out.read_text()
    '[{"a":"x","b":1}]\\n{"a":2}'
    """

    def __init__(
        self,
        props: Mapping[str, Any],
        *,
        root: str | Path | None = None,
        now_ms: Callable[[], int] = _wall_ms,
    ) -> None:
        where = "action file"
        try:
            self.rolling_interval = _duration_ms(
                props.get("rollingInterval", 0), "rollingInterval", where
            )
            self.check_interval = _duration_ms(
                props.get("checkInterval", 300_000), "checkInterval", where
            )
            self.rolling_count = _int(props, "rollingCount", 1_000_000, where)
            self.rolling_size = _int(props, "rollingSize", 0, where)
        except RuleError as exc:
            raise PlanError(str(exc)) from None
        if self.rolling_count < 0 or self.rolling_size < 0:
            raise PlanError(f"{where}: rollingCount and rollingSize must not be negative")
        if not (self.rolling_interval or self.rolling_count or self.rolling_size):
            raise PlanError(
                f"{where}: one of rollingInterval, rollingCount, or rollingSize must be set"
            )
        if 0 < self.rolling_interval < self.check_interval:
            self.check_interval = self.rolling_interval
        self.pattern = str(props.get("rollingNamePattern") or "")
        if self.pattern not in ("", "prefix", "suffix", "none"):
            raise PlanError(f"{where}: rollingNamePattern must be one of prefix, suffix or none")
        self.path = str(props.get("path", "cache"))
        if not self.path:
            raise PlanError(f'{where}: path must be set, e.g. {{"file": {{"path": "out.txt"}}}}')
        self.file_type = str(props.get("fileType") or "lines")
        if self.file_type not in _SINK_TYPES:
            raise PlanError(f"{where}: fileType must be one of json, csv or lines")
        self.format = str(props.get("format") or "json").lower()
        if self.file_type == "csv" and self.format != "delimited":
            raise PlanError(
                f'{where}: format must be delimited when fileType is csv; add "format": "delimited"'
            )
        if self.format not in ("json", "delimited"):
            raise PlanError(
                f"{where}: format {self.format!r} is not supported here; use json or delimited"
            )
        compression = str(props.get("compression") or "")
        if compression not in ("", "gzip"):
            raise PlanError(f"{where}: compression {compression!r} is not available here; use gzip")
        self.gzip = compression == "gzip"
        self.delimiter = str(props.get("delimiter") or ",")
        self.has_header = bool(props.get("hasHeader", False))
        fields = props.get("fields") or []
        self._cols: list[str] | None = [str(f) for f in fields] or None
        self._header = self.delimiter.join(self._cols) if self._cols and self.has_header else None
        self.root = Path(root) if root is not None else Path.cwd()
        self._template = gotemplate.parse(self.path) if "{{" in self.path else None
        base = os.path.dirname(self.path.split("{{")[0])
        self._base = (self.root / base).resolve()
        self._now_ms = now_ms
        self._origin = now_ms()  # eKuiper's check ticker starts when the sink connects
        self._writers: dict[str, _Writer] = {}
        self._lock = threading.Lock()

    def collect(self, data: Any) -> None:
        """Write one emission (a row, a list of rows, or a dataTemplate's text)."""
        with self._lock:
            now = self._now_ms()
            self._roll_due(now)
            name = self._file_name(data)
            item = self._encode(data)
            w = self._writers.get(name)
            try:
                if w is None:
                    w = self._writers[name] = self._open(name, now)
                if w.written:
                    w.write(w.sep)
                w.written = True
                w.write(item)
                w.flush()
            except OSError as exc:
                raise RuleError(
                    f"file sink: cannot write {name} ({exc}); check the folder"
                ) from None
            w.count += 1
            if (self.rolling_count and w.count >= self.rolling_count) or (
                self.rolling_size and w.size >= self.rolling_size
            ):
                self._roll(name)

    def close(self) -> None:
        """Write each open file's footer, flush, sync and close it."""
        with self._lock:
            for name in list(self._writers):
                self._roll(name)

    def _roll(self, name: str) -> None:
        w = self._writers.pop(name)
        try:
            w.close()
        except OSError as exc:
            raise RuleError(f"file sink: cannot close {w.path} ({exc}); check the disk") from None

    def _roll_due(self, now: int) -> None:
        if self.check_interval <= 0:
            return
        step = self.check_interval
        for name, w in list(self._writers.items()):
            # the first tick strictly after the file's age exceeds rollingInterval
            tick = (
                self._origin
                + ((w.start_ms + self.rolling_interval - self._origin) // step + 1) * step
            )
            if tick <= now:
                self._roll(name)

    def _file_name(self, data: Any) -> str:
        if self._template is None:
            return self.path
        if isinstance(data, str | bytes):
            raise RuleError(
                "file sink: a path template needs the rows, but a dataTemplate made text of "
                "them; use a fixed path or drop the dataTemplate"
            )
        name = self._template.execute(data)
        target = (self.root / name).resolve()
        if target != self._base and self._base not in target.parents:
            raise RuleError(
                f"file sink: path {name!r} leaves the folder {self._base}; the values put "
                "into the path template must not hold '..' or '/'"
            )
        return name

    def _open(self, name: str, now: int) -> _Writer:
        path = Path(name)
        if self.pattern in ("prefix", "suffix"):
            base = path.name
            dot = base.rfind(".")
            stem, ext = (base[:dot], base[dot:]) if dot >= 0 else (base, "")
            base = f"{now}-{base}" if self.pattern == "prefix" else f"{stem}-{now}{ext}"
            path = path.with_name(base)
        return _Writer(self.root / path, self.file_type, self._header, self.gzip, now)

    def _encode(self, data: Any) -> bytes:
        if isinstance(data, bytes):
            return data
        if isinstance(data, str):
            return data.encode()
        if self.format == "json":
            return dumps(data).encode()
        return self._delimited(data).encode()

    def _delimited(self, data: Any) -> str:
        """eKuiper's delimited encoder: one row a line, values in sorted key order."""
        d = self.delimiter
        if isinstance(data, dict):
            if self._cols is None:
                self._cols = sorted(data)
                if self.has_header:
                    self._header = d.join(self._cols)
            return d.join(to_string(data.get(c), "all") for c in self._cols)
        if isinstance(data, list) and all(isinstance(r, dict) for r in data):
            if not data:
                return ""
            cols = sorted(data[0])
            if self._cols is None:
                self._cols = cols
            lines = [d.join(cols)] if self.has_header and cols else []
            lines += [d.join(to_string(r.get(c), "all") for c in cols) for r in data]
            return "\n".join(lines)
        raise RuleError(
            f"file sink: cannot write {type(data).__name__} as delimited; it takes rows"
        )
