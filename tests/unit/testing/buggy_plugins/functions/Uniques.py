"""Bug: returns a set, which the SDK's json.dumps cannot write."""

from ekuiper import Function


class _Uniques(Function):
    def validate(self, args):
        return "" if len(args) == 1 else "uniques takes one argument"

    def exec(self, args, ctx):
        return set(args[0] or [])

    def is_aggregate(self):
        return False


Uniques = _Uniques()
