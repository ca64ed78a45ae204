"""Time: clocks, aware instants, IANA zones and billing periods."""

from partnercore.time._clock import Clock, FixedClock, SystemClock
from partnercore.time._period import BillingPeriod
from partnercore.time._zones import (
    add_calendar_days,
    ensure_aware,
    format_instant,
    local_date,
    local_midnight,
    resolve_timezone,
    validate_timezone,
)

__all__ = [
    "BillingPeriod",
    "Clock",
    "FixedClock",
    "SystemClock",
    "add_calendar_days",
    "ensure_aware",
    "format_instant",
    "local_date",
    "local_midnight",
    "resolve_timezone",
    "validate_timezone",
]
