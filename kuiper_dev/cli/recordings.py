"""``kuiper-dev record``, ``replay`` and ``simulate``: MQTT traffic to and from recordings.

Each verb is one call into the :class:`~kuiper_dev.workspace.Workspace`; what is
long-running shows a live count (record) or a progress bar (replay).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ..connectors import SCENARIOS, RecordStats
from ..workspace import Workspace
from ._common import DEFAULT_PLUGINS, PluginsOpt, user_errors

_FAULT_HELP = "switch a fault on (late, out_of_order, duplicate, malformed, clock_skew, dropout)"


def simulate(
    scenario: Annotated[
        str, typer.Argument(help="a built-in scenario (see --list) or a scenario YAML/JSON file")
    ] = "fleet",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="write the messages as a recording")
    ] = None,
    broker: Annotated[
        str | None, typer.Option(help="publish live to this broker, e.g. mqtt://127.0.0.1:1883")
    ] = None,
    speed: Annotated[float, typer.Option(help="with --broker: time factor (0: no waits)")] = 1.0,
    count: Annotated[int | None, typer.Option(help="readings per run (the scenario's own)")] = None,
    seed: Annotated[int | None, typer.Option(help="the seed (the scenario's own)")] = None,
    fault: Annotated[list[str] | None, typer.Option("--fault", help=_FAULT_HELP)] = None,
    list_: Annotated[bool, typer.Option("--list", help="list the built-in scenarios")] = False,
    plugins: PluginsOpt = DEFAULT_PLUGINS,  # every verb takes it; a simulation loads none
) -> None:
    """A seeded simulated fleet: the same seed gives the same bytes on any machine."""
    console = Console(stderr=True)
    if list_:
        for name, known in sorted(SCENARIOS.items()):
            typer.echo(f"{name}\t{known.description}")
        return
    with user_errors():
        settings = {k: v for k, v in (("count", count), ("seed", seed)) if v is not None}
        sim = Workspace.simulate(scenario, faults=fault or (), **settings)
        if broker is not None:
            sent = Workspace.republish(sim, broker, speed=speed)
            console.print(f"published {sent} messages to {broker}")
            return
        if output is None:
            for message in sim:
                typer.echo(message.payload.decode("utf-8", "replace"))
            return
        count = Workspace.save_simulation(sim, output)
        name = getattr(sim, "name", scenario)
        console.print(f"wrote {count} messages of scenario {name} to {output}")


def record(
    broker: Annotated[str, typer.Option(help="the broker, e.g. mqtt://127.0.0.1:1883")],
    topic: Annotated[list[str], typer.Option(help="a subscription (wildcards allowed); repeat")],
    output: Annotated[Path, typer.Option("-o", "--output", help="the recording to append to")],
    count: Annotated[int | None, typer.Option(help="stop after this many messages")] = None,
    duration: Annotated[float | None, typer.Option(help="stop after this many seconds")] = None,
    qos: Annotated[int, typer.Option(help="subscription QoS: 0, 1 or 2")] = 0,
    client_id: Annotated[str | None, typer.Option(help="MQTT client id")] = None,
    persistent: Annotated[
        bool, typer.Option(help="a non-clean session: QoS 1/2 messages survive a broker restart")
    ] = False,
    plugins: PluginsOpt = DEFAULT_PLUGINS,  # every verb takes it; recording loads none
) -> None:
    """Capture live MQTT traffic into a recording; stops on count, duration or Ctrl-C."""
    console = Console(stderr=True)
    if persistent and client_id is None:  # a session resumes only under the same client id
        client_id = f"kuiper-dev-record-{output.stem}"
        console.print(f"persistent session under client id {client_id} (--client-id to choose)")
    with user_errors(), console.status(f"recording {', '.join(topic)} from {broker}") as status:

        started = time.monotonic()

        def show(stats: RecordStats) -> None:
            rate = stats.count / max(time.monotonic() - started, 1e-3)
            status.update(f"recording from {broker}: {stats.count} messages, {rate:,.0f} msg/s")

        stats = Workspace.record(
            broker, topic, output, count=count, duration=duration, qos=qos, client_id=client_id,
            persistent=persistent, on_progress=show,
        )  # fmt: skip
    console.print(f"recorded {stats.count} messages into {output} (stopped by {stats.stopped_by})")


def replay(
    recording: Annotated[Path, typer.Argument(help="a recording (.jsonl or .jsonl.zst)")],
    broker: Annotated[str, typer.Option(help="the broker to publish to")],
    speed: Annotated[float, typer.Option(help="time factor: 2 is twice as fast, 0 no waits")] = 1.0,
    plugins: PluginsOpt = DEFAULT_PLUGINS,  # every verb takes it; a replay loads none
) -> None:
    """Republish a recording onto a broker in order, keeping relative timing, QoS and retain."""
    console = Console(stderr=True)
    with user_errors():
        sent = Workspace.republish(recording, broker, speed=speed, progress=True)
    console.print(f"published {sent} messages to {broker}")
