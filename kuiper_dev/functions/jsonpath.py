"""jsonpath functions (docs/en_US/sqls/functions/jsonpath): filled in by issue 4."""

from __future__ import annotations
