"""Licence intervals: a state held over a half-open span of time."""

from __future__ import annotations

from datetime import datetime, timedelta

import attrs

from partnercore._errors import ValidationError
from partnercore._fields import optional_instant, to_enum
from partnercore.licensing._states import LicenseState
from partnercore.time import ensure_aware, format_instant

__all__ = ["LicenseInterval"]


def _state(value: object) -> LicenseState:
    return to_enum(LicenseState, value, "state")


def _start(value: object) -> datetime:
    return ensure_aware(value, "start")


def _end(value: object) -> datetime | None:
    return optional_instant(value, "end")


@attrs.frozen
class LicenseInterval:
    """``state`` held over ``[start, end)``; ``end=None`` means open-ended."""

    state: LicenseState = attrs.field(converter=_state)
    start: datetime = attrs.field(converter=_start)
    end: datetime | None = attrs.field(default=None, converter=_end)

    def __attrs_post_init__(self) -> None:
        if self.end is not None and self.end <= self.start:
            raise ValidationError.at(
                "end", f"must be after start {self.start.isoformat()}, got {self.end.isoformat()}"
            )

    @property
    def duration(self) -> timedelta | None:
        """The real length (``None`` when open-ended)."""
        return None if self.end is None else self.end - self.start

    def __str__(self) -> str:
        until = "..." if self.end is None else format_instant(self.end)
        return f"{self.state.value:<5} {format_instant(self.start)} .. {until}"

    def contains(self, instant: datetime) -> bool:
        at = ensure_aware(instant, "instant")
        return self.start <= at and (self.end is None or at < self.end)
