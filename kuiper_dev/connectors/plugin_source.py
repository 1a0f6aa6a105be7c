"""A source plugin as a :class:`~kuiper_dev.connectors.base.Source`.

The plugin runs in its :class:`~kuiper_dev.plugins.SourceRunner` thread; each
row it emits becomes a message stamped with its arrival time, its payload the
JSON that eKuiper's portable runtime would carry.
"""

from __future__ import annotations

import time
from typing import Any

import orjson

from .._types import Message
from ..plugins import PluginSlot, SourceRunner
from .base import Deliver, Fail

__all__ = ["PluginSource"]


class PluginSource:
    """One rule's instance of a source plugin, reading ``datasource`` with ``conf``."""

    def __init__(
        self,
        slot: PluginSlot,
        stream: str,
        datasource: str,
        conf: dict[str, Any],
        *,
        rule_id: str = "",
    ) -> None:
        self.slot = slot
        self.stream = stream
        self.datasource = datasource
        self.conf = conf
        self.rule_id = rule_id
        self._runner: SourceRunner | None = None

    def start(self, deliver: Deliver, fail: Fail) -> None:
        stream = self.stream

        def on_message(row: dict[str, Any], meta: dict[str, Any]) -> None:
            now = time.time_ns() // 1_000_000
            deliver(Message(stream, orjson.dumps(row), now, meta=meta or {}))

        self._runner = SourceRunner(
            self.slot,
            self.datasource,
            self.conf,
            on_message=on_message,
            on_error=fail,
            rule_id=self.rule_id,
            op_id=f"source_{stream}",
        )
        self._runner.start()

    def stop(self, timeout: float = 2.0) -> None:
        if self._runner is not None:
            self._runner.stop(timeout)
            self._runner = None
