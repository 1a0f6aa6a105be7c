"""Bug: an aggregate whose answer depends on the order of the group's rows."""

from ekuiper import Function


class _FirstSeen(Function):
    def validate(self, args):
        return "" if len(args) == 1 else "firstSeen takes one argument"

    def exec(self, args, ctx):
        return args[0][0] if args[0] else None

    def is_aggregate(self):
        return True


FirstSeen = _FirstSeen()
