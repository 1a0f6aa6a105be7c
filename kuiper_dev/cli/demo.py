"""``kuiper-dev demo``: the notebook loop in the terminal, on embedded defaults."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ._common import DEFAULT_PLUGINS, PluginsOpt, user_errors, workspace

DEMO_SQL = (
    "SELECT deviceId, temperature, humidity, heatIndex(temperature, humidity) AS feelsLike "
    "FROM sensors WHERE temperature > 30"
)


def demo(
    plugins: PluginsOpt = DEFAULT_PLUGINS,
    count: Annotated[int, typer.Option(help="simulated messages")] = 10_000,
    seed: Annotated[int, typer.Option(help="simulation seed")] = 42,
    rows: Annotated[int, typer.Option(help="result rows to show")] = 10,
) -> None:
    """Load the example plugin, simulate sensors, run a rule through it, print the result."""
    console = Console()
    with user_errors():
        ws = workspace(plugins)
        console.print(f"plugins loaded from [bold]{Path(plugins)}[/]: functions {ws.show_udfs()}")
        ws.create_stream(
            "CREATE STREAM sensors (deviceId STRING, temperature FLOAT, humidity FLOAT, ts BIGINT) "
            'WITH (DATASOURCE="sensors/+", FORMAT="json", TIMESTAMP="ts")'
        )
        fleet = ws.simulate(devices=5, count=count, seed=seed)
        console.print(f"rule: [cyan]{DEMO_SQL}[/]")
        started = time.perf_counter()
        result = ws.run(DEMO_SQL, fleet, rule_id="demo")
        elapsed = time.perf_counter() - started
    frame = result.to_pandas()
    table = Table(title=f"first {min(rows, len(frame))} of {len(frame)} hot readings")
    for column in frame.columns:
        table.add_column(str(column))
    for record in frame.head(rows).itertuples(index=False):
        table.add_row(*(str(v) for v in record))
    console.print(table)
    rate = result.messages_in / elapsed if elapsed else float("inf")
    console.print(
        f"{result.messages_in} messages in virtual time in {elapsed:.3f}s "
        f"({rate:,.0f} msg/s), {len(result.emissions)} emissions, {len(result.errors)} errors"
    )
