"""``%kuiper VERB ...``: the CLI's verbs over the notebook's workspace, parsed with
argparse so that a wrong verb or option prints the usage instead of a traceback."""

from __future__ import annotations

import argparse
import os
import shlex
from typing import TYPE_CHECKING, Any

from IPython.core.error import UsageError

from ..errors import KuiperDevError
from ..workspace import Workspace
from .display import metrics_table, topology

if TYPE_CHECKING:
    from .magics import KuiperMagics

__all__ = ["run_verb", "verbs_usage"]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # argparse would exit the kernel
        raise UsageError(f"{message}\n{self.format_usage().strip()}\n(see %kuiper? for every verb)")


_WHATS = ["stream", "streams", "table", "tables", "rule", "rules", "plugin", "plugins"]


def _parser() -> _Parser:
    top = _Parser(prog="%kuiper", add_help=False)
    verbs = top.add_subparsers(dest="verb", required=True, parser_class=_Parser)
    verbs.add_parser("workspace", help="the Workspace, and which plugins folder it loaded")
    verbs.add_parser("functions", help="every function: built-ins and plugins")
    verbs.add_parser("udfs", help="the plugin functions and their plugins")
    verbs.add_parser("reload", help="reload changed plugin files (and files a cell replaced)")
    p = verbs.add_parser("plugins", help="the plugins of a kind")
    p.add_argument("kind", choices=["function", "source", "sink", "portable"])
    p = verbs.add_parser("create", help="create stream|table 'DDL' | create rule ID 'SQL' [--sink S]")
    p.add_argument("what", choices=["stream", "table", "rule"])
    p.add_argument("words", nargs="+")
    p.add_argument("--sink", action="append", default=None)
    for verb in ("show", "describe", "drop"):
        p = verbs.add_parser(verb, help=f"{verb} streams | tables | rules | plugins KIND [NAME]")
        p.add_argument("what", nargs="?", choices=_WHATS)
        p.add_argument("names", nargs="*")
    p = verbs.add_parser("status", help="a rule's state and per-operator metrics table")
    p.add_argument("rule")
    p = verbs.add_parser("topo", help="a rule's operators as a picture")
    p.add_argument("rule")
    p = verbs.add_parser("stop", help="stop a background rule (all without an id)")
    p.add_argument("rule", nargs="?")
    p = verbs.add_parser("simulate", help="a seeded simulation; -o VAR or --output FILE")
    p.add_argument("scenario", nargs="?", default=None)
    p.add_argument("--count", type=int)
    p.add_argument("--seed", type=int)
    p.add_argument("--fault", action="append", default=[])
    p.add_argument("-o", "--out", metavar="VAR")
    p.add_argument("--output", metavar="FILE", help="write a recording")
    p = verbs.add_parser("record", help="record MQTT traffic: BROKER TOPIC... -o FILE")
    p.add_argument("broker")
    p.add_argument("topics", nargs="+")
    p.add_argument("-o", "--output", required=True)
    p.add_argument("--count", type=int)
    p.add_argument("--duration", type=float)
    p = verbs.add_parser("replay", help="republish a recording onto a broker: FILE BROKER")
    p.add_argument("recording")
    p.add_argument("broker")
    p.add_argument("--speed", type=float, default=1.0)
    p = verbs.add_parser("test", help="property-test a plugin's contract: NAME [ARG_TYPE...]")
    p.add_argument("name")
    p.add_argument("arg_types", nargs="*")
    p.add_argument("--nullable", action="store_true", help="functions: try null arguments too")
    p.add_argument("--no-write", action="store_true", help="write no regression case files")
    p.add_argument("--regressions", metavar="DIR", default=None,
                   help="write regression cases here (default tests/regressions)")
    p = verbs.add_parser("export", help="export NAME... --version V [--portable] [--to DIR]")
    p.add_argument("names", nargs="+")
    p.add_argument("--version", required=True)
    p.add_argument("--portable", action="store_true")
    p.add_argument("--package", default=None)
    p.add_argument("--to", default="dist")
    return top


def verbs_usage() -> str:
    """One line per verb, for ``%kuiper?``."""
    lines = ["Verbs:"]
    for action in _parser()._subparsers._group_actions:  # type: ignore[union-attr]
        assert isinstance(action, argparse._SubParsersAction)
        for choice in action._choices_actions:
            lines.append(f"  {choice.dest:<10} {choice.help}")
    return "\n".join(lines)


def run_verb(magics: KuiperMagics, line: str) -> Any:
    """Parse ``line`` and run its verb."""
    try:
        words = shlex.split(line)
    except ValueError as exc:
        raise UsageError(f"%kuiper {line}: {exc}; close the quotes") from None
    args = _parser().parse_args(words)
    handler = globals()[f"_{args.verb}"]
    return handler(magics, args)


def _workspace(m: KuiperMagics, a: Any) -> Workspace:
    folder = m.chosen_plugins_dir()
    how = "KuiperMagics.plugins_dir" if m.plugins_dir else "the nearest plugins/ at or above the cwd"
    where = os.path.relpath(folder) if folder is not None else "none (no plugins/ found)"
    if folder is not None and not folder.is_dir():
        where += " (no such folder: no plugin files)"
    print(f"plugins folder: {where}, chosen by {how}; "
          '%config KuiperMagics.plugins_dir = "path" picks another')  # fmt: skip
    return m.workspace


def _functions(m: KuiperMagics, a: Any) -> Any:
    import pandas as pd

    return pd.DataFrame(m.workspace.functions())


def _udfs(m: KuiperMagics, a: Any) -> Any:
    return m.workspace.show_udfs()


def _reload(m: KuiperMagics, a: Any) -> Any:
    return m.workspace.reload_plugins()


def _plugins(m: KuiperMagics, a: Any) -> Any:
    return m.workspace.show_plugins(a.kind)


def _create(m: KuiperMagics, a: Any) -> Any:
    from .options import sink_actions

    ws = m.workspace
    if a.what in ("stream", "table"):
        ddl = " ".join(a.words)
        if not ddl.upper().startswith("CREATE"):
            ddl = f"CREATE {a.what.upper()} {ddl}"
        return ws.create_stream(ddl).name
    if len(a.words) < 2:
        raise UsageError("%kuiper create rule ID 'SELECT ...' [--sink NAME]: give an id and SQL")
    rule_id, sql = a.words[0], " ".join(a.words[1:])
    ws.create_rule(rule_id, sql, actions=sink_actions(a.sink, m.ns))
    return rule_id


def _what(a: Any) -> str:
    """The kind of thing a show/describe/drop names, singular; the usage without one."""
    if a.what is None:
        raise UsageError(
            f"%kuiper {a.verb}: say what to {a.verb}: streams, tables, rules or plugins KIND; "
            f"write %kuiper {a.verb} streams"
        )
    return str(a.what).rstrip("s")


def _one(a: Any, usage: str) -> str:
    if len(a.names) != 1:
        raise UsageError(f"%kuiper {a.verb} {a.what}: name one; {usage}")
    return str(a.names[0])


def _show(m: KuiperMagics, a: Any) -> Any:
    ws, what = m.workspace, _what(a)
    if what in ("stream", "table"):
        return ws.list_streams(what)
    if what == "rule":
        background = ({"id": i, "name": i, "status": "running (background)"} for i in m.live)
        return [*ws.show_rules(), *background]
    return ws.show_plugins(_one(a, "write %kuiper show plugins KIND"))  # type: ignore[arg-type]


def _describe(m: KuiperMagics, a: Any) -> Any:
    ws, what = m.workspace, _what(a)
    if what in ("stream", "table"):
        return ws.describe_stream(_one(a, f"write %kuiper describe {what} NAME"))
    if what == "rule":
        return ws.rule_status(_one(a, "write %kuiper describe rule ID"))
    if len(a.names) != 2:
        raise UsageError("%kuiper describe plugin KIND NAME: give the kind and the name")
    return ws.describe_plugin(a.names[0], a.names[1])


def _drop(m: KuiperMagics, a: Any) -> Any:
    ws, what = m.workspace, _what(a)
    if what in ("stream", "table"):
        ws.drop_stream(_one(a, f"write %kuiper drop {what} NAME"))
    elif what == "rule":
        ws.delete_rule(_one(a, "write %kuiper drop rule ID"))
    else:
        raise UsageError("%kuiper drop plugin: delete the plugin's file, then %kuiper reload")
    return None


def _status_of(m: KuiperMagics, rule: str) -> Any:
    """A background rule's, a managed rule's, or a finished %%kuiper_sql run's status."""
    if rule in m.live:
        return m.live[rule][0].result
    if rule in m.results and rule not in m.workspace.rules.names():
        return m.results[rule]
    return m.workspace.rule_status(rule)


def _status(m: KuiperMagics, a: Any) -> Any:
    return metrics_table(_status_of(m, a.rule))


def _topo(m: KuiperMagics, a: Any) -> Any:
    return topology(_status_of(m, a.rule))


def _stop(m: KuiperMagics, a: Any) -> Any:
    stopped = m.stop_live(a.rule)
    print(f"stopped {', '.join(stopped) or 'nothing'}")


def _simulate(m: KuiperMagics, a: Any) -> Any:
    settings = {k: v for k, v in (("count", a.count), ("seed", a.seed)) if v is not None}
    sim = Workspace.simulate(a.scenario, faults=a.fault, **settings)
    if a.output:
        count = Workspace.save_simulation(sim, a.output)
        print(f"wrote {count} messages to {os.path.basename(a.output)}")
    if a.out:
        m.ns[a.out] = sim
    return None if (a.out or a.output) else sim


def _record(m: KuiperMagics, a: Any) -> Any:
    if a.count is None and a.duration is None:
        raise UsageError("%kuiper record: give --count N or --duration S so that it ends")
    from tqdm.auto import tqdm

    with tqdm(total=a.count, desc=f"record {a.broker}", unit="msg") as bar:
        stats = Workspace.record(a.broker, a.topics, a.output, count=a.count,
                                 duration=a.duration, on_progress=lambda s: bar.update(s.count - bar.n))  # fmt: skip
    print(f"recorded {stats.count} messages into {a.output} (stopped by {stats.stopped_by})")
    return None


def _replay(m: KuiperMagics, a: Any) -> Any:
    sent = Workspace.republish(a.recording, a.broker, speed=a.speed, progress=True)
    print(f"published {sent} messages to {a.broker}")


def _test(m: KuiperMagics, a: Any) -> Any:
    from ..testing import check_plugin

    options: dict[str, Any] = {}
    if a.arg_types:  # a function's argument types, when it has no metadata json
        options["arg_types"] = a.arg_types
    if a.nullable:
        options["nullable"] = True
    if a.no_write:
        options["write"] = False
    if a.regressions:
        options["regressions"] = a.regressions
    return check_plugin(m.workspace, a.name, **options)


def _export(m: KuiperMagics, a: Any) -> Any:
    paths = m.workspace.export(a.names, a.version, a.to, portable=a.portable,
                               package=a.package, force=True)  # fmt: skip
    if not paths:
        raise KuiperDevError(f"%kuiper export {' '.join(a.names)}: nothing written")
    return [str(p) for p in paths]
