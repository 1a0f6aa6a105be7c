"""The SDK ``Context`` handed to in-process plugins, with the portable runtime's methods."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from ekuiper import Context

__all__ = ["PluginContext"]


class PluginContext(Context):  # type: ignore[misc]
    """What ``ekuiper.runtime.contextimpl.ContextImpl`` gives a plugin, wired to our engine.

    ``emit``/``emit_error`` feed a source's stream; ``ack_ok``/``ack_error`` answer a
    sink's ``requireAck``. Unwired callbacks are refused with a clear error.
    """

    def __init__(
        self,
        rule_id: str,
        op_id: str,
        instance_id: int = 0,
        *,
        emitter: Callable[[dict[str, Any], dict[str, Any]], None] | None = None,
        error_emitter: Callable[[str], None] | None = None,
        acker: Callable[[str | None], None] | None = None,
    ) -> None:
        self.rule_id = rule_id
        self.op_id = op_id
        self.instance_id = instance_id
        self._emitter = emitter
        self._error_emitter = error_emitter
        self._acker = acker
        self._logger = logging.getLogger(f"kuiper_dev.plugin.{rule_id}.{op_id}")

    def get_rule_id(self) -> str:
        return self.rule_id

    def get_op_id(self) -> str:
        return self.op_id

    def get_instance_id(self) -> int:
        return self.instance_id

    def get_logger(self) -> logging.Logger:
        return self._logger

    def emit(self, message: dict[str, Any], meta: dict[str, Any]) -> None:
        if self._emitter is None:
            raise RuntimeError("emit() is for sources; this plugin is not a running source")
        self._emitter(message, meta)

    def emit_error(self, error: str) -> None:
        if self._error_emitter is None:
            raise RuntimeError("emit_error() is for sources; this plugin is not a running source")
        self._error_emitter(error)

    def ack_ok(self) -> None:
        if self._acker is None:
            raise RuntimeError("ack_ok() is for sinks with requireAck set")
        self._acker(None)

    def ack_error(self, error: str) -> None:
        if self._acker is None:
            raise RuntimeError("ack_error() is for sinks with requireAck set")
        self._acker(error)
