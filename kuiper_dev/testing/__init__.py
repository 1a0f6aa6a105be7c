"""Testing tools for plugin authors: rule-test cases and the pytest plugin."""

from __future__ import annotations

from .ruletest import CaseOutcome, RuleTestCase, load_case, run_case

__all__ = ["CaseOutcome", "RuleTestCase", "load_case", "run_case"]
