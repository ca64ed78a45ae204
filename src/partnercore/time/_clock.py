"""Clocks: where "now" comes from. Domain code never reads the wall clock itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

from partnercore._errors import ValidationError
from partnercore.time._zones import ensure_aware

__all__ = ["Clock", "FixedClock", "SystemClock"]


@runtime_checkable
class Clock(Protocol):
    """Anything with a ``now()`` that returns an aware datetime."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real time, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def __repr__(self) -> str:
        return "SystemClock()"


class FixedClock:
    """A clock that stands still until moved: for tests and notebooks."""

    def __init__(self, at: datetime) -> None:
        self._now = ensure_aware(at, "at")

    def now(self) -> datetime:
        return self._now

    def set(self, at: datetime) -> None:
        self._now = ensure_aware(at, "at")

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        """Move forward by ``delta`` or by ``timedelta(**kwargs)``; returns the new now."""
        if delta is not None and not isinstance(delta, timedelta):
            raise ValidationError.at("delta", f"expected a timedelta, got {delta!r}")
        if delta is not None and kwargs:
            raise ValidationError.at("delta", "give a timedelta or keyword units, not both")
        try:
            step = delta if delta is not None else timedelta(**kwargs)
            self._now = self._now + step
        except (TypeError, OverflowError) as error:
            raise ValidationError.at("delta", f"cannot advance the clock: {error}") from None
        return self._now

    def __repr__(self) -> str:
        return f"FixedClock({self._now.isoformat()!r})"
