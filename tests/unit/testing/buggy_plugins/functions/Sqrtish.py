"""Bug: math.sqrt raises on a negative number."""

import math

from ekuiper import Function


class _Sqrtish(Function):
    def validate(self, args):
        return "" if len(args) == 1 else "sqrtish takes one argument"

    def exec(self, args, ctx):
        return math.sqrt(args[0])

    def is_aggregate(self):
        return False


Sqrtish = _Sqrtish()
