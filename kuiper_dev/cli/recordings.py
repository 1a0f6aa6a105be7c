"""``kuiper-dev simulate``: seeded scenarios written as recordings (the MQTT verbs join here)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ..connectors import SCENARIOS
from ..recording import RecordingWriter
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
        if output is None:
            for message in sim:
                typer.echo(message.payload.decode("utf-8", "replace"))
            return
        topics = [sim.topic.split("{", 1)[0] + "#"] if hasattr(sim, "topic") else []
        extra = {"scenario": getattr(sim, "name", scenario), "seed": getattr(sim, "seed", None)}
        start = getattr(sim, "start_ms", 0)  # the scenario's own time: same bytes every run
        with RecordingWriter(output, topics=topics, start_ms=start, extra=extra) as writer:
            for message in sim:
                writer.write(message)
        console.print(f"wrote {writer.count} messages of scenario {extra['scenario']} to {output}")
