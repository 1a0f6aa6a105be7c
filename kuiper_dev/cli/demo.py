"""``kuiper-dev demo``: the notebook loop in the terminal, on embedded defaults."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.console import Console
from rich.table import Table

from ..connectors import MqttConfig, MqttSource, broker
from ..workspace import Workspace
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
    live: Annotated[
        int, typer.Option(help="messages to send through an embedded MQTT broker (0: none)")
    ] = 2_000,
) -> None:
    """Load the example plugin, simulate sensors, run a rule through it, print the result;
    then run it live: fleet → embedded broker → MQTT source → rule → MQTT sink → subscriber."""
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
    if live:
        with user_errors():
            _over_mqtt(ws, console, min(count, live))


def _over_mqtt(ws: Workspace, console: Console, count: int) -> None:
    """The same rule live: fleet → embedded broker → MQTT source → rule → MQTT sink →
    a subscriber, checked against the virtual-time run of the same messages."""
    fleet = list(ws.simulate(devices=5, count=count, seed=42))
    expected = [row for e in ws.run(DEMO_SQL, fleet).emissions for row in e]
    received: list[bytes] = []
    with broker() as b:
        console.print(f"embedded MQTT broker on [bold]{b.url}[/]")
        ws.use_broker(b.url)
        subscriber = MqttSource(MqttConfig(server=b.url, qos=1), "alerts/#")
        subscriber.start(lambda m: received.append(m.payload), lambda _text: None)
        action = {"mqtt": {"topic": "alerts/{{.deviceId}}", "qos": 1, "sendSingle": True}}
        live = ws.start_live(DEMO_SQL, rule_id="demo-live", actions=[action])
        try:
            started = time.perf_counter()
            Workspace.republish(fleet, b.url, speed=0)
            live.wait(messages=len(fleet), emissions=len(expected), timeout=30)
            deadline = time.monotonic() + 10
            while len(received) < len(expected) and time.monotonic() < deadline:
                time.sleep(0.01)
            elapsed = time.perf_counter() - started
        finally:
            live.stop()
            subscriber.stop()
    same = [orjson.loads(p) for p in received] == expected
    console.print(
        f"live over MQTT: {len(fleet)} messages published, {live.result.messages_in} taken by "
        f"the rule, {len(received)} alerts received by a subscriber in {elapsed:.2f}s; "
        f"same rows as in virtual time: [bold]{'yes' if same else 'NO'}[/]"
    )
    if not same:
        raise typer.Exit(1)
