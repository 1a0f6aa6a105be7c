"""Correct: half of a number, None for null."""

from ekuiper import Function


class _Halve(Function):
    def validate(self, args):
        return "" if len(args) == 1 else "halve takes one argument"

    def exec(self, args, ctx):
        return None if args[0] is None else args[0] / 2

    def is_aggregate(self):
        return False


Halve = _Halve()
