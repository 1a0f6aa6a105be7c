"""The public API is exactly what ``__all__`` says (httpx's habit)."""

from __future__ import annotations

from types import ModuleType

import pytest

import kuiper_dev
import kuiper_dev.go
import kuiper_dev.gotemplate


@pytest.mark.parametrize("package", [kuiper_dev, kuiper_dev.go, kuiper_dev.gotemplate])
def test_all_is_sorted_and_complete(package: ModuleType) -> None:
    public = {n for n in dir(package) if not n.startswith("_")} - {"annotations"}
    modules = {n for n in public if type(getattr(package, n)).__name__ == "module"}
    assert sorted(package.__all__) == package.__all__
    assert set(package.__all__) == public - modules
