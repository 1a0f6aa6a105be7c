"""Rule options read as eKuiper reads them (``internal/pkg/def/rule.go``)."""

from __future__ import annotations

import pytest

from kuiper_dev.engine import RuleOptions
from kuiper_dev.errors import PlanError


@pytest.mark.parametrize(
    ("given", "ms"), [(500, 500), (2000.0, 2000), ("1s", 1000), ("1m30s", 90_000), ("250ms", 250)]
)
def test_late_tolerance_is_milliseconds_or_go_duration_text(given: object, ms: int) -> None:
    assert RuleOptions.from_dict({"lateTolerance": given}).late_tolerance == ms


@pytest.mark.parametrize("given", ["soon", "5", 1.5, True, [1]])
def test_a_late_tolerance_that_is_no_duration_is_refused_with_the_forms_it_takes(
    given: object,
) -> None:
    with pytest.raises(PlanError, match="lateTolerance") as err:
        RuleOptions.from_dict({"lateTolerance": given})
    assert "milliseconds" in str(err.value)


def test_send_nil_field_is_ekuipers_name_for_keeping_nulls() -> None:
    assert RuleOptions.from_dict({"sendNilField": True}).send_nil
    assert not RuleOptions.from_dict({}).send_nil
