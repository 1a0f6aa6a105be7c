"""Recordings and brokers: record, republish and replay MQTT traffic through rules."""

from __future__ import annotations

import itertools
import threading
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from .._types import Message
from ..connectors import RecordStats, Scenario, SensorFleet, record_live, republish, split_recording
from ..connectors.mqtt import as_config
from ..engine import (
    Driver,
    Pipeline,
    RuleResult,
    VirtualClock,
)
from ..errors import (
    RecordingWarning,
    RuleError,
)
from ..recording import (
    Recording,
    RecordingDamage,
    RecordingWriter,
    paced,
    read_recording,
    with_progress,
)
from ..sql import parse, split_statements
from ..sql.ast import CreateStream
from .core import Feed, WorkspaceCore


class RecordingWorkspace(WorkspaceCore):
    """The workspace with recordings and brokers."""

    # -- recordings ----------------------------------------------------------------
    def use_broker(self, url: str) -> None:
        """Point mqtt streams and sinks without a ``server`` of their own at ``url``
        (eKuiper's ``etc/mqtt_source.yaml`` default), e.g. an embedded broker's."""
        as_config(url)  # a bad URL fails here, naming the fix
        self.builtins.mqtt_server = url

    @staticmethod
    def record(
        broker: str,
        topics: str | Sequence[str],
        path: str | Path,
        *,
        count: int | None = None,
        duration: float | None = None,
        qos: int = 0,
        client_id: str | None = None,
        persistent: bool = False,
        on_progress: Callable[[RecordStats], None] | None = None,
        stop: threading.Event | None = None,
    ) -> RecordStats:
        """Capture live MQTT traffic into the recording at ``path`` (appended, each line
        flushed) until ``count`` messages, ``duration`` seconds, ``stop`` or Ctrl-C;
        whatever arrived is kept."""
        subscriptions = [topics] if isinstance(topics, str) else list(topics)
        with RecordingWriter(path, broker=broker, topics=subscriptions) as writer:
            return record_live(
                broker, subscriptions, writer.write, count=count, duration=duration, qos=qos,
                client_id=client_id, persistent=persistent, on_progress=on_progress, stop=stop,
            )  # fmt: skip

    @staticmethod
    def save_simulation(simulation: Scenario | SensorFleet, path: str | Path) -> int:
        """Write a simulation as a recording: its messages, and a header naming its
        topics, scenario and seed at the simulation's own start time, so the same seed
        gives the same bytes. Returns how many messages were written."""
        topic = getattr(simulation, "topic", "")
        topics = [topic.split("{", 1)[0] + "#"] if topic else []
        extra = {"scenario": getattr(simulation, "name", "fleet"),
                 "seed": getattr(simulation, "seed", None)}  # fmt: skip
        start = getattr(simulation, "start_ms", 0)
        with RecordingWriter(path, topics=topics, start_ms=start, extra=extra) as writer:
            for message in simulation:
                writer.write(message)
        return writer.count

    @staticmethod
    def republish(
        recording: str | Path | Recording | Iterable[Message],
        broker: str,
        *,
        speed: float = 1.0,
        progress: bool = False,
    ) -> int:
        """Publish a recording (or any messages) onto a broker in order, keeping their
        relative timing divided by ``speed`` (0: as fast as possible), QoS and retain."""
        if isinstance(recording, str | Path):
            recording = read_recording(recording)
        messages: Iterable[Message] = recording
        if progress and isinstance(recording, Recording):
            messages = with_progress(messages, recording, desc=f"publish to {broker}")
        return republish(paced(messages, speed), broker)

    def replay(
        self,
        sql: str,
        recording: str | Path | Recording,
        *,
        rule_id: str | None = None,
        options: Mapping[str, Any] | None = None,
        start_ms: int | None = None,
        drain_ms: int = 0,
        actions: list[Any] | None = None,
        record: Callable[[Any], None] | None = None,
        speed: float | None = None,
        progress: bool = False,
    ) -> RuleResult:
        """Run a rule over a recording in virtual time: each stream it reads gets the
        messages whose topic matches the stream's DATASOURCE (MQTT wildcards), at
        their recorded arrival times. The file is read once, as it goes (flat memory).

        ``speed`` paces the replay in real time (2.0: twice as fast); the results are
        the same as without it. A damaged recording replays up to the damage, which
        is warned of and kept in the result's ``warnings``. ``progress`` draws a bar.
        """
        rec = recording if isinstance(recording, Recording) else read_recording(recording)
        plan = self.rule(sql, rule_id=rule_id, options=options).plan
        subscriptions = {name: i.stream.datasource for name, i in plan.inputs.items()}
        damages: list[RecordingDamage] = []
        messages: Iterable[Message] = rec.messages(on_damage=damages.append)
        if progress:
            messages = with_progress(messages, rec, desc=f"replay {plan.rule_id}")
        if speed is not None:
            messages = paced(messages, speed)
        routed = split_recording(messages, subscriptions)
        head = next(routed, None)
        if start_ms is None:
            start_ms = head[1].ts - head[1].ts % 1000 if head is not None else 0
        rule = Pipeline(plan, start_ms=start_ms, bus=self.bus)
        sinks = self.actions(rule, actions, record or (lambda _data: None)) if actions else None
        try:
            with Driver(VirtualClock(start_ms)).driving(rule) as driver:
                if head is None:
                    driver.advance(start_ms + drain_ms)
                elif len(subscriptions) == 1:  # one stream: the pipeline's own loop may run it
                    ((name, _),) = subscriptions.items()
                    feed = (m for _, m in itertools.chain([head], routed))
                    driver.replay({name: feed}, drain_ms=drain_ms)
                else:
                    driver.replay_routed(itertools.chain([head], routed), drain_ms=drain_ms)
        finally:
            if sinks is not None:
                sinks.close()
        for damage in damages:  # the replay stopped there: say so where results are read
            rule.result.warnings.append(str(damage))
            warnings.warn(str(damage), RecordingWarning, stacklevel=2)
        return rule.result

    def run_script(
        self,
        script: str,
        feed: Feed | None = None,
        *,
        recording: str | Path | None = None,
        rule_id: str | None = None,
        options: Mapping[str, Any] | None = None,
        drain_ms: int = 0,
    ) -> RuleResult:
        """Define the script's streams, then run its last statement, a SELECT, over a feed
        or a recording (with a progress bar).

        What a ``%%kuiper_sql`` cell holds: ``CREATE STREAM ...; SELECT ...``.
        """
        if (feed is None) == (recording is None):
            raise RuleError("give the rule either a feed or a recording to run over")
        *ddl, select = split_statements(script) or [""]
        for text in ddl:
            if not isinstance(parse(text), CreateStream):
                raise RuleError("only the last statement of a script may be a SELECT")
            self.create_stream(text)
        if recording is not None:
            return self.replay(
                select, recording, rule_id=rule_id, options=options, drain_ms=drain_ms,
                progress=True,
            )  # fmt: skip
        assert feed is not None
        return self.run(select, feed, rule_id=rule_id, options=options, drain_ms=drain_ms)
