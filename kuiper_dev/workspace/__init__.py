"""The library façade: one object that the notebook, CLI, REST and pytest plugin call.

A :class:`Workspace` holds the plugins, the streams and the rules of one session
and runs rules in virtual time over feeds (simulated fleets, lists of dicts,
recorded messages) or live; :mod:`.core` has the plugins, streams and rules,
:mod:`.recordings` the MQTT recordings, :mod:`.management` eKuiper's management API.
"""

from __future__ import annotations

from .core import Feed, find_plugins_dir
from .management import Workspace

__all__ = ["Feed", "Workspace", "find_plugins_dir"]
