"""``/plugins/{sources,sinks,functions,portables}`` and ``/plugins/udfs``, as eKuiper answers."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict

from .._types import PluginKind
from ..errors import PluginError, did_you_mean
from ._context import Context, error, text
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


_PORTABLE_GAP = (
    "portable plugins cannot be installed through kuiper_dev serve yet; run one with "
    "`kuiper-dev portable run PATH` or install it on a real eKuiper"
)


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
    def list_portables() -> list[dict[str, Any]]:
        return []  # the registry knows native-style plugins only

    @router.get("/plugins/portables/{name}")
    def describe_portable(name: str) -> Response:
        return error(404, f"portable plugin {name} not found; {_PORTABLE_GAP}", 1002)

    @router.post("/plugins/portables", status_code=201)
    def create_portable(body: PluginBody) -> Response:
        return error(400, _PORTABLE_GAP)

    @router.put("/plugins/portables/{name}")
    def update_portable(name: str, body: PluginBody) -> Response:
        return error(400, _PORTABLE_GAP)

    @router.delete("/plugins/portables/{name}")
    def drop_portable(name: str) -> Response:
        return error(404, f"portable plugin {name} not found; {_PORTABLE_GAP}", 1002)

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
