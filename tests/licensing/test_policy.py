# Assertions read ``expected == actual``.
from __future__ import annotations

import pytest

from partnercore import ValidationError
from partnercore.licensing import MAX_TRIAL_DAYS, LicensePolicy, LicenseState


def test_the_default_policy_is_a_fourteen_day_trial_ending_free() -> None:
    assert (14, LicenseState.FREE) == (LicensePolicy().trial_days, LicensePolicy().on_trial_end)


def test_a_trial_may_end_full_given_by_its_spelling() -> None:
    assert LicenseState.FULL == LicensePolicy(on_trial_end="full").on_trial_end


@pytest.mark.parametrize("value", ["trial", "paid", None])
def test_a_trial_can_only_end_free_or_full(value: object) -> None:
    with pytest.raises(ValidationError) as raised:
        LicensePolicy(on_trial_end=value)
    assert "on_trial_end" == raised.value.problems[0].path


@pytest.mark.parametrize("value", [0, -1, MAX_TRIAL_DAYS + 1, 14.0, "14", True, None])
def test_trial_days_must_be_a_whole_number_of_days_in_range(value: object) -> None:
    with pytest.raises(ValidationError) as raised:
        LicensePolicy(trial_days=value)  # type: ignore[arg-type]
    assert "trial_days" == raised.value.problems[0].path


def test_a_policy_is_immutable() -> None:
    policy = LicensePolicy()
    with pytest.raises(AttributeError):
        policy.trial_days = 30  # type: ignore[misc]
