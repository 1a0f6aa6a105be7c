"""heatIndex(temperature °C, relative humidity %) -> apparent temperature in °C.

The US National Weather Service's Rothfusz regression, with its published
adjustments, as an eKuiper function plugin written against the ``ekuiper`` SDK.
Below 26.7 °C (80 °F) the simple Steadman formula applies.
"""

from __future__ import annotations

from typing import Any

from ekuiper import Context, Function


def _heat_index_f(t: float, rh: float) -> float:
    simple = 0.5 * (t + 61.0 + (t - 68.0) * 1.2 + rh * 0.094)
    if (simple + t) / 2 < 80.0:
        return simple
    hi = (
        -42.379
        + 2.04901523 * t
        + 10.14333127 * rh
        - 0.22475541 * t * rh
        - 0.00683783 * t * t
        - 0.05481717 * rh * rh
        + 0.00122874 * t * t * rh
        + 0.00085282 * t * rh * rh
        - 0.00000199 * t * t * rh * rh
    )
    if rh < 13 and 80 <= t <= 112:
        hi -= ((13 - rh) / 4) * ((17 - abs(t - 95.0)) / 17) ** 0.5
    elif rh > 85 and 80 <= t <= 87:
        hi += ((rh - 85) / 10) * ((87 - t) / 5)
    return hi


class HeatIndexFunc(Function):  # type: ignore[misc]
    def validate(self, args: list[Any]) -> str:
        if len(args) != 2:
            return f"heatIndex takes 2 arguments (temperature, humidity), got {len(args)}"
        return ""

    def exec(self, args: list[Any], ctx: Context) -> Any:
        temperature, humidity = args
        if temperature is None or humidity is None:
            return None
        t_f = float(temperature) * 9 / 5 + 32
        hi_c = (_heat_index_f(t_f, float(humidity)) - 32) * 5 / 9
        return round(hi_c, 1)

    def is_aggregate(self) -> bool:
        return False


HeatIndex = HeatIndexFunc()
