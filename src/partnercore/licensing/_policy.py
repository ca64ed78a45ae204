"""The licence policy: how long a trial lasts and what follows it."""

from __future__ import annotations

import attrs

from partnercore._errors import ValidationError
from partnercore._fields import to_enum
from partnercore.licensing._states import LicenseState

__all__ = ["MAX_TRIAL_DAYS", "LicensePolicy"]

#: The longest trial a policy accepts (about ten years).
MAX_TRIAL_DAYS = 3660


def _trial_days(_: object, __: object, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError.at("trial_days", f"expected an integer, got {value!r}")
    if not 1 <= value <= MAX_TRIAL_DAYS:
        raise ValidationError.at(
            "trial_days", f"must be between 1 and {MAX_TRIAL_DAYS}, got {value}"
        )


def _on_trial_end(value: object) -> LicenseState:
    state = to_enum(LicenseState, value, "on_trial_end")
    if state is LicenseState.TRIAL:
        raise ValidationError.at("on_trial_end", "expected free or full, got 'trial'")
    return state


@attrs.frozen
class LicensePolicy:
    """How trials work for a licence.

    ``trial_days`` calendar days in the team's time zone (default 14); ``on_trial_end`` is
    the state a trial that was neither converted nor cancelled falls into when it ends:
    ``free`` (default) or ``full`` (paid from the trial end).
    """

    trial_days: int = attrs.field(default=14, validator=_trial_days)
    on_trial_end: LicenseState = attrs.field(default=LicenseState.FREE, converter=_on_trial_end)
