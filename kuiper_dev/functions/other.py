"""other functions (docs/en_US/sqls/functions/other): filled in by issue 4."""

from __future__ import annotations
