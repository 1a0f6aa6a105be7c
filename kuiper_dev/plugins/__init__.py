"""The extension system: eKuiper's plugin naming, versions, loading, running and hot reload.

The engine calls :class:`PluginRegistry` to find plugins, binds functions to
:class:`FunctionSlot` handles, and runs sources and sinks through
:class:`SourceRunner` and :class:`SinkRunner`, which follow hot reloads.
"""

from __future__ import annotations

from ..errors import NotJsonNumber, NotPortable
from .context import PluginContext
from .export import export_native, export_portable, portable_files
from .fidelity import from_plugin, through_json, to_plugin_args
from .loader import plugin_traceback
from .naming import PluginFile, lc_first, parse_plugin_file, pick_latest, uc_first
from .registry import PluginRegistry
from .sink_runner import SinkRunner, SinkStatus, encode_emission
from .slots import FunctionSlot, LoadedPlugin, PluginSlot
from .source_runner import SourceRunner, SourceStatus

__all__ = [
    "FunctionSlot",
    "LoadedPlugin",
    "NotJsonNumber",
    "NotPortable",
    "PluginContext",
    "PluginFile",
    "PluginRegistry",
    "PluginSlot",
    "SinkRunner",
    "SinkStatus",
    "SourceRunner",
    "SourceStatus",
    "encode_emission",
    "export_native",
    "export_portable",
    "from_plugin",
    "lc_first",
    "parse_plugin_file",
    "pick_latest",
    "plugin_traceback",
    "portable_files",
    "through_json",
    "to_plugin_args",
    "uc_first",
]
