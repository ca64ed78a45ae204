"""Recorded licence events: what was decided, when, and when it takes effect."""

from __future__ import annotations

from datetime import datetime

import attrs

from partnercore._errors import ValidationError
from partnercore._fields import to_enum
from partnercore.licensing._states import LicenseEventKind, LicenseState
from partnercore.time import ensure_aware

__all__ = ["LicenseEvent"]

#: For each event, the states it may lead to (the §4 table, whatever the state before).
_OUTCOMES: dict[LicenseEventKind, frozenset[LicenseState]] = {
    LicenseEventKind.REQUEST_UPGRADE: frozenset({LicenseState.TRIAL, LicenseState.FULL}),
    LicenseEventKind.UPGRADE: frozenset({LicenseState.FULL}),
    LicenseEventKind.CONVERT: frozenset({LicenseState.FULL}),
    LicenseEventKind.CANCEL_TRIAL: frozenset({LicenseState.FREE}),
    LicenseEventKind.DOWNGRADE: frozenset({LicenseState.FREE}),
}


def _kind(value: object) -> LicenseEventKind:
    return to_enum(LicenseEventKind, value, "kind")


def _to(value: object) -> LicenseState:
    return to_enum(LicenseState, value, "to")


def _at(value: object) -> datetime:
    return ensure_aware(value, "at")


def _effective_at(value: object) -> datetime:
    return ensure_aware(value, "effective_at")


@attrs.frozen(kw_only=True)
class LicenseEvent:
    """One recorded event of a licence.

    ``at`` is when the event happened (events of a licence are chronological by ``at``);
    ``to`` is the state it decided (``request_upgrade`` leads to ``trial`` or ``full``
    depending on whether the organisation's trial was used, so the outcome is recorded);
    ``effective_at`` is when that state begins: ``at``, except for a downgrade at the end of
    the billing period, which takes effect at the start of the next period.
    """

    kind: LicenseEventKind = attrs.field(converter=_kind)
    at: datetime = attrs.field(converter=_at)
    to: LicenseState = attrs.field(converter=_to)
    effective_at: datetime = attrs.field(
        converter=_effective_at, default=attrs.Factory(lambda self: self.at, takes_self=True)
    )

    def __attrs_post_init__(self) -> None:
        if self.to not in _OUTCOMES[self.kind]:
            allowed = " or ".join(sorted(s.value for s in _OUTCOMES[self.kind]))
            raise ValidationError.at(
                "to", f"{self.kind.value} leads to {allowed}, not {self.to.value!r}"
            )
        if self.effective_at < self.at:
            raise ValidationError.at("effective_at", "must not be before at")
        if self.effective_at != self.at and self.kind is not LicenseEventKind.DOWNGRADE:
            raise ValidationError.at(
                "effective_at", f"only a downgrade can take effect later, not {self.kind.value}"
            )

    @property
    def deferred(self) -> bool:
        """Whether the event takes effect after it happened (a downgrade at period end)."""
        return self.effective_at != self.at
