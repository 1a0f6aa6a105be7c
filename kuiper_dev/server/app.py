"""The eKuiper REST API subset a plugin author uses, on FastAPI.

Each endpoint parses its input, makes one call into the workspace, and shapes the
answer as eKuiper does: plain sentences for management verbs, JSON for lists and
descriptions, ``{"error": code, "message": ...}`` with 400 or 404 for errors.
"""

from __future__ import annotations

import hmac
import sys
import time
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.types import ASGIApp, Receive, Scope, Send

from ..errors import KuiperDevError
from ..workspace import Workspace
from ._context import Context, error, from_exception, text
from .describe import options_json, stream_fields_json
from .plugins import plugin_routes
from .ruletest import ruletest_routes

__all__ = ["create_app"]

VERSION = "2.0.0-kuiper_dev"


class StreamBody(BaseModel):
    sql: str


class RuleBody(BaseModel):
    """A rule as eKuiper takes it; other keys (tags, graph...) are kept and ignored."""

    model_config = ConfigDict(extra="allow")
    id: str | None = None
    sql: str
    actions: list[dict[str, Any]] | None = None
    options: dict[str, Any] | None = None
    triggered: bool | None = None


def create_app(ws: Workspace, *, token: str | None = None, port: int = 9081) -> FastAPI:
    """The REST app over ``ws``; with ``token`` every request needs ``Authorization:
    Bearer TOKEN``. ``port`` is what ``/ruletest`` reports for its SSE stream."""
    ctx = Context(ws, token=token, port=port)
    started = time.monotonic()
    app = FastAPI(
        title="kuiper_dev: eKuiper-compatible REST API",
        version=VERSION,
        description="The eKuiper management API subset a plugin author uses.",
    )
    app.state.ctx = ctx

    class _Auth(BaseHTTPMiddleware):
        async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
            given = request.headers.get("authorization", "").encode()
            if ctx.token is not None and not hmac.compare_digest(
                given, f"Bearer {ctx.token}".encode()
            ):
                return error(401, "unauthorized: send the header Authorization: Bearer TOKEN")
            return await call_next(request)

    app.add_middleware(_Auth)
    app.add_middleware(_JsonBodies)

    @app.exception_handler(KuiperDevError)
    async def _ours(request: Request, exc: KuiperDevError) -> JSONResponse:
        return from_exception(exc, request.path_params.values())

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in exc.errors()
        )
        return error(400, f"invalid request body: {problems}; send JSON as documented")

    @app.exception_handler(HTTPException)
    async def _http(_request: Request, exc: HTTPException) -> JSONResponse:
        return error(exc.status_code, str(exc.detail))

    @app.get("/")
    def info() -> dict[str, Any]:
        return {"version": VERSION, "os": sys.platform,
                "upTimeSeconds": int(time.monotonic() - started)}  # fmt: skip

    @app.get("/ping")
    def ping() -> Response:
        return Response(status_code=200)

    for kind, path in (("stream", "/streams"), ("table", "/tables")):
        _stream_routes(app, ctx, kind, path)
    _rule_routes(app, ctx)
    app.include_router(plugin_routes(ctx))
    app.include_router(ruletest_routes(ctx))
    return app


class _JsonBodies:
    """Read every POST/PUT body as JSON, as eKuiper's Go handlers do whatever the
    Content-Type (``curl -d '{...}'`` sends a form type); uploads keep theirs."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] in ("POST", "PUT")
            and scope["path"] != "/config/uploads"
        ):
            headers = [(k, v) for k, v in scope["headers"] if k != b"content-type"]
            scope = {**scope, "headers": [*headers, (b"content-type", b"application/json")]}
        await self.app(scope, receive, send)


def _stream_routes(app: FastAPI, ctx: Context, kind: str, path: str) -> None:
    ws = ctx.ws

    @app.post(path, status_code=201, name=f"create {kind}", operation_id=f"create_{kind}")
    def create(body: StreamBody) -> Response:
        return text(ctx.call(ws.add_stream, body.sql, kind), 201)

    @app.get(path, name=f"list {kind}s", operation_id=f"list_{kind}s")
    def list_all() -> list[str]:
        return ctx.call(ws.list_streams, kind)

    @app.get(path + "/{name}", name=f"describe {kind}", operation_id=f"describe_{kind}")
    def describe(name: str) -> dict[str, Any]:
        with ctx.lock:
            out = ws.stream_details(name, kind)
            statement = ws.catalog.get(name).statement
        out["StreamFields"] = stream_fields_json(statement)
        out["Options"] = options_json(statement)
        return out

    @app.put(path + "/{name}", name=f"update {kind}", operation_id=f"update_{kind}")
    def update(name: str, body: StreamBody) -> Response:
        return text(ctx.call(ws.replace_stream, name, body.sql, kind))

    @app.delete(path + "/{name}", name=f"drop {kind}", operation_id=f"drop_{kind}")
    def drop(name: str, force: str | None = None) -> Response:
        forced = (force or "").lower() in ("1", "t", "true")  # Go's ParseBool; else not forced
        return text(ctx.call(ws.remove_stream, name, kind, force=forced))


def _rule_routes(app: FastAPI, ctx: Context) -> None:
    ws = ctx.ws

    @app.post("/rules", status_code=201)
    def create_rule(body: RuleBody) -> Response:
        return text(ctx.call(ws.add_rule, body.model_dump(exclude_none=True)), 201)

    @app.get("/rules")
    def list_rules() -> list[dict[str, Any]]:
        return ctx.call(ws.show_rules)

    @app.get("/rules/status/all")
    def all_status() -> dict[str, Any]:
        """eKuiper 2's summary per rule: state, and its operators' latest exception."""
        with ctx.lock:
            return {r["id"]: _exception_status(ws.rule_status(r["id"])) for r in ws.show_rules()}

    @app.get("/rules/{rule_id}")
    def describe_rule(rule_id: str) -> dict[str, Any]:
        return ctx.call(ws.rule_definition, rule_id)

    @app.put("/rules/{rule_id}")
    def update_rule(rule_id: str, body: RuleBody) -> Response:
        return text(ctx.call(ws.replace_rule, rule_id, body.model_dump(exclude_none=True)))

    @app.delete("/rules/{rule_id}")
    def drop_rule(rule_id: str) -> Response:
        return text(ctx.call(ws.remove_rule, rule_id))

    @app.post("/rules/{rule_id}/start")
    def start_rule(rule_id: str) -> Response:
        return text(ctx.call(ws.rule_command, rule_id, "start"))

    @app.post("/rules/{rule_id}/stop")
    def stop_rule(rule_id: str) -> Response:
        return text(ctx.call(ws.rule_command, rule_id, "stop"))

    @app.post("/rules/{rule_id}/restart")
    def restart_rule(rule_id: str) -> Response:
        return text(ctx.call(ws.rule_command, rule_id, "restart"))

    @app.get("/rules/{rule_id}/status")
    def rule_status(rule_id: str) -> dict[str, Any]:
        return ctx.call(ws.rule_status, rule_id)

    @app.get("/rules/{rule_id}/topo")
    def rule_topo(rule_id: str) -> dict[str, Any]:
        return ctx.call(ws.rule_topo, rule_id)


def _exception_status(status: dict[str, Any]) -> dict[str, Any]:
    """The operator whose exception came last: its total and message (eKuiper's
    ``getRuleExceptionStatus``; a stopped rule reports its state only)."""
    out: dict[str, Any] = {"status": status["status"], "last_exception": "", "exceptions_total": 0}
    if status["status"] != "running":
        return out
    latest = -1
    for key, value in status.items():
        if key.endswith("_last_exception_time") and isinstance(value, int) and value > latest:
            latest = value
            prefix = key.removesuffix("_last_exception_time")
            out["last_exception"] = status.get(f"{prefix}_last_exception", "")
            out["exceptions_total"] = status.get(f"{prefix}_exceptions_total", 0)
    return out
