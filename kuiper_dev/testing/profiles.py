"""Hypothesis profiles for plugin tests: ``ci`` (derandomized, bounded) and ``dev`` (more).

Registered on import (the pytest plugin and the CLI import it); pick one with
``pytest --hypothesis-profile=ci`` or ``HYPOTHESIS_PROFILE=ci``.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

__all__ = ["PROFILES", "load_profile_from_env"]

PROFILES: dict[str, settings] = {
    # Hypothesis has a built-in "ci" profile (derandomized, no database); ours
    # also bounds the work so a CI run's time does not grow with the plugins
    "ci": settings(
        derandomize=True,
        max_examples=50,
        stateful_step_count=10,
        deadline=None,
        database=None,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow],
    ),
    # explicit: under CI=true Hypothesis' own defaults are derandomized, and a new
    # profile inherits them
    "dev": settings(
        max_examples=1000, stateful_step_count=50, deadline=None, derandomize=False
    ),
}

for _name, _profile in PROFILES.items():
    settings.register_profile(_name, _profile)


def load_profile_from_env() -> str | None:
    """Load the profile named by ``HYPOTHESIS_PROFILE``, if any; its name.

    >>> load_profile_from_env() in (None, "ci", "dev", "default")
    True
    """
    name = os.environ.get("HYPOTHESIS_PROFILE")
    if name:
        settings.load_profile(name)
    return name
