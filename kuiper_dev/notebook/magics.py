"""IPython magics: thin parsers over the :class:`Workspace`.

``%%kuiper_function Name`` defines (or hot-reloads) a function plugin from the
cell; ``%%kuiper_sql --feed VAR`` runs the cell's rule over a feed and returns a
result that shows itself as a table; ``%kuiper`` answers small questions.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

from IPython.core.magic import Magics, cell_magic, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring
from traitlets import Bool, Unicode

from ..engine import RuleResult
from ..errors import KuiperDevError
from ..workspace import Workspace, find_plugins_dir

__all__ = ["KuiperMagics"]


@magics_class
class KuiperMagics(Magics):
    """The kuiper_dev magics; ``%config KuiperMagics.plugins_dir = "path"`` picks plugins,
    ``%config KuiperMagics.portable = True`` runs them portable (set before first use)."""

    plugins_dir = Unicode(
        "", help="plugins folder to load; empty means the nearest plugins/ at or above the cwd"
    ).tag(config=True)
    portable = Bool(
        False, help="run the plugins as one portable plugin, in a process, as eKuiper would"
    ).tag(config=True)

    def __init__(self, shell: Any = None, **kwargs: Any) -> None:
        super().__init__(shell=shell, **kwargs)
        self._workspace: Workspace | None = None
        self._cells = 0

    @property
    def workspace(self) -> Workspace:
        if self._workspace is None:
            folder = Path(self.plugins_dir) if self.plugins_dir else find_plugins_dir(Path.cwd())
            self._workspace = Workspace(plugins_dir=folder, portable=self.portable)
        return self._workspace

    @magic_arguments()
    @argument("name", help="the plugin's symbol, camel case with an upper-case first letter")
    @argument("--version", default="", help="the plugin version, as after @v in a file name")
    @cell_magic
    def kuiper_function(self, line: str, cell: str) -> None:
        """Define a function plugin from this cell; running it again replaces the plugin."""
        args = parse_argstring(self.kuiper_function, line)
        self._cells += 1
        filename = f"<cell kuiper_function {args.name} #{self._cells}>"
        plugin = self.workspace.define_function(
            args.name, cell, version=args.version, filename=filename
        )
        version = f" version {plugin.version}" if plugin.version else ""
        print(f"function plugin {plugin.name}{version} loaded: {', '.join(plugin.functions)}")

    @magic_arguments()
    @argument("name", help="the source's symbol, camel case with an upper-case first letter")
    @argument("--conf", default=None, help="variable holding its conf: yaml text or a dict")
    @argument("--version", default="", help="the plugin version")
    @cell_magic
    def kuiper_source(self, line: str, cell: str) -> None:
        """Define a source plugin from this cell; running it again replaces the plugin."""
        args = parse_argstring(self.kuiper_source, line)
        conf = self._variable(args.conf) if args.conf else None
        plugin = self.workspace.define_source(args.name, cell, conf=conf, version=args.version)
        print(f"source plugin {plugin.name} loaded")

    @magic_arguments()
    @argument("name", help="the sink's symbol, camel case with an upper-case first letter")
    @argument("--version", default="", help="the plugin version")
    @cell_magic
    def kuiper_sink(self, line: str, cell: str) -> None:
        """Define a sink plugin from this cell; running it again replaces the plugin."""
        args = parse_argstring(self.kuiper_sink, line)
        plugin = self.workspace.define_sink(args.name, cell, version=args.version)
        print(f"sink plugin {plugin.name} loaded")

    def _variable(self, name: str) -> Any:
        ns = self.shell.user_ns if self.shell is not None else {}
        if name not in ns:
            raise KuiperDevError(f"no variable {name!r} in the notebook; define it first")
        return ns[name]

    @magic_arguments()
    @argument(
        "--feed",
        default=None,
        help="variable holding the feed: a simulation, a list of dicts or messages",
    )
    @argument("--recording", default=None, help="a recording file to replay instead of a feed")
    @argument("--options", default="{}", help="eKuiper rule options as JSON")
    @argument("--id", default=None, help="the rule id")
    @argument(
        "--drain-ms",
        type=int,
        default=0,
        help="let the clock run on this long after the last message",
    )
    @cell_magic
    def kuiper_sql(self, line: str, cell: str) -> RuleResult:
        """Run the cell's SELECT (after any CREATE STREAM statements) over a feed or a
        recording (each stream gets the recorded topics its DATASOURCE matches)."""
        args = parse_argstring(self.kuiper_sql, line)
        return self.workspace.run_script(
            cell,
            self._variable(args.feed) if args.feed is not None else None,
            recording=args.recording,
            rule_id=args.id,
            options=json.loads(args.options),
            drain_ms=args.drain_ms,
        )

    @line_magic
    def kuiper(self, line: str) -> Any:
        """``%kuiper workspace`` (the Workspace), ``%kuiper functions`` (a table of every
        function), ``%kuiper udfs``, ``%kuiper plugins TYPE``, ``%kuiper test NAME
        [ARG_TYPE ...]`` (property-test a plugin's contract with Hypothesis; a function
        without metadata json takes its argument types, e.g. ``int``)."""
        words = shlex.split(line)
        verb = words[0] if words else ""
        if verb == "workspace":
            return self.workspace
        if verb == "udfs":
            return self.workspace.show_udfs()
        if verb == "functions":
            import pandas as pd

            return pd.DataFrame(self.workspace.functions())
        if verb == "reload":
            return self.workspace.reload_plugins()
        if verb == "plugins" and len(words) == 2:
            return self.workspace.show_plugins(words[1])  # type: ignore[arg-type]
        if verb == "test" and len(words) >= 2:  # Hypothesis contract checks of one plugin
            from ..testing import check_plugin

            if len(words) > 2:  # a function's argument types, when it has no metadata json
                return check_plugin(self.workspace, words[1], arg_types=words[2:])
            return check_plugin(self.workspace, words[1])
        raise KuiperDevError(
            "usage: %kuiper workspace | functions | udfs | plugins TYPE | reload"
            " | test NAME [ARG_TYPE ...]"
        )
