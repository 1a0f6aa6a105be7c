"""datetime functions (docs/en_US/sqls/functions/datetime): filled in by issue 4."""

from __future__ import annotations
