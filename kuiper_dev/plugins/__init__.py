"""The extension system: eKuiper's plugin naming, versions, loading and hot reload."""

from __future__ import annotations

from .context import PluginContext
from .fidelity import NotPortable, from_plugin, to_plugin_args
from .loader import plugin_traceback
from .naming import PluginFile, lc_first, parse_plugin_file, pick_latest, uc_first
from .registry import FunctionSlot, LoadedPlugin, PluginRegistry

__all__ = [
    "FunctionSlot",
    "LoadedPlugin",
    "NotPortable",
    "PluginContext",
    "PluginFile",
    "PluginRegistry",
    "from_plugin",
    "lc_first",
    "parse_plugin_file",
    "pick_latest",
    "plugin_traceback",
    "to_plugin_args",
    "uc_first",
]
