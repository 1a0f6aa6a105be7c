"""Simulated sensors: the seeded :class:`SensorFleet` and the named scenarios.

The same seed always gives the same messages, so notebooks and tests that run
over a simulation are deterministic. Built-in scenarios (:data:`SCENARIOS`) are
``fleet`` and one ``fleet-<fault>`` per named fault (``fleet-late``,
``fleet-out-of-order``, ...), plus ``fleet-chaos`` with all of them; a scenario
may also come from a small YAML or JSON file (:func:`load_scenario`)::

    extends: fleet            # optional: start from a built-in scenario
    devices: 5
    count: 1000
    topic: plant/{device}/telemetry
    fields:
      temperature: {base: 22, noise: 0.3, period_ms: 600000, amplitude: 2}
      pressure: {base: 1013, noise: 1, decimals: 0}
    faults:
      late: {rate: 0.05, min_ms: 5000}
      duplicate: {}
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from types import MappingProxyType, UnionType
from typing import Any, Literal, get_args, get_origin, get_type_hints

import orjson
import yaml

from .._types import Message
from ..errors import ScenarioError, did_you_mean
from .faults import FAULTS, ClockSkew, Dropout, Duplicate, Fault, Late, Malformed, OutOfOrder
from .scenarios import Scenario, Signal

__all__ = ["SCENARIOS", "SensorFleet", "get_scenario", "load_scenario", "scenario_from_dict"]


@dataclass(frozen=True, slots=True)
class SensorFleet:
    """``devices`` sensors, each reporting temperature and humidity every ``interval_ms``.

    Temperatures random-walk around 22 °C with an occasional spike past 30 °C, so
    threshold rules have something to find. Messages go to ``topic`` with
    ``{device}`` replaced by the device id; ``ts`` in the payload is the send time.

    >>> msgs = list(SensorFleet(devices=2, count=3, seed=1))
    >>> [m.topic for m in msgs]
    ['sensors/sensor-1', 'sensors/sensor-2', 'sensors/sensor-1']
    """

    devices: int = 3
    count: int = 100
    seed: int = 42
    interval_ms: int = 1000
    start_ms: int = 1_700_000_000_000
    topic: str = "sensors/{device}"
    spike_rate: float = 0.05

    def __post_init__(self) -> None:
        if self.devices < 1:
            raise ValueError(f"devices must be at least 1, got {self.devices}")
        if self.count < 0:
            raise ValueError(f"count must not be negative, got {self.count}")
        if self.interval_ms < 1:
            raise ValueError(f"interval_ms must be at least 1, got {self.interval_ms}")

    def __iter__(self) -> Iterator[Message]:
        rng = random.Random(self.seed)
        temps = [22.0 + rng.uniform(-2, 2) for _ in range(self.devices)]
        hums = [45.0 + rng.uniform(-5, 5) for _ in range(self.devices)]
        step = self.interval_ms / self.devices
        for i in range(self.count):
            d = i % self.devices
            ts = self.start_ms + int(i * step)
            temps[d] += rng.gauss(0, 0.4) + (22.0 - temps[d]) * 0.05
            hums[d] = min(100.0, max(0.0, hums[d] + rng.gauss(0, 0.8)))
            temperature = temps[d] + (rng.uniform(9, 17) if rng.random() < self.spike_rate else 0)
            device = f"sensor-{d + 1}"
            payload = {
                "deviceId": device,
                "temperature": round(temperature, 2),
                "humidity": round(hums[d], 2),
                "ts": ts,
            }
            yield Message(self.topic.format(device=device), orjson.dumps(payload), ts)


def _builtins() -> dict[str, Scenario]:
    fleet = Scenario(
        name="fleet",
        devices=3,
        count=600,
        fields=(
            Signal(
                "temperature",
                base=22,
                noise=0.3,
                spread=2,
                period_ms=600_000,
                amplitude=1.5,
                spike_rate=0.02,
                spike_size=12,
            ),
            Signal("humidity", base=45, noise=0.8, spread=5, drift=-0.2, low=0, high=100),
        ),
        description="3 sensors, temperature and humidity every second for 200 s, no faults",
    )
    one_each: tuple[Fault, ...] = (
        Late(),
        OutOfOrder(),
        Duplicate(),
        Malformed(),
        ClockSkew(),
        Dropout(rate=0.02),
    )
    found = {"fleet": fleet}
    for fault in one_each:
        name = "fleet-" + fault.name.replace("_", "-")
        found[name] = fleet.replace(name=name, faults=(fault,), description=f"fleet with {fault}")
    found["fleet-chaos"] = fleet.replace(
        name="fleet-chaos", faults=one_each, description="fleet with every fault at once"
    )
    return found


SCENARIOS: Mapping[str, Scenario] = MappingProxyType(_builtins())
"""The built-in scenarios by name."""


def get_scenario(name_or_path: str | os.PathLike[str]) -> Scenario:
    """A built-in scenario by name, or one loaded from a ``.yaml``/``.yml``/``.json`` file.

    >>> get_scenario("fleet-late").faults
    (Late(rate=0.05, min_ms=5000, max_ms=15000),)
    """
    text = os.fspath(name_or_path)
    if text in SCENARIOS:
        return SCENARIOS[text]
    if Path(text).suffix.lower() in (".yaml", ".yml", ".json") or Path(text).is_file():
        return load_scenario(text)
    raise ScenarioError(
        f'scenario "{text}" not found.{did_you_mean(text, SCENARIOS)} The built-in ones are '
        f"{', '.join(SCENARIOS)}; or give a .yaml or .json scenario file"
    )


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """The scenario a YAML or JSON file describes (format in the module's docstring)."""
    where = Path(path)
    try:
        data = yaml.safe_load(where.read_text(encoding="utf-8"))
    except OSError as e:
        raise ScenarioError(
            f"cannot read scenario file {where}: {e.strerror}; check the path"
        ) from None
    except yaml.YAMLError as e:
        raise ScenarioError(
            f"scenario file {where} is not valid YAML or JSON: {e}; fix its syntax"
        ) from None
    if not isinstance(data, dict):
        raise ScenarioError(
            f"scenario file {where} must hold a mapping of settings such as devices: 3"
        )
    data.setdefault("name", where.stem.removesuffix(".scenario"))
    return scenario_from_dict(data, where=str(where))


_SCALARS = {f.name for f in fields(Scenario)} - {"fields", "faults"}


def scenario_from_dict(data: Mapping[str, Any], *, where: str = "scenario") -> Scenario:
    """A scenario from plain data: the settings of :class:`Scenario`, ``fields`` as a
    mapping of field name to signal settings, ``faults`` as a mapping of fault name to
    its settings, and optionally ``extends``, a built-in scenario to start from.

    >>> s = scenario_from_dict({"extends": "fleet", "count": 5, "faults": {"dropout": {"rate": 0.5}}})
    >>> s.count, s.faults
    (5, (Dropout(rate=0.5, duration_ms=30000),))
    """
    known = [*_SCALARS, "fields", "faults", "extends"]
    for key in data:
        if key not in known:
            raise ScenarioError(
                f'{where}: unknown setting "{key}".{did_you_mean(str(key), known)} '
                f"Settings are {', '.join(sorted(known))}"
            )
    base = Scenario()
    if "extends" in data:
        name = str(data["extends"])
        if name not in SCENARIOS:
            raise ScenarioError(
                f'{where}: extends "{name}", which is no built-in scenario.'
                f"{did_you_mean(name, SCENARIOS)} Pick one of {', '.join(SCENARIOS)}"
            )
        base = SCENARIOS[name]
    changes: dict[str, Any] = {k: v for k, v in data.items() if k in _SCALARS}
    _check_types(Scenario, where, changes)
    if "fields" in data:
        signals = []
        for n, s in _mapping(data["fields"], where, "fields").items():
            if not isinstance(n, str):
                raise ScenarioError(f"{where}: field name {n!r} must be text; quote it")
            signals.append(
                _build(Signal, f"{where}: field {n}", {"name": n, **_settings(s, where, n)})
            )
        changes["fields"] = tuple(signals)
    if "faults" in data:
        found = []
        for n, s in _mapping(data["faults"], where, "faults").items():
            kind = FAULTS.get(str(n).replace("-", "_"))
            if kind is None:
                raise ScenarioError(
                    f'{where}: unknown fault "{n}".{did_you_mean(str(n), FAULTS)} '
                    f"Faults are {', '.join(FAULTS)}"
                )
            settings = _settings(s, where, n)
            if "kinds" in settings and isinstance(settings["kinds"], list):
                settings["kinds"] = tuple(settings["kinds"])
            found.append(_build(kind, f"{where}: fault {n}", settings))
        changes["faults"] = tuple(found)
    try:
        return base.replace(**changes)
    except (TypeError, ValueError) as e:
        raise ScenarioError(f"{where}: {e}; fix that setting") from None


def _mapping(value: Any, where: str, key: str) -> Mapping[Any, Any]:
    if not isinstance(value, Mapping):
        raise ScenarioError(
            f"{where}: {key} must be a mapping of name to settings, as name: {{...}}"
        )
    return value


def _settings(value: Any, where: str, name: object) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ScenarioError(
            f"{where}: {name} must be a mapping of settings (or empty), got {value!r}"
        )
    return dict(value)


def _build(kind: Any, what: str, settings: dict[str, Any]) -> Any:
    allowed = [f.name for f in fields(kind)]
    for key in settings:
        if key not in allowed:
            raise ScenarioError(
                f'{what}: unknown setting "{key}".{did_you_mean(str(key), allowed)} '
                f"Settings are {', '.join(a for a in allowed if a != 'name')}"
            )
    _check_types(kind, what, settings)
    try:
        return kind(**settings)
    except (TypeError, ValueError) as e:
        raise ScenarioError(f"{what}: {e}; fix that setting") from None


def _check_types(kind: Any, what: str, settings: Mapping[str, Any]) -> None:
    hints = get_type_hints(kind)
    for key, value in settings.items():
        hint = hints[key]
        if not _fits(value, hint):
            shown = getattr(hint, "__name__", None) or str(hint).replace("typing.", "")
            raise ScenarioError(f"{what}: {key} must be {shown}, got {value!r}; fix that setting")


def _fits(value: Any, hint: Any) -> bool:
    options = get_args(hint) if isinstance(hint, UnionType) else (hint,)
    for option in options:
        if option is type(None) and value is None:
            return True
        if option is int and type(value) is int:
            return True
        if option is float and type(value) in (int, float):
            return True
        if option is str and isinstance(value, str):
            return True
        if get_origin(option) is tuple and isinstance(value, tuple | list):
            return True  # element checks are the config's own (__post_init__)
        if get_origin(option) is Literal and value in get_args(option):
            return True
    return False
