"""Time: clocks, aware instants, IANA zones and billing periods."""

from partnercore.time._clock import Clock, FixedClock, SystemClock
from partnercore.time._period import BillingPeriod, period_key
from partnercore.time._span import Span
from partnercore.time._zones import (
    add_calendar_days,
    check_timezone,
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
    "Span",
    "SystemClock",
    "add_calendar_days",
    "check_timezone",
    "ensure_aware",
    "format_instant",
    "local_date",
    "local_midnight",
    "period_key",
    "resolve_timezone",
    "validate_timezone",
]
