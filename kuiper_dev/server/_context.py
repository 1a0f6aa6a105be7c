"""What every endpoint shares: the workspace, one lock around it, and eKuiper's answer shapes."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from fastapi.responses import JSONResponse, PlainTextResponse

from ..errors import KuiperDevError
from ..workspace import Workspace

T = TypeVar("T")

UNDEFINED_ERR = 1000
NOT_FOUND = 1002


@dataclass
class RuleTest:
    """One ``/ruletest`` rule: its emissions, released to SSE listeners once started."""

    id: str
    emissions: list[Any]
    started: threading.Event = field(default_factory=threading.Event)
    deleted: threading.Event = field(default_factory=threading.Event)


@dataclass
class Context:
    ws: Workspace
    token: str | None = None
    lock: threading.RLock = field(default_factory=threading.RLock)
    tests: dict[str, RuleTest] = field(default_factory=dict)
    port: int = 9081

    def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """One call into the workspace, one at a time (the engine is not thread-safe)."""
        with self.lock:
            return fn(*args, **kwargs)


def error(status: int, message: str, code: int = UNDEFINED_ERR) -> JSONResponse:
    """eKuiper's error body: ``{"error": code, "message": ...}``."""
    return JSONResponse({"error": code, "message": message}, status_code=status)


def from_exception(exc: KuiperDevError, names: Iterable[str] = ()) -> JSONResponse:
    """An error saying that the resource the path names is not found answers 404
    (eKuiper's NOT_FOUND); any other one, such as a function a rule's SQL names, 400."""
    message = str(exc)
    for name in names:
        if re.match(rf"^[a-z]+( plugin)? {re.escape(name)} not found", message):
            return error(404, message, NOT_FOUND)
    return error(400, message)


def text(message: str, status: int = 200) -> PlainTextResponse:
    """eKuiper answers management verbs with a plain sentence."""
    return PlainTextResponse(message, status_code=status)
