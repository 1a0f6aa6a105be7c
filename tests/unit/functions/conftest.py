"""Built-in function tests run with eKuiper's time zone fixed to UTC."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kuiper_dev.go import set_time_zone


@pytest.fixture(autouse=True)
def utc_zone() -> Iterator[None]:
    """Times print and parse in UTC, as eKuiper with ``basic.timezone: UTC``."""
    set_time_zone("UTC")
    yield
    set_time_zone(None)
