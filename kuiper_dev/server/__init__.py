"""The eKuiper-compatible REST API (``kuiper-dev serve``): thin endpoints over a Workspace.

Safe by default: it binds 127.0.0.1, takes a bearer token when given one, installs
plugin zips only from the plugins folder or http(s) URLs, and keeps its state in a
data folder written atomically.
"""

from __future__ import annotations

from .app import create_app
from .plugin_files import fetch_zip, plugin_files
from .runner import ServerThread, listen, open_workspace, serve

__all__ = [
    "ServerThread",
    "create_app",
    "fetch_zip",
    "listen",
    "open_workspace",
    "plugin_files",
    "serve",
]
