"""Run one law under Hypothesis and keep its shrunk counterexample (private)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, Verbosity, given, settings
from hypothesis.errors import Flaky
from hypothesis.strategies import SearchStrategy

__all__ = ["FLAKY", "Broken", "LawBroken", "law_settings", "run_law"]


FLAKY = (
    "the same input broke the law once and not again: the plugin keeps state between calls "
    "(module globals, class attributes, time, randomness) that changes its answers"
)


class LawBroken(Exception):
    """Raised inside a law: ``error`` is the plugin's own exception (with traceback)."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


@dataclass(slots=True)
class Broken:
    """The shrunk input of a broken law and what the plugin did with it."""

    example: Any
    error: str


def law_settings(max_examples: int | None, *, stateful_steps: int | None = None) -> settings:
    """The current profile's settings, quiet and without deadlines (plugins may be slow)."""
    extra: dict[str, Any] = {}
    if max_examples is not None:
        extra["max_examples"] = max_examples
    if stateful_steps is not None:
        extra["stateful_step_count"] = stateful_steps
    return settings(
        deadline=None,
        database=None,
        verbosity=Verbosity.quiet,
        report_multiple_bugs=False,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        **extra,
    )


def run_law(
    strategy: SearchStrategy[Any], law: Callable[[Any], None], conf: settings
) -> tuple[Broken | None, int]:
    """Check ``law`` on examples of ``strategy``; the shrunk failure (if any) and the count run.

    Hypothesis replays the minimal failing example last, so the example and
    error kept from the last failing call are the shrunk ones.
    """
    last: list[Broken] = []
    runs = [0]

    @conf
    @given(strategy)
    def check(example: Any) -> None:
        runs[0] += 1
        try:
            law(example)
        except LawBroken as exc:
            last.append(Broken(example, exc.error))
            raise

    try:
        check()
    except LawBroken:
        return last[-1], runs[0]
    except Flaky as exc:
        example = last[-1].example if last else None
        return Broken(example, f"{FLAKY}\n{exc}"), runs[0]
    return None, runs[0]


