"""A function plugin holding two functions (listed in tally.json): total (aggregate) and twice."""

from typing import Any

from ekuiper import Context, Function


class Total(Function):
    def validate(self, args: list[Any]) -> str:
        return ""

    def exec(self, args: list[Any], ctx: Context) -> Any:
        return sum(args[0])

    def is_aggregate(self) -> bool:
        return True


class Twice(Function):
    def validate(self, args: list[Any]) -> str:
        return ""

    def exec(self, args: list[Any], ctx: Context) -> Any:
        return args[0] * 2

    def is_aggregate(self) -> bool:
        return False
