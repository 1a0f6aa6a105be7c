"""``/ruletest``: eKuiper 2's trial runs, their results streamed over SSE at ``/test/{id}``.

The kit runs the rule over its mock data in virtual time when the test is created
(so a bad rule fails there, as eKuiper's creation checks it) and releases the
emissions to SSE listeners once the test is started.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict

from ..errors import RuleError
from ..go import dumps
from ._context import Context, RuleTest, error, text

__all__ = ["SSE_WAIT_S", "ruletest_routes"]

SSE_WAIT_S = 600.0
"""How long an SSE listener waits for its test to start (eKuiper runs tests for 10 min)."""
HEARTBEAT_S = 15.0


class RuleTestBody(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str
    sql: str
    mockSource: dict[str, Any] | None = None  # noqa: N815 (eKuiper's key)
    sinkProps: dict[str, Any] | None = None  # noqa: N815


def ruletest_routes(ctx: Context) -> APIRouter:
    router = APIRouter()
    ws = ctx.ws

    @router.post("/ruletest")
    def create_test(body: RuleTestBody) -> dict[str, Any]:
        if not body.id.strip():
            raise RuleError('a test rule needs a non-empty "id"')
        emissions = ctx.call(ws.test_rule, body.sql, body.mockSource, body.sinkProps)
        old = ctx.tests.get(body.id)
        if old is not None:  # eKuiper: the same id overwrites the test
            old.deleted.set()
        ctx.tests[body.id] = RuleTest(body.id, emissions)
        return {"id": body.id, "port": ctx.port}

    @router.post("/ruletest/{test_id}/start")
    def start_test(test_id: str) -> Response:
        test = ctx.tests.get(test_id)
        if test is None:
            return error(404, f"test rule {test_id} not found; create it with POST /ruletest", 1002)
        test.started.set()
        return text(f"Test rule {test_id} was started")

    @router.delete("/ruletest/{test_id}")
    def delete_test(test_id: str) -> Response:
        test = ctx.tests.pop(test_id, None)
        if test is None:
            return error(404, f"test rule {test_id} not found; create it with POST /ruletest", 1002)
        test.deleted.set()
        return text(f"Test rule {test_id} was stopped.")

    @router.get("/test/{test_id}", response_class=StreamingResponse)
    async def listen(test_id: str) -> Response:
        test = ctx.tests.get(test_id)
        if test is None:
            return error(404, f"test rule {test_id} not found; create it with POST /ruletest", 1002)
        return StreamingResponse(_events(test), media_type="text/event-stream")

    return router


async def _events(test: RuleTest) -> AsyncIterator[bytes]:
    """Each emission as one ``data:`` event once the test starts; the stream stays open
    until the test is deleted (or its time is up), as eKuiper's does."""
    end = time.monotonic() + SSE_WAIT_S
    while not test.started.is_set() and not test.deleted.is_set():
        if time.monotonic() >= end:
            return
        await asyncio.sleep(0.05)
    if test.deleted.is_set() and not test.started.is_set():
        return
    for emission in test.emissions:  # the sink's bytes: Go's JSON, or a template's text
        if isinstance(emission, bytes | str):
            text = emission.decode() if isinstance(emission, bytes) else emission
        else:
            text = dumps(emission)
        yield f"data: {text}\n\n".encode()
    beat = time.monotonic() + HEARTBEAT_S
    while not test.deleted.is_set() and time.monotonic() < end:
        if time.monotonic() >= beat:  # a comment line keeps proxies from closing it
            yield b": keep-alive\n\n"
            beat = time.monotonic() + HEARTBEAT_S
        await asyncio.sleep(0.05)
