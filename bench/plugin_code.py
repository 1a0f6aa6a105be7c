"""The bench's function plugin as source text, in a module that imports nothing.

The bare peers build the same plugin as kuiper_dev's jobs; importing it from here
keeps kuiper_dev out of their processes, so their peak RSS is their own.
"""

from __future__ import annotations

PLAIN_ABS = (
    "class _Abs:\n"
    "    def validate(self, args): return ''\n"
    "    def is_aggregate(self): return False\n"
    "    def exec(self, args, ctx):\n"
    "        v = args[0]\n"
    "        return None if v is None else abs(v) * {scale}\n"
    "PlainAbs = _Abs()\n"
)
"""``plainAbs``: abs times ``{scale}`` (a hot reload changes the scale)."""
