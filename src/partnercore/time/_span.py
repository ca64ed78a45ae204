"""Spans: half-open intervals of instants, ``[start, end)``, open-ended when ``end`` is None."""

from __future__ import annotations

from datetime import datetime, timedelta

import attrs

from partnercore._errors import ValidationError
from partnercore.time._zones import ensure_aware, format_instant

__all__ = ["Span"]


def _start(value: datetime) -> datetime:
    return ensure_aware(value, "start")


def _end(value: datetime | None) -> datetime | None:
    return None if value is None else ensure_aware(value, "end")


@attrs.frozen
class Span:
    """The instants from ``start`` (included) to ``end`` (excluded); ``end=None``: for ever.

    The one interval of the library: a licence state, a seat, an installed copy and a
    membership each hold over a span, and every overlap, clip and proration reads spans.
    ``end == start`` is the empty span (something that began and ended at one instant holds
    at no instant); an ``end`` before ``start`` is a :class:`ValidationError`.
    """

    start: datetime = attrs.field(converter=_start)
    end: datetime | None = attrs.field(default=None, converter=_end)

    def __attrs_post_init__(self) -> None:
        if self.end is not None and self.end < self.start:
            raise ValidationError.at(
                "end",
                f"must not be before start {format_instant(self.start)}, "
                f"got {format_instant(self.end)}",
            )

    @property
    def is_empty(self) -> bool:
        """Whether the span holds no instant (``end == start``)."""
        return self.end is not None and self.end <= self.start

    @property
    def duration(self) -> timedelta | None:
        """The real length (``None`` when open-ended)."""
        return None if self.end is None else self.end - self.start

    def contains(self, instant: datetime) -> bool:
        """Whether ``instant`` is in ``[start, end)``."""
        at = ensure_aware(instant, "instant")
        return self.start <= at and (self.end is None or at < self.end)

    def overlaps(self, start: datetime, end: datetime | None) -> bool:
        """Whether the span shares an instant with ``[start, end)``."""
        if self.is_empty or (end is not None and end <= start):
            return False
        return (end is None or self.start < end) and (self.end is None or self.end > start)

    def clip(self, start: datetime, end: datetime | None) -> Span | None:
        """The part of the span inside ``[start, end)``; ``None`` when they share no instant."""
        if not self.overlaps(start, end):
            return None
        ends = [bound for bound in (self.end, end) if bound is not None]
        return Span(max(self.start, start), min(ends) if ends else None)

    def __str__(self) -> str:
        until = "..." if self.end is None else format_instant(self.end)
        return f"{format_instant(self.start)} .. {until}"
