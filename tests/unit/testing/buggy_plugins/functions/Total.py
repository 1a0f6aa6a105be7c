"""Correct: an order-free aggregate (the sum of integers, nulls skipped)."""

from ekuiper import Function


class _Total(Function):
    def validate(self, args):
        return "" if len(args) == 1 else "total takes one argument"

    def exec(self, args, ctx):
        return sum(v for v in args[0] if v is not None)

    def is_aggregate(self):
        return True


Total = _Total()
