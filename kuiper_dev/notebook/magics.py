"""IPython magics: thin parsers over the :class:`Workspace`.

``%%kuiper_function|source|sink Name`` defines (or hot-reloads) a plugin from the
cell; ``%%kuiper_sql`` runs the cell's rule over a feed, a recording or its live
sources and returns a result that shows itself as a table; ``%kuiper VERB`` mirrors
the CLI (see ``%kuiper?``). Settings: ``%config KuiperMagics.plugins_dir``,
``.portable``, ``.rows``.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, cell_magic, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring
from traitlets import Bool, Int, Unicode, observe

from ..engine import LiveRule, RuleResult
from ..errors import KuiperDevError, PluginError
from ..plugins import LoadedPlugin
from ..sql import parse, split_statements
from ..sql.ast import CreateStream
from ..workspace import Workspace, find_plugins_dir
from .cells import (
    once_each,
    publish_module,
    select_source,
    unmatched_recording,
    warnings_once,
)
from .display import LiveDisplay
from .options import quote_json, rule_options, sink_actions, unknown_options
from .verbs import run_verb, verbs_usage

__all__ = ["KuiperMagics"]


def parse_args(magic: Any, line: str) -> Any:
    """The magic's arguments; a wrong option shows the usage (IPython prints a
    UsageError without a traceback)."""
    try:
        return parse_argstring(magic, quote_json(line))
    except UsageError as exc:
        usage = "usage: " + magic.parser.format_usage().replace("::", "").strip()
        raise UsageError(f"{exc}\n{usage}\n(see %{magic.__name__}? for every option)") from None


def _rel(path: Path, base: Path) -> str:
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return str(path)


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
    rows = Int(20, help="how many rows a %%kuiper_sql result table shows").tag(config=True)

    def __init__(self, shell: Any = None, **kwargs: Any) -> None:
        super().__init__(shell=shell, **kwargs)
        self._workspace: Workspace | None = None
        self._cells = 0
        self.live: dict[str, tuple[LiveRule, LiveDisplay | None]] = {}
        self.results: dict[str, RuleResult] = {}  # the latest runs, for %kuiper status ID

    @property
    def workspace(self) -> Workspace:
        if self._workspace is None:
            with warnings_once():  # plugin files that did not load, version order
                self._workspace = Workspace(
                    plugins_dir=self.chosen_plugins_dir(), portable=self.portable
                )
        return self._workspace

    @observe("plugins_dir", "portable")
    def _setting_changed(self, change: Any) -> None:
        """Set after first use, a setting takes effect in a fresh workspace (it would
        otherwise be ignored without a word)."""
        if self._workspace is None or change["old"] == change["new"]:
            return
        self.stop_live()
        self._workspace.close()
        self._workspace = None
        print(f"KuiperMagics.{change['name']} = {change['new']!r}: a fresh workspace from the "
              "next magic on; streams, rules and plugin cells defined before are gone, so "
              "run their cells again")  # fmt: skip

    def chosen_plugins_dir(self) -> Path | None:
        """The plugins folder in use: the setting, else the nearest plugins/ above the cwd."""
        if self._workspace is not None:
            return self._workspace.plugins_dir
        return Path(self.plugins_dir) if self.plugins_dir else find_plugins_dir(Path.cwd())

    @property
    def ns(self) -> dict[str, Any]:
        return self.shell.user_ns if self.shell is not None else {}

    def _variable(self, name: str) -> Any:
        if name not in self.ns:
            raise KuiperDevError(f"no variable {name!r} in the notebook; define it first")
        return self.ns[name]

    # -- plugin cells ----------------------------------------------------------------
    def _define(self, kind: str, args: Any, cell: str) -> LoadedPlugin:
        self._cells += 1
        filename = f"<cell kuiper_{kind} {args.name} #{self._cells}>"
        ws = self.workspace
        try:
            with warnings_once() as warned:
                plugin = self._load(ws, kind, args, cell, filename)
                if plugin.warning and plugin.warning not in warned:
                    warned.append(plugin.warning)
        except SyntaxError as exc:  # the cell's own line: the magic is line 1
            line = (exc.lineno or 0) + 1
            text = f"\n    {exc.text.rstrip()}" if exc.text else ""
            raise PluginError(
                f"%%kuiper_{kind} {args.name}: syntax error on line {line} of the cell: "
                f"{exc.msg}{text}\nfix that line and run the cell again"
            ) from None
        publish_module(ws, plugin)
        if args.export:
            out = Path(args.to) if args.to else ws.plugins_dir or Path("plugins")
            paths = ws.export(plugin.name, args.export, out, portable=args.portable, force=True,
                              kind=plugin.kind)  # fmt: skip
            where = (
                "the --to folder" if args.to
                else "the plugins folder" if ws.plugins_dir is not None
                else "plugins/ (a new plugins folder here: a restarted kernel loads it)"
            )  # fmt: skip
            print(f"exported into {where}: {', '.join(_rel(p, out) for p in paths)}")
        return plugin

    def _load(self, ws: Workspace, kind: str, args: Any, cell: str, filename: str) -> LoadedPlugin:
        if kind == "function":
            return ws.define_function(args.name, cell, version=args.version, filename=filename)
        if kind == "source":
            conf = self._variable(args.conf) if args.conf else None
            return ws.plugins.define_source(
                args.name, cell, conf=conf, version=args.version, filename=filename
            )
        return ws.plugins.define_sink(args.name, cell, version=args.version, filename=filename)

    @magic_arguments()
    @argument("name", help="the plugin's symbol, camel case with an upper-case first letter")
    @argument("--version", default="", help="the plugin version, as after @v in a file name")
    @argument("--export", metavar="VERSION", default=None,
              help="also write the plugin as a file of this version (kept after a restart)")
    @argument("--to", metavar="DIR", default=None,
              help="export here (default: the plugins folder, or a new ./plugins)")
    @argument("--portable", action="store_true", help="export as a portable plugin package")
    @cell_magic
    def kuiper_function(self, line: str, cell: str) -> None:
        """Define a function plugin from this cell; running it again replaces the plugin
        in every rule, running ones too. A refused definition changes nothing."""
        plugin = self._define("function", parse_args(self.kuiper_function, line), cell)
        version = f" version {plugin.version}" if plugin.version else ""
        print(f"function plugin {plugin.name}{version} loaded: {', '.join(plugin.functions)}")

    @magic_arguments()
    @argument("name", help="the source's symbol, camel case with an upper-case first letter")
    @argument("--conf", default=None, help="variable holding its conf: yaml text or a dict")
    @argument("--version", default="", help="the plugin version")
    @argument("--export", metavar="VERSION", default=None,
              help="also write the plugin as a file of this version (kept after a restart)")
    @argument("--to", metavar="DIR", default=None,
              help="export here (default: the plugins folder, or a new ./plugins)")
    @argument("--portable", action="store_true", help="export as a portable plugin package")
    @cell_magic
    def kuiper_source(self, line: str, cell: str) -> None:
        """Define a source plugin from this cell; a stream with TYPE="name" reads it."""
        plugin = self._define("source", parse_args(self.kuiper_source, line), cell)
        print(f"source plugin {plugin.name} loaded")

    @magic_arguments()
    @argument("name", help="the sink's symbol, camel case with an upper-case first letter")
    @argument("--version", default="", help="the plugin version")
    @argument("--export", metavar="VERSION", default=None,
              help="also write the plugin as a file of this version (kept after a restart)")
    @argument("--to", metavar="DIR", default=None,
              help="export here (default: the plugins folder, or a new ./plugins)")
    @argument("--portable", action="store_true", help="export as a portable plugin package")
    @cell_magic
    def kuiper_sink(self, line: str, cell: str) -> None:
        """Define a sink plugin from this cell; %%kuiper_sql --sink name sends to it."""
        plugin = self._define("sink", parse_args(self.kuiper_sink, line), cell)
        print(f"sink plugin {plugin.name} loaded")

    # -- rules -----------------------------------------------------------------------
    @magic_arguments()
    @argument("--feed", default=None,
              help="variable holding the feed: a simulation, a list of dicts or messages")
    @argument("--recording", default=None, help="a recording file to replay (virtual time)")
    @argument("--quiet", action="store_true", help="with --recording: no progress bar")
    @argument("--speed", type=float, default=None,
              help="with --recording: pace the replay in real time (2: twice as fast)")
    @argument("--options", default=None,
              help="""rule options: JSON ({"isEventTime": true}, quotes optional) or a variable""")
    @argument("--event-time", action="store_true", help="isEventTime: windows by event time")
    @argument("--late-tolerance", type=int, default=None, metavar="MS",
              help="lateTolerance in ms (with --event-time)")
    @argument("--send-error", action="store_true", help="sendError: errors become emissions")
    @argument("--sink", action="append", default=None, metavar="NAME[=PROPS]",
              help="send emissions to this sink (repeatable); PROPS: JSON or a variable")
    @argument("--id", default=None, help="the rule id")
    @argument("--drain-ms", type=int, default=0,
              help="let the clock run on this long after the last message")
    @argument("--limit", type=int, default=None,
              help="live (no feed, no recording): stop after this many emissions")
    @argument("--timeout", type=float, default=10.0,
              help="live: stop after this many seconds (default 10)")
    @argument("--background", action="store_true",
              help="live: run in the background, its table updating in place; stop it with "
                   "%%kuiper stop ID or .stop()")  # fmt: skip
    @argument("--rows", type=int, default=None, help="rows to show (default: KuiperMagics.rows)")
    @argument("--plot", action="store_true", help="also plot the input against the output")
    @argument("-o", "--out", default=None, metavar="VAR",
              help="store the result's DataFrame in this variable (--background: the LiveRule)")
    @cell_magic
    def kuiper_sql(self, line: str, cell: str) -> RuleResult | None:
        """Run the cell's SELECT (after any CREATE STREAM statements) over a feed, a
        recording (each stream gets the recorded topics its DATASOURCE matches), or,
        with neither, the streams' own sources (MQTT, a source plugin: TYPE="name") live,
        for --limit emissions or --timeout seconds."""
        args = parse_args(self.kuiper_sql, line)
        ws = self.workspace
        options = rule_options(args.options, self.ns, event_time=args.event_time,
                               late_tolerance=args.late_tolerance, send_error=args.send_error)  # fmt: skip
        for warning in unknown_options(options):
            print(f"warning: {warning}")
        actions = sink_actions(args.sink, self.ns)
        if args.feed is not None and args.recording is not None:
            raise UsageError("give --feed or --recording, not both (neither: run live)")
        select = self._define_streams(cell)
        received: list[Any] = []
        common: dict[str, Any] = {"rule_id": args.id, "options": options, "actions": actions}
        if actions:
            common["record"] = received.append
        feed = self._variable(args.feed) if args.feed is not None else None
        if feed is not None:
            result = ws.run(select, feed, drain_ms=args.drain_ms, **common)
        elif args.recording is not None:
            result = ws.replay(select, args.recording, drain_ms=args.drain_ms, speed=args.speed,
                               progress=not args.quiet, **common)  # fmt: skip
            if result.messages_in == 0:
                print(unmatched_recording(ws, select, args.recording))
        elif args.background:  # shown by its display; -o VAR keeps the LiveRule
            live = self._start_background(select, args, common)
            if args.out:
                self.ns[args.out] = live
            return None
        else:
            result, run = ws.run_live(select, limit=args.limit,
                                      timeout_ms=int(args.timeout * 1000), **common)  # fmt: skip
            if run.timed_out and args.limit is not None:
                print(f"stopped by --timeout {args.timeout:g} s after {len(result.emissions)} "
                      f"of --limit {args.limit} emissions; see the errors below, or give the "
                      "source more time with a larger --timeout")  # fmt: skip
        if actions and not result.emissions:  # what the sinks received, for the table
            result.emissions.extend(once_each(received, len(actions)))
        result.show_rows = args.rows if args.rows is not None else self.rows
        self.results.pop(result.rule_id, None)  # latest last
        self.results[result.rule_id] = result
        while len(self.results) > 20:
            del self.results[next(iter(self.results))]
        if args.out:
            self.ns[args.out] = result.to_pandas()
        if args.plot:
            from IPython.display import display

            display(result)
            display(result.plot(ws.messages(feed) if feed is not None else None))
            return None  # shown already
        return result

    def _define_streams(self, script: str) -> str:
        """Create the script's streams; return its last statement, the SELECT. A SELECT
        from a stream that neither this cell nor an earlier one defined, beside streams
        this cell does define, is a typo, not a new schemaless stream."""
        *ddl, select = split_statements(script) or [""]
        defined: list[str] = []
        for text in ddl:
            statement = parse(text)
            if not isinstance(statement, CreateStream):
                raise KuiperDevError(
                    "%%kuiper_sql: only the last statement may be a SELECT; "
                    "put each rule in its own cell"
                )
            self.workspace.create_stream(text)
            defined.append(statement.name)
        known = self.workspace.show_streams()
        source = select_source(select)
        if defined and source is not None and source not in known:
            near = difflib.get_close_matches(source, known, n=1)
            raise KuiperDevError(
                f"%%kuiper_sql: the SELECT reads stream {source}, which is not defined (this "
                f"cell defines {', '.join(defined)}); "
                + (f"did you mean {near[0]}?" if near else "define it with CREATE STREAM")
            )
        return select

    def _start_background(self, select: str, args: Any, common: dict[str, Any]) -> LiveRule:
        live = self.workspace.start_live(select, timeout_ms=int(args.timeout * 1000), **common)
        shown = LiveDisplay(live, rows=args.rows or 10, plot=args.plot)
        self.live[live.pipeline.id] = (live, shown)
        print(f"rule {live.pipeline.id} running in the background; stop it with "
              f"%kuiper stop {live.pipeline.id}")  # fmt: skip
        return live

    def stop_live(self, rule_id: str | None = None) -> list[str]:
        """Stop background rules (one, or all) and their displays; their ids."""
        ids = [rule_id] if rule_id else list(self.live)
        for rid in ids:
            if rid not in self.live:
                raise KuiperDevError(
                    f"%kuiper stop {rid}: no background rule of that id; running: "
                    f"{', '.join(self.live) or 'none'}"
                )
            live, shown = self.live.pop(rid)
            live.stop()
            if shown is not None:
                shown.close()
        return ids

    @line_magic
    def kuiper(self, line: str) -> Any:
        """Mirror of the CLI over this notebook's workspace; a wrong verb prints the usage."""
        return run_verb(self, line)

    kuiper.__doc__ = f"{kuiper.__doc__}\n\n{verbs_usage()}"
