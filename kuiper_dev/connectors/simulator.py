"""A seeded fleet of simulated sensors publishing MQTT-like JSON messages.

The same seed always gives the same messages, so notebooks and tests that run
over a simulation are deterministic.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

import orjson

from .._types import Message

__all__ = ["SensorFleet"]


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
