"""eKuiper portable plugins: manifest, packaging, nng protocol, hosting.

:func:`open_portable` checks a folder or zip as eKuiper's installer does,
:func:`check_portable` also runs each symbol once, and :class:`PortableHost` runs
the plugin's program on the real ``ekuiper`` SDK and speaks its protocol.
"""

from __future__ import annotations

from .deploy import Deployed, deploy
from .host import PortableHost
from .installed import PortableFunctionImpl, Portables
from .manifest import PortableManifest, validate_name
from .package import (
    PortableFolder,
    check_portable,
    open_portable,
    registered_symbols,
    write_portable,
)
from .symbols import PortableFunction, PortableSink, PortableSource, ipc_path

__all__ = [
    "Deployed",
    "PortableFolder",
    "PortableFunction",
    "PortableFunctionImpl",
    "PortableHost",
    "PortableManifest",
    "PortableSink",
    "PortableSource",
    "Portables",
    "check_portable",
    "deploy",
    "ipc_path",
    "open_portable",
    "registered_symbols",
    "validate_name",
    "write_portable",
]
