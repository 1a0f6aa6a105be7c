"""transform functions (docs/en_US/sqls/functions/transform): filled in by issue 4."""

from __future__ import annotations
