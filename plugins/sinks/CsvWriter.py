"""csvWriter: append each row a rule emits to a CSV file, as an eKuiper sink plugin.

Conf (the action's properties): ``path`` (required), ``fields`` (column order; by
default the first row's keys, sorted as eKuiper's JSON has them), ``header``
(write a header line to a new or empty file; default true). Rows arrive as eKuiper's
portable runtime sends them: JSON bytes of one row (``sendSingle``) or of the list.
With ``requireAck`` the sink acks each collect after the rows are flushed.
"""

from __future__ import annotations

import csv
import json
import os
from typing import IO, Any

from ekuiper import Context, Sink


class CsvWriterSink(Sink):  # type: ignore[misc]
    def __init__(self) -> None:
        self.path = ""
        self.fields: list[str] = []
        self.header = True
        self.require_ack = False
        self._file: IO[str] | None = None
        self._writer: csv.DictWriter[str] | None = None

    def configure(self, conf: dict[str, Any]) -> None:
        path = conf.get("path")
        if not isinstance(path, str) or not path:
            raise ValueError("csvWriter needs a 'path' property: the CSV file to append to")
        self.path = path
        self.fields = [str(f) for f in conf.get("fields") or []]
        self.header = bool(conf.get("header", True))
        self.require_ack = bool(conf.get("requireAck", False))

    def open(self, ctx: Context) -> None:
        self._file = open(self.path, "a", newline="", encoding="utf-8")  # noqa: SIM115

    def collect(self, ctx: Context, data: Any) -> None:
        rows = json.loads(data)
        rows = rows if isinstance(rows, list) else [rows]
        try:
            for row in rows:
                self._writer_for(row).writerow({k: _cell(v) for k, v in row.items()})
            if self._file is not None:
                self._file.flush()
        except (OSError, ValueError) as exc:
            if self.require_ack:
                ctx.ack_error(f"csvWriter {self.path}: {exc}")
                return
            raise
        if self.require_ack:
            ctx.ack_ok()

    def _writer_for(self, row: dict[str, Any]) -> csv.DictWriter[str]:
        if self._writer is None:
            if self._file is None:
                raise ValueError("collect() before open()")
            fields = self.fields or sorted(row)
            self._writer = csv.DictWriter(self._file, fields, extrasaction="ignore")
            if self.header and os.path.getsize(self.path) == 0:
                self._writer.writeheader()
        return self._writer

    def close(self, ctx: Context) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
            self._writer = None


def _cell(v: Any) -> Any:
    return json.dumps(v) if isinstance(v, dict | list) else v


CsvWriter = CsvWriterSink
