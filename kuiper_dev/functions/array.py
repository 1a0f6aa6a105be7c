"""array functions (docs/en_US/sqls/functions/array): filled in by issue 4."""

from __future__ import annotations
