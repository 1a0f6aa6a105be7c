"""Seeded simulation scenarios: a fleet of devices whose fields follow signal specs.

A :class:`Scenario` is a frozen config and an iterable of messages in virtual
time: iterate it to feed a rule, write it with a ``RecordingWriter`` to get a
recording, or pace it onto a broker. The same config gives the same bytes on any
machine: values come from ``random.Random(seed)`` by its uniform draws and
arithmetic (no platform-dependent Gaussian), are rounded, and are encoded by
orjson. Only a periodic signal calls ``math.sin``, whose last-bit differences
between C libraries vanish in the rounding.
"""

from __future__ import annotations

import dataclasses
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .._types import Message
from .faults import ClockSkew, Fault, Reading, inject

__all__ = ["Scenario", "Signal"]


@dataclass(frozen=True, slots=True)
class Signal:
    """How one field's value moves: level, noise, drift, a wave and spikes.

    At ``t`` ms after the start, device ``d`` reads ``base + offset_d + drift * t / 60000
    + amplitude * sin(2 pi t / period_ms + phase_d) + noise * N(0, 1)``, plus now and then
    (chance ``spike_rate``) a spike of about ``spike_size``; clamped to ``low``..``high``
    and rounded to ``decimals`` (0 gives integers). ``spread`` spaces the devices'
    offsets uniformly in ``-spread..spread``; phases are random per device.

    >>> Signal("temperature", base=22, noise=0.3).drift
    0.0
    """

    name: str
    base: float = 0.0
    noise: float = 0.0
    drift: float = 0.0
    period_ms: int = 0
    amplitude: float = 0.0
    spike_rate: float = 0.0
    spike_size: float = 0.0
    spread: float = 0.0
    low: float | None = None
    high: float | None = None
    decimals: int = 2

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("a signal needs a field name")
        if self.noise < 0 or self.spread < 0 or self.period_ms < 0:
            raise ValueError(
                f"signal {self.name}: noise, spread and period_ms must not be negative"
            )
        if not 0 <= self.spike_rate <= 1:
            raise ValueError(f"signal {self.name}: spike_rate must be between 0 and 1")
        if self.decimals < 0:
            raise ValueError(f"signal {self.name}: decimals must not be negative")

    def _value(self, rng: random.Random, offset: float, phase: float, t_ms: int) -> float | int:
        # The draws are the same in number whatever the settings, so changing one
        # field's spec leaves the other fields' values unchanged.
        # Irwin-Hall: twelve uniforms make a near-normal draw by plain additions, the
        # same bits everywhere (the builtin sum() rounds differently from 3.12 on).
        normal = 0.0
        for _ in range(12):
            normal += rng.random()
        normal -= 6.0
        spike_draw, spike_scale = rng.random(), rng.random()
        value = self.base + offset + self.drift * t_ms / 60000 + self.noise * normal
        if self.period_ms:
            value += self.amplitude * math.sin(2 * math.pi * t_ms / self.period_ms + phase)
        if spike_draw < self.spike_rate:
            value += self.spike_size * (0.75 + 0.5 * spike_scale)
        if self.low is not None:
            value = max(self.low, value)
        if self.high is not None:
            value = min(self.high, value)
        return round(value) if self.decimals == 0 else round(value, self.decimals)


def _default_fields() -> tuple[Signal, ...]:
    return (
        Signal("temperature", base=22, noise=0.3, spread=2, spike_rate=0.02, spike_size=12),
        Signal("humidity", base=45, noise=0.8, spread=5, low=0, high=100),
    )


@dataclass(frozen=True, slots=True)
class Scenario:
    """``devices`` devices, each sending its ``fields`` every ``interval_ms``, with ``faults``.

    Devices are staggered evenly within the interval. The run ends after ``count``
    messages or ``duration_ms`` of event time, whichever comes first (both None:
    endless, for live traffic). ``count`` counts clean readings: ``dropout`` sends
    fewer and ``duplicate`` more. Each payload is ``{id_field: "sensor-1",
    <fields>..., ts_field: <event time>}`` on ``topic`` with ``{device}`` filled in.

    >>> s = Scenario(devices=2, count=3, fields=(Signal("v", base=1, decimals=0),))
    >>> [(m.topic, m.payload) for m in s][:2]
    [('sensors/sensor-1', b'{"deviceId":"sensor-1","v":1,"ts":1700000000000}'), \
('sensors/sensor-2', b'{"deviceId":"sensor-2","v":1,"ts":1700000000500}')]
    """

    name: str = "custom"
    devices: int = 3
    count: int | None = 100
    duration_ms: int | None = None
    interval_ms: int = 1000
    start_ms: int = 1_700_000_000_000
    topic: str = "sensors/{device}"
    device_name: str = "sensor-{n}"
    id_field: str = "deviceId"
    ts_field: str = "ts"
    fields: tuple[Signal, ...] = dataclasses.field(default_factory=_default_fields)
    faults: tuple[Fault, ...] = ()
    seed: int = 42
    description: str = ""

    def __post_init__(self) -> None:
        if self.devices < 1:
            raise ValueError(f"devices must be at least 1, got {self.devices}")
        if self.count is not None and self.count < 0:
            raise ValueError(f"count must not be negative, got {self.count}")
        if self.duration_ms is not None and self.duration_ms < 0:
            raise ValueError(f"duration_ms must not be negative, got {self.duration_ms}")
        if self.interval_ms < 1:
            raise ValueError(f"interval_ms must be at least 1, got {self.interval_ms}")
        try:
            self.topic.format(device="d")
            self.device_name.format(n=1)
        except (KeyError, IndexError, ValueError) as e:
            raise ValueError(
                f"topic and device_name may use only {{device}} and {{n}} respectively ({e!r}); "
                'write e.g. topic="sensors/{device}", device_name="sensor-{n}"'
            ) from None
        names = [self.id_field, *(f.name for f in self.fields), self.ts_field]
        if len(set(names)) != len(names):
            raise ValueError(f"field names must be distinct, got {names}")
        kinds = [f.name for f in self.faults]
        if len(set(kinds)) != len(kinds):
            raise ValueError(f"each fault may be switched on once, got {kinds}")
        for fault in self.faults:
            if isinstance(fault, ClockSkew) and fault.device > self.devices:
                raise ValueError(f"clock_skew names device {fault.device} of {self.devices}")
        if self.seed < 0:
            raise ValueError(
                f"seed must not be negative, got {self.seed} (random.Random would treat it "
                "as its absolute value); use a non-negative seed"
            )

    def with_faults(self, *faults: Fault) -> Scenario:
        """This scenario with ``faults`` switched on as well (same name replaced).

        >>> from kuiper_dev.connectors.faults import Late
        >>> [f.name for f in Scenario().with_faults(Late()).faults]
        ['late']
        """
        names = {f.name for f in faults}
        kept = tuple(f for f in self.faults if f.name not in names)
        return dataclasses.replace(self, faults=kept + tuple(faults))

    def replace(self, **changes: Any) -> Scenario:
        """A copy with ``changes``: ``fleet.replace(seed=7, count=10)``."""
        return dataclasses.replace(self, **changes)

    def __iter__(self) -> Iterator[Message]:
        return inject(
            self._readings(),
            self.faults,
            seed=self.seed,
            ts_field=self.ts_field,
            value_fields=[f.name for f in self.fields],
        )

    def _readings(self) -> Iterator[Reading]:
        rng = random.Random(self.seed)
        offsets = [
            [rng.uniform(-f.spread, f.spread) for _ in range(self.devices)] for f in self.fields
        ]
        phases = [[rng.uniform(0, 2 * math.pi) for _ in range(self.devices)] for f in self.fields]
        names = [self.device_name.format(n=d + 1) for d in range(self.devices)]
        topics = [self.topic.format(device=n) for n in names]
        end = None if self.duration_ms is None else self.start_ms + self.duration_ms
        sent = 0
        tick = 0
        while True:
            for d in range(self.devices):
                ts = self.start_ms + tick * self.interval_ms + d * self.interval_ms // self.devices
                if (self.count is not None and sent >= self.count) or (
                    end is not None and ts >= end
                ):
                    return
                row: dict[str, Any] = {self.id_field: names[d]}
                t = ts - self.start_ms
                for i, f in enumerate(self.fields):
                    row[f.name] = f._value(rng, offsets[i][d], phases[i][d], t)
                row[self.ts_field] = ts
                yield Reading(ts, d, topics[d], row)
                sent += 1
            tick += 1
