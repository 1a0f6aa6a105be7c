"""Calling plugin code so that nothing it does can leave the caller stuck."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

__all__ = ["call_bounded"]


def call_bounded(
    fn: Callable[..., Any], args: tuple[Any, ...], timeout: float, name: str
) -> tuple[bool, BaseException | None]:
    """Run ``fn(*args)`` on a daemon thread for at most ``timeout`` seconds.

    Returns ``(finished, exception)``. A call still running after the timeout is
    abandoned (the thread is a daemon, so it cannot keep the process alive).
    """
    box: list[BaseException] = []

    def target() -> None:
        try:
            fn(*args)
        except BaseException as exc:  # reported to the caller, who names the plugin
            box.append(exc)

    thread = threading.Thread(target=target, name=name, daemon=True)
    thread.start()
    thread.join(timeout)
    return (not thread.is_alive(), box[0] if box else None)
