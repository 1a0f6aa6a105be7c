"""A function plugin exported as an instance: revert(text) reverses its argument."""

from typing import Any

from ekuiper import Context, Function


class RevertFunc(Function):
    def validate(self, args: list[Any]) -> str:
        return "" if len(args) == 1 else "revert takes exactly one argument"

    def exec(self, args: list[Any], ctx: Context) -> Any:
        if args[0] == "boom":
            raise ValueError("revert cannot take boom")
        return str(args[0])[::-1]

    def is_aggregate(self) -> bool:
        return False


Revert = RevertFunc()
