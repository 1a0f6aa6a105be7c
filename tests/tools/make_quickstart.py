"""Regenerate notebooks/01-quickstart.ipynb's cells (outputs come from executing it).

Run ``make notebooks`` rather than this file directly: it executes the notebook so
its committed outputs are the ones nbval checks.
"""

from __future__ import annotations

from nbformat.v4 import new_code_cell, new_markdown_cell

from ._nb import write

CELLS = [
    new_markdown_cell(
        "# kuiper_dev quickstart\n\n"
        "Write an eKuiper function plugin in a cell, hot-load it into the embedded rule engine, "
        "and run a real eKuiper SQL rule over simulated sensor data. Everything runs in "
        "virtual time, so the results below are the same on every run."
    ),
    new_code_cell("%load_ext kuiper_dev"),
    new_markdown_cell(
        "## 1. A function plugin\n\n"
        "The cell body is the plugin module. It implements the `ekuiper` SDK's `Function` "
        "interface and exports the symbol named in the magic (`DewPoint`); SQL calls it as "
        "`dewPoint`, as eKuiper names plugins."
    ),
    new_code_cell(
        "%%kuiper_function DewPoint\n"
        "import math\n"
        "from ekuiper import Function\n"
        "\n"
        "class DewPointFunc(Function):\n"
        '    """Dew point in °C from temperature (°C) and relative humidity (%), Magnus formula."""\n'
        "\n"
        "    def validate(self, args):\n"
        '        return "" if len(args) == 2 else "dewPoint takes temperature and humidity"\n'
        "\n"
        "    def exec(self, args, ctx):\n"
        "        t, rh = args\n"
        "        if t is None or not rh:\n"
        "            return None\n"
        "        g = math.log(rh / 100) + 17.62 * t / (243.12 + t)\n"
        "        return round(243.12 * g / (17.62 - g), 2)\n"
        "\n"
        "    def is_aggregate(self):\n"
        "        return False\n"
        "\n"
        "DewPoint = DewPointFunc()"
    ),
    new_markdown_cell(
        "## 2. A simulated sensor stream\n\n"
        "A seeded fleet of sensors publishing JSON to `sensors/{device}`, as an MQTT broker would carry it."
    ),
    new_code_cell(
        "from kuiper_dev import SensorFleet\n"
        "\n"
        "fleet = SensorFleet(devices=3, count=600, seed=7)\n"
        "first = next(iter(fleet))\n"
        "first.topic, first.payload"
    ),
    new_markdown_cell(
        "## 3. A rule over the stream\n\n"
        "`CREATE STREAM` is eKuiper DDL; the `SELECT` mixes a built-in (`round`), the plugin we "
        "just wrote and the project's own `heatIndex` plugin from `plugins/functions/HeatIndex.py`."
    ),
    new_code_cell(
        "%%kuiper_sql --feed fleet --id hot_readings\n"
        "CREATE STREAM sensors (deviceId STRING, temperature FLOAT, humidity FLOAT, ts BIGINT)\n"
        '    WITH (DATASOURCE="sensors/+", FORMAT="json", TIMESTAMP="ts");\n'
        "SELECT deviceId, ts, temperature, round(humidity) AS rh,\n"
        "       dewPoint(temperature, humidity) AS dew, heatIndex(temperature, humidity) AS feelsLike\n"
        "FROM sensors\n"
        "WHERE temperature > 28"
    ),
    new_code_cell(
        "result = _\n"
        "df = result.to_pandas()\n"
        'df.groupby("deviceId")[["temperature", "dew", "feelsLike"]].max()'
    ),
    new_markdown_cell(
        "## 4. Windows\n\n"
        "A one-minute tumbling window per device, with built-in aggregates. Windows end on "
        "natural-time boundaries, as in eKuiper; `--drain-ms` lets the virtual clock run past "
        "the last message so the final window fires too."
    ),
    new_code_cell(
        "%%kuiper_sql --feed fleet --drain-ms 60000\n"
        "SELECT deviceId, window_end() AS windowEnd, count(*) AS n,\n"
        "       round(avg(temperature), 2) AS avgTemp, max(temperature) AS maxTemp\n"
        "FROM sensors\n"
        "GROUP BY deviceId, TUMBLINGWINDOW(ss, 60)\n"
        "ORDER BY deviceId"
    ),
    new_markdown_cell(
        "## 5. Hot reload, and a plugin that fails\n\n"
        "Running a `%%kuiper_function` cell again replaces the plugin. This version raises for "
        "dry air: the rule goes on, and each failing row becomes an error record carrying the "
        "plugin's own traceback."
    ),
    new_code_cell(
        "%%kuiper_function DewPoint\n"
        "import math\n"
        "from ekuiper import Function\n"
        "\n"
        "class DewPointFunc(Function):\n"
        "    def validate(self, args):\n"
        '        return ""\n'
        "\n"
        "    def exec(self, args, ctx):\n"
        "        t, rh = args\n"
        "        if rh < 40:\n"
        '            raise ValueError(f"humidity {rh} is too low for this sensor model")\n'
        "        g = math.log(rh / 100) + 17.62 * t / (243.12 + t)\n"
        "        return round(243.12 * g / (17.62 - g), 2)\n"
        "\n"
        "    def is_aggregate(self):\n"
        "        return False\n"
        "\n"
        "DewPoint = DewPointFunc()"
    ),
    new_code_cell('rows = [{"t": 21.5, "h": 55}, {"t": 24.0, "h": 30}, {"t": 19.0, "h": 80}]'),
    new_code_cell(
        "%%kuiper_sql --feed rows\n"
        "SELECT t, h, dewPoint(t, h) AS dew FROM readings"
    ),
    new_markdown_cell(
        "Two rows came through. The dry one (`h` 30) became the error record under the "
        "table, with the plugin's own traceback; the result's `errors` list holds the records."
    ),
]


NAME = "01-quickstart"


def main() -> None:
    print(write(NAME, CELLS))


if __name__ == "__main__":
    main()
