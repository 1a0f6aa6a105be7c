"""eKuiper's management API over the workspace: what ``serve`` and the CLI verbs call."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .._types import Message, PluginKind
from ..engine import (
    RuleDefinition,
    StreamDef,
)
from ..errors import (
    KuiperDevError,
    PlanError,
    PluginError,
    RuleError,
    SqlError,
    did_you_mean,
)
from ..portable import open_portable
from ..sql import parse, parse_select
from ..sql.ast import CreateStream
from .core import _rule_streams
from .recordings import RecordingWorkspace


class Workspace(RecordingWorkspace):
    """Plugins, streams and rules of one development session.

    >>> ws = Workspace(plugins_dir=None)
    >>> ws.run("SELECT a * 2 AS b FROM demo", [{"a": 1}, {"a": 2.5}]).rows
    [{'b': 2.0}, {'b': 5.0}]
    """

    # -- management API (REST and CLI) ----------------------------------------------
    # eKuiper's management verbs over this workspace. With a data folder (use_data)
    # every change is saved at once, atomically, and loaded again on the next start.
    # The answers are eKuiper's texts; ``serve`` and the CLI shape them, nothing more.

    def use_data(self, folder: Path | str, *, live: bool = False) -> list[str]:
        """Keep streams, tables and rules (with their run state) in ``folder`` and load
        what it holds; with ``live``, started rules run on their live sources on the
        wall clock (``serve``). Returns what could not be restored, one line each."""
        self._data_dir: Path | None = Path(folder)
        self._data_dir.mkdir(parents=True, exist_ok=True)
        self._ddl: dict[str, str] = {}
        self.rules.live = live
        path = self._data_dir / "state.json"
        if not path.exists():
            return []
        try:
            state = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise RuleError(
                f"{path}: cannot read the saved state ({exc}); move the file aside to start empty"
            ) from exc
        problems: list[str] = []
        for item in state.get("streams", []):
            try:
                stream = self.create_stream(item["sql"])
                self._ddl[stream.name] = item["sql"]
            except KuiperDevError as exc:
                problems.append(f"stream {item.get('name')}: {exc}")
        for item in state.get("rules", []):
            d = RuleDefinition(
                item["id"], item["sql"], item["actions"], item["options"], item.get("extra", {})
            )
            try:
                self.rules.create(d, start=False)
                if item.get("triggered"):
                    self.rules.start(d.id)
            except KuiperDevError as exc:
                problems.append(f"rule {d.id}: {exc}")
        return problems

    def _save_state(self) -> None:
        folder = getattr(self, "_data_dir", None)
        if folder is None:
            return
        rules = []
        for row in self.rules.list_rules():
            d = self.rules.definition(row["id"])
            rules.append(
                {"id": d.id, "sql": d.sql, "actions": d.actions, "options": d.options,
                 "triggered": self.rules.is_running(d.id), "extra": d.extra}
            )  # fmt: skip
        ddl = getattr(self, "_ddl", {})
        state = {
            "streams": [{"name": n, "sql": ddl[n]} for n in self.catalog.names() if n in ddl],
            "rules": rules,
        }
        tmp = folder / f".state.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as out:
            json.dump(state, out, indent=1)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, folder / "state.json")  # readers see the old file or the new one

    def _stream_of_kind(self, name: str, kind: str) -> StreamDef:
        stream = self.catalog.get(name)
        if stream.kind != kind:
            names = self.list_streams(kind)
            raise PlanError(f"{kind} {name} not found.{did_you_mean(name, names)}")
        return stream

    def add_stream(self, sql: str, kind: str = "stream") -> str:
        """eKuiper's ``create stream|table``: refused when the name is taken."""
        statement = parse(sql)
        if not isinstance(statement, CreateStream) or statement.kind != kind:
            raise SqlError(f"expected a CREATE {kind.upper()} statement; got: {sql.strip()[:60]}")
        if statement.name in self.catalog.names():
            existing = self.catalog.get(statement.name).kind
            raise PlanError(f"{existing} {statement.name} already exists; drop it first")
        self.create_stream(sql)
        getattr(self, "_ddl", {})[statement.name] = sql
        self._save_state()
        return f"{kind.capitalize()} {statement.name} is created."

    def replace_stream(self, name: str, sql: str, kind: str = "stream") -> str:
        """eKuiper's update: the statement must name the same stream."""
        self._stream_of_kind(name, kind)
        statement = parse(sql)
        if not isinstance(statement, CreateStream) or statement.kind != kind:
            raise SqlError(f"expected a CREATE {kind.upper()} statement; got: {sql.strip()[:60]}")
        if statement.name != name:
            raise PlanError(f"{kind} {name}: the statement defines {statement.name}; keep the name")
        self.create_stream(sql)
        getattr(self, "_ddl", {})[name] = sql
        self._save_state()
        return f"{kind.capitalize()} {name} is updated."

    def remove_stream(self, name: str, kind: str = "stream", *, force: bool = False) -> str:
        """Drop a stream or table; refused while a rule reads it, unless ``force``
        (eKuiper's ``?force=true``)."""
        self._stream_of_kind(name, kind)
        users = [
            rid for rid in self.rules.names()
            if name in _rule_streams(self.rules.definition(rid).sql)
        ]  # fmt: skip
        if users and not force:
            raise PlanError(
                f"{kind} {name} has been referenced by other rules ({', '.join(users)}); "
                "drop them first, or drop with force=true"
            )
        self.drop_stream(name)
        getattr(self, "_ddl", {}).pop(name, None)
        self._save_state()
        return f"{kind.capitalize()} {name} is dropped."

    def list_streams(self, kind: str = "stream") -> list[str]:
        return [n for n in self.catalog.names() if self.catalog.get(n).kind == kind]

    def stream_details(self, name: str, kind: str = "stream") -> dict[str, Any]:
        """``describe_stream`` with the statement it was made from."""
        self._stream_of_kind(name, kind)
        out = self.describe_stream(name)
        out["Statement"] = getattr(self, "_ddl", {}).get(name, "")
        return out

    @staticmethod
    def _rule_definition(body: Any, rule_id: str | None = None) -> RuleDefinition:
        if not isinstance(body, Mapping):
            raise RuleError("a rule is a JSON object with id, sql and actions")
        rid = body.get("id", rule_id) if rule_id is None else rule_id
        if not isinstance(rid, str) or not rid.strip():
            raise RuleError('the rule needs an "id": a non-empty string')
        if body.get("id", rid) != rid:
            raise RuleError(f'rule {rid}: the body\'s "id" is {body.get("id")!r}; make them agree')
        sql = body.get("sql")
        if not isinstance(sql, str) or not sql.strip():
            raise RuleError(f'rule {rid}: "sql" must be a non-empty string')
        actions = body.get("actions", [{"log": {}}])
        if not isinstance(actions, list) or not all(isinstance(a, Mapping) for a in actions):
            raise RuleError(
                f'rule {rid}: "actions" must be a list of objects, e.g. [{{"log": {{}}}}]'
            )
        options = body.get("options", {})
        if not isinstance(options, Mapping):
            raise RuleError(f'rule {rid}: "options" must be an object')
        extra = {k: body[k] for k in ("name", "tags", "version") if k in body}
        return RuleDefinition(
            rid, sql, [dict(a) for a in actions] or [{"log": {}}], dict(options), extra
        )

    def add_rule(self, body: Mapping[str, Any]) -> str:
        """eKuiper's ``create rule``: checked, created and started (unless
        ``"triggered": false``)."""
        d = self._rule_definition(body)
        self.rules.create(d, start=bool(body.get("triggered", True)))
        self._save_state()
        return f"Rule {d.id} was created successfully."

    def replace_rule(self, rule_id: str, body: Mapping[str, Any]) -> str:
        """eKuiper's upsert: update (a running rule restarts) or create."""
        d = self._rule_definition(body, rule_id)
        if rule_id in self.rules.names():
            self.rules.update(d)
        else:
            self.rules.create(d, start=bool(body.get("triggered", True)))
        self._save_state()
        return f"Rule {rule_id} was updated successfully."

    def remove_rule(self, rule_id: str) -> str:
        self.delete_rule(rule_id)
        self._save_state()
        return f"Rule {rule_id} is dropped."

    def rule_definition(self, rule_id: str) -> dict[str, Any]:
        d = self.rules.definition(rule_id)
        return {"id": d.id, **d.extra, "sql": d.sql, "actions": d.actions,
                "options": d.options, "triggered": self.rules.is_running(rule_id)}  # fmt: skip

    def rule_command(self, rule_id: str, command: str) -> str:
        """``start``, ``stop`` or ``restart`` a rule; the answer eKuiper gives."""
        if command == "start":
            self.start_rule(rule_id)
            text = f"Rule {rule_id} was started"
        elif command == "stop":
            self.stop_rule(rule_id)
            text = f"Rule {rule_id} was stopped."
        elif command == "restart":
            self.restart_rule(rule_id)
            text = f"Rule {rule_id} was restarted"
        else:
            raise RuleError(f"unknown rule command {command!r}; use start, stop or restart")
        self._save_state()
        return text

    def rule_topo(self, rule_id: str) -> dict[str, Any]:
        return self.rules.topo(rule_id)

    def install_plugin(
        self, kind: PluginKind, name: str, files: Mapping[str, bytes], *, replace: bool = False
    ) -> str:
        """Write a checked plugin's files (bare names) into the plugins folder and load it;
        a plugin that does not load is removed again, the error says why."""
        if self.plugins_dir is None:
            raise PluginError("this workspace has no plugins folder; start it with one")
        folder = self.plugins_dir / f"{kind}s"
        existing = self.plugins.get(kind, name)
        if existing is not None and not replace:
            raise PluginError(f"{kind} plugin {name} already exists; drop it first or update it")
        if replace:
            self._plugin_files(kind, name, remove=True)
        folder.mkdir(parents=True, exist_ok=True)
        written: list[Path] = []
        try:
            for fname, data in files.items():
                tmp = folder / f".{fname}.part"
                written.append(tmp)
                tmp.write_bytes(data)
                os.replace(tmp, folder / fname)
                written.append(folder / fname)
        except OSError as exc:
            for path in written:
                path.unlink(missing_ok=True)
            raise PluginError(f"{kind} plugin {name}: cannot write {folder} ({exc})") from exc
        self.plugins.reload_changed()
        if self.plugins.get(kind, name) is None:
            problems = [p for p in self.plugins.problems if name in p]
            for path in written:
                path.unlink(missing_ok=True)
            self.plugins.reload_changed()
            why = problems[0] if problems else "it did not load"
            raise PluginError(f"{kind} plugin {name} not installed: {why}")
        self._refuse_builtin_clashes()
        return f"{kind} plugin {name} is {'updated' if replace else 'created'}"

    def install_portable(self, name: str, zip_bytes: bytes, *, replace: bool = False) -> str:
        """Install a portable plugin zip into ``portables/NAME`` (checked first: nothing is
        written for a refused package); an update switches running rules to it."""
        if self.plugins_dir is None or self.portable:
            raise PluginError("portable plugins install into a plugins folder; start with one")
        exists = name in self.portables.names()
        if exists and not replace:
            raise PluginError(f"portable plugin {name} already exists; drop it first or update it")
        if replace and not exists:
            raise PluginError(f"portable plugin {name} not found; create it instead")
        target = self.plugins_dir / "portables"
        target.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=target, prefix=f".{name}."))
        try:
            archive = staging / f"{name}.zip"
            archive.write_bytes(zip_bytes)
            unpacked = open_portable(archive, staging / "unpacked", name=name)
            if replace:
                shutil.rmtree(target / name)
            os.replace(unpacked.path, target / name)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        self.portables.scan()
        self._serve_portable_functions()
        return f"portable plugin {name} is {'updated' if replace else 'created'}"

    def save_upload(self, filename: str, data: bytes) -> Path:
        """Keep an uploaded file (eKuiper's ``/config/uploads``) in ``uploads/`` of the
        plugins folder, where a ``file://`` plugin URL may name it; a name with a path in
        it is refused."""
        if self.plugins_dir is None:
            raise PluginError("uploads go into a plugins folder; start with one")
        if not filename or Path(filename).name != filename or filename.startswith("."):
            raise PluginError(f"upload {filename!r}: give a plain file name, without folders")
        folder = self.plugins_dir / "uploads"
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{filename}.part"
        tmp.write_bytes(data)
        os.replace(tmp, folder / filename)
        return (folder / filename).resolve()

    def uninstall_portable(self, name: str) -> str:
        self.describe_plugin("portable", name)  # not found: the error says so
        assert self.plugins_dir is not None
        shutil.rmtree(self.plugins_dir / "portables" / name)
        self.portables.scan()  # its process stops
        self.plugins.drop_served_functions(name)
        return f"portable plugin {name} is deleted"

    def uninstall_plugin(self, kind: PluginKind, name: str) -> str:
        self.describe_plugin(kind, name)  # not found: the error says so
        self._plugin_files(kind, name, remove=True)
        self.plugins.reload_changed()
        return f"{kind} plugin {name} is deleted"

    def _plugin_files(self, kind: PluginKind, name: str, *, remove: bool) -> list[Path]:
        if self.plugins_dir is None:
            return []
        folder = self.plugins_dir / f"{kind}s"
        symbol = name[:1].upper() + name[1:]
        found = [
            p for p in folder.glob("*")
            if p.name in (f"{symbol}.py", f"{name}.yaml", f"{name}.json")
            or (p.name.startswith(f"{symbol}@v") and p.suffix == ".py")
        ]  # fmt: skip
        if remove:
            for path in found:
                path.unlink(missing_ok=True)
        return found

    def halt(self) -> None:
        """Stop every running rule without saving it as stopped: the next start of the
        data folder resumes them (``serve`` calls this when it exits)."""
        for row in self.rules.list_rules():
            if self.rules.is_running(row["id"]):
                self.rules.stop(row["id"])

    def test_rule(
        self,
        sql: str,
        mock_source: Mapping[str, Any] | None = None,
        sink_props: Mapping[str, Any] | None = None,
        *,
        start_ms: int = 0,
    ) -> list[Any]:
        """eKuiper's ``/ruletest`` on the defined streams, in virtual time: each mock
        stream's ``data`` arrives every ``interval`` ms (once; ``loop`` is not
        repeated). Returns what the rule's sink received, each emission once."""
        feeds: dict[str, list[Message]] = {}
        for stream, spec in (mock_source or {}).items():
            if not isinstance(spec, Mapping) or not isinstance(spec.get("data"), list):
                raise RuleError(f'mockSource.{stream} needs a "data" list of objects')
            interval = spec.get("interval", 1000)
            if not isinstance(interval, int) or isinstance(interval, bool) or interval < 0:
                raise RuleError(f"mockSource.{stream}.interval must be a non-negative integer (ms)")
            self.catalog.get(stream)
            feeds[stream] = [
                Message(stream, json.dumps(row).encode(), start_ms + i * interval)
                for i, row in enumerate(spec["data"])
            ]
        parse_select(sql)
        emissions: list[Any] = []
        self.run(
            sql, feeds, rule_id="ruletest", start_ms=start_ms, auto_stream=False,
            actions=[{"log": dict(sink_props or {})}], record=emissions.append,
        )  # fmt: skip
        return emissions
