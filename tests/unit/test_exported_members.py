"""The public API is exactly what ``__all__`` says (httpx's habit)."""

from __future__ import annotations

import kuiper_dev


def test_all_is_sorted_and_complete() -> None:
    public = {n for n in dir(kuiper_dev) if not n.startswith("_")} - {"annotations"}
    modules = {n for n in public if type(getattr(kuiper_dev, n)).__name__ == "module"}
    assert sorted(kuiper_dev.__all__) == kuiper_dev.__all__
    assert set(kuiper_dev.__all__) == public - modules
