"""object functions (docs/en_US/sqls/functions/object): filled in by issue 4."""

from __future__ import annotations
