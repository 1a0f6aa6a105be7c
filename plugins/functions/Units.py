"""units: temperature unit conversions, a function plugin exporting two functions.

eKuiper looks a plugin's functions up by name with an upper-case first letter:
``celsiusToFahrenheit`` is symbol ``CelsiusToFahrenheit``. ``functions/units.json``
lists them, as eKuiper's plugin metadata does.
"""

from __future__ import annotations

from typing import Any

from ekuiper import Context, Function


class _Convert(Function):  # type: ignore[misc]
    name = ""

    def validate(self, args: list[Any]) -> str:
        if len(args) != 1:
            return f"{self.name} takes 1 argument (a temperature), got {len(args)}"
        return ""

    def exec(self, args: list[Any], ctx: Context) -> Any:
        value = args[0]
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"{self.name}: expected a number, got {value!r}")
        return round(self.convert(float(value)), 2)

    def convert(self, value: float) -> float:
        raise NotImplementedError

    def is_aggregate(self) -> bool:
        return False


class CelsiusToFahrenheit(_Convert):
    name = "celsiusToFahrenheit"

    def convert(self, value: float) -> float:
        return value * 9 / 5 + 32


class FahrenheitToCelsius(_Convert):
    name = "fahrenheitToCelsius"

    def convert(self, value: float) -> float:
        return (value - 32) * 5 / 9
