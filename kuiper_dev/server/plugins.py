"""``/plugins/{sources,sinks,functions,portables}`` and ``/plugins/udfs``, as eKuiper answers."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict

from .._types import PluginKind
from ..errors import PluginError, did_you_mean
from ._context import Context, text
from .plugin_files import fetch_zip, plugin_files

__all__ = ["plugin_routes"]

_TYPES: dict[str, PluginKind] = {"sources": "source", "sinks": "sink", "functions": "function"}
_ALL = (*_TYPES, "portables")


class PluginBody(BaseModel):
    """eKuiper's plugin body: a name and the zip's URL (``shellParas`` etc. are ignored)."""

    model_config = ConfigDict(extra="allow")
    name: str
    file: str


def _kind(ptype: str) -> PluginKind:
    if ptype not in _TYPES:
        hint = did_you_mean(ptype, _ALL)
        raise PluginError(f"unknown plugin type {ptype}.{hint} Use one of {', '.join(_ALL)}")
    return _TYPES[ptype]


def plugin_routes(ctx: Context) -> APIRouter:
    ws = ctx.ws
    router = APIRouter()

    @router.get("/plugins/udfs")
    def list_udfs() -> list[str]:
        return sorted(ctx.call(ws.show_udfs))

    @router.get("/plugins/udfs/{name}")
    def describe_udf(name: str) -> dict[str, str]:
        udfs = ctx.call(ws.show_udfs)
        if name not in udfs:
            raise PluginError(f"udf {name} not found.{did_you_mean(name, udfs)}")
        return {"name": name, "plugin": udfs[name]}

    @router.get("/plugins/portables")
    def list_portables() -> list[str]:
        return ctx.call(ws.show_plugins, "portable")

    @router.get("/plugins/portables/{name}")
    def describe_portable(name: str) -> dict[str, Any]:
        return ctx.call(ws.describe_plugin, "portable", name)

    @router.post("/plugins/portables", status_code=201)
    def create_portable(body: PluginBody) -> Response:
        data = fetch_zip(body.file, ws.plugins_dir)
        return text(ctx.call(ws.install_portable, body.name, data), 201)

    @router.put("/plugins/portables/{name}")
    def update_portable(name: str, body: PluginBody) -> Response:
        if body.name != name:
            raise PluginError(
                f"portable plugin {name}: the body names {body.name}; make them agree"
            )
        data = fetch_zip(body.file, ws.plugins_dir)
        return text(ctx.call(ws.install_portable, name, data, replace=True))

    @router.delete("/plugins/portables/{name}")
    def drop_portable(name: str) -> Response:
        return text(ctx.call(ws.uninstall_portable, name))

    @router.post("/config/uploads", status_code=201)
    async def upload(request: Request) -> Response:
        """eKuiper's upload (a multipart ``uploadFile``): kept under the plugins folder's
        ``uploads/``, so a ``file://`` plugin URL may name it; answers the saved path."""
        form = await request.form()
        upload = form.get("uploadFile")
        if upload is None or isinstance(upload, str):
            raise PluginError("upload: send the file in the multipart field uploadFile")
        saved = ctx.call(ws.save_upload, str(upload.filename or ""), await upload.read())
        return text(str(saved), 201)

    @router.post("/plugins/{ptype}", status_code=201)
    def create_plugin(ptype: str, body: PluginBody) -> Response:
        kind = _kind(ptype)
        files = plugin_files(kind, body.name, fetch_zip(body.file, ws.plugins_dir))
        return text(ctx.call(ws.install_plugin, kind, body.name, files), 201)

    @router.get("/plugins/{ptype}")
    def list_plugins(ptype: str) -> list[str]:
        return ctx.call(ws.show_plugins, _kind(ptype))

    @router.get("/plugins/{ptype}/{name}")
    def describe_plugin(ptype: str, name: str) -> dict[str, Any]:
        return ctx.call(ws.describe_plugin, _kind(ptype), name)

    @router.put("/plugins/{ptype}/{name}")
    def update_plugin(ptype: str, name: str, body: PluginBody) -> Response:
        kind = _kind(ptype)
        if body.name != name:
            raise PluginError(f"{kind} plugin {name}: the body names {body.name}; make them agree")
        ctx.call(ws.describe_plugin, kind, name)  # an update needs the plugin
        files = plugin_files(kind, name, fetch_zip(body.file, ws.plugins_dir))
        return text(ctx.call(ws.install_plugin, kind, name, files, replace=True))

    @router.delete("/plugins/{ptype}/{name}")
    def drop_plugin(ptype: str, name: str) -> Response:
        return text(ctx.call(ws.uninstall_plugin, _kind(ptype), name))

    return router
