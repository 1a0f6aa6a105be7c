"""modbusSim: a Modbus-like device simulator, as an eKuiper source plugin.

Each poll reads the configured holding registers of one simulated unit and emits
one message: register values (raw 16-bit integers times ``scale``), the unit and a
poll sequence number. Values follow a bounded random walk seeded by ``seed``, so
a given conf always yields the same messages. The stream's DATASOURCE names the
device (``deviceId``). Conf (``modbusSim.yaml``): ``interval`` (ms between polls),
``seed``, ``unitId``, ``count`` (polls before stopping; 0 = until closed),
``registers`` (list of ``{name, address, min, max, scale}``).
"""

from __future__ import annotations

import random
import threading
from typing import Any

from ekuiper import Context, Source

_DEFAULT_REGISTERS = [
    {"name": "temperature", "address": 40001, "min": 15.0, "max": 35.0, "scale": 0.1},
    {"name": "humidity", "address": 40002, "min": 20.0, "max": 90.0, "scale": 0.1},
]


class _Register:
    """One holding register: a 16-bit raw value scaled to engineering units."""

    def __init__(self, spec: dict[str, Any], rng: random.Random) -> None:
        self.name = str(spec["name"])
        self.address = int(spec.get("address", 40001))
        self.scale = float(spec.get("scale", 1.0))
        self.low = int(float(spec.get("min", 0.0)) / self.scale)
        self.high = int(float(spec.get("max", 100.0)) / self.scale)
        if not 0 <= self.low <= self.high <= 0xFFFF:
            raise ValueError(
                f"register {self.name}: min/max over scale must fit 0..65535 "
                f"(got {self.low}..{self.high}); change min, max or scale"
            )
        self.raw = rng.randint(self.low, self.high)

    def step(self, rng: random.Random) -> float:
        span = max((self.high - self.low) // 50, 1)
        self.raw = min(self.high, max(self.low, self.raw + rng.randint(-span, span)))
        return round(self.raw * self.scale, 6)


class ModbusSimSource(Source):  # type: ignore[misc]
    def __init__(self) -> None:
        self._stop = threading.Event()
        self.device = ""
        self.interval = 1.0
        self.count = 0
        self.unit = 1
        self.seed = 0
        self.specs: list[dict[str, Any]] = _DEFAULT_REGISTERS

    def configure(self, datasource: str, conf: dict[str, Any]) -> None:
        # eKuiper gives a Python source its DATASOURCE in conf["datasource"] (the first
        # argument arrives empty from eKuiper's portable runtime)
        self.device = datasource or str(conf.get("datasource") or "") or "modbus"
        self.interval = float(conf.get("interval", 1000)) / 1000
        self.count = int(conf.get("count", 0))
        self.unit = int(conf.get("unitId", 1))
        self.seed = int(conf.get("seed", 0))
        self.specs = list(conf.get("registers") or _DEFAULT_REGISTERS)
        if self.interval < 0:
            raise ValueError(f"interval must be >= 0 ms, got {conf.get('interval')}")
        _ = [_Register(s, random.Random(0)) for s in self.specs]  # refuse bad specs now

    def open(self, ctx: Context) -> None:
        rng = random.Random(self.seed)
        registers = [_Register(s, rng) for s in self.specs]
        seq = 0
        while not self._stop.is_set() and (self.count == 0 or seq < self.count):
            seq += 1
            message: dict[str, Any] = {"deviceId": self.device, "unitId": self.unit, "seq": seq}
            for reg in registers:
                message[reg.name] = reg.step(rng)
            ctx.emit(message, {"unitId": self.unit, "registers": [r.address for r in registers]})
            self._stop.wait(self.interval)

    def close(self, ctx: Context) -> None:
        self._stop.set()


ModbusSim = ModbusSimSource  # a class: each rule gets its own simulated device
