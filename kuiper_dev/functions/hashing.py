"""hashing functions (docs/en_US/sqls/functions/hashing): filled in by issue 4."""

from __future__ import annotations
