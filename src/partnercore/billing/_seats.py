"""Advisor seats: who held ``advisor`` or ``partner_admin`` on the partner team, and when (§5)."""

from __future__ import annotations

from datetime import datetime

import attrs

from partnercore._errors import ValidationError
from partnercore._fields import id_validator, optional_instant
from partnercore.time import ensure_aware

__all__ = ["SeatHolding"]


def _start(value: object) -> datetime:
    return ensure_aware(value, "start")


def _end(value: object) -> datetime | None:
    return optional_instant(value, "end")


@attrs.frozen
class SeatHolding:
    """A user holding an advisor seat (``advisor`` or ``partner_admin``) over ``[start, end)``."""

    user_id: str = attrs.field(validator=id_validator)
    start: datetime = attrs.field(converter=_start)
    end: datetime | None = attrs.field(default=None, converter=_end)

    def __attrs_post_init__(self) -> None:
        if self.end is not None and self.end < self.start:
            raise ValidationError.at("end", "a seat cannot end before it starts")

    @property
    def interval(self) -> tuple[datetime, datetime | None]:
        return (self.start, self.end)
