"""The values of the command line's options, checked: instants, periods, permissions..."""

from __future__ import annotations

from datetime import datetime

from partnercore.cli._parser import PERMISSIONS, BadInput

TYPE_CHECKING = False
if TYPE_CHECKING:
    from partnercore.time import BillingPeriod

__all__ = ["instant", "period", "periods", "permission", "revision", "timeout"]


def instant(flag: str, text: str) -> datetime:
    """An ISO 8601 datetime with an offset, or ``now`` (the system clock, in UTC)."""
    from partnercore.time import SystemClock, ensure_aware

    if text.strip().lower() == "now":
        return SystemClock().now()
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise BadInput(f"{flag}: not an ISO 8601 datetime: {text!r}") from None
    if value.tzinfo is None:
        example = text if "T" in text else f"{text}T00:00:00"
        raise BadInput(
            f"{flag}: naive datetime {text!r} rejected: give it an offset, e.g. {example}Z"
        )
    return ensure_aware(value, flag)


def permission(text: str) -> str:
    """``--permission``: one of the library's permissions, by value."""
    from partnercore.tenancy import Permission

    try:
        return Permission(text).value
    except ValueError:
        expected = ", ".join(PERMISSIONS)
        raise BadInput(
            f"--permission: unknown permission {text!r}; expected one of {expected}"
        ) from None


def periods(text: str) -> tuple[BillingPeriod, BillingPeriod | None]:
    """``--period`` of ``bill``: ``YYYY-MM`` (the second is ``None``) or ``YYYY-MM..YYYY-MM``."""
    from partnercore._errors import ValidationError
    from partnercore.time import BillingPeriod

    first, dots, last = text.partition("..")
    expected = "expected YYYY-MM or YYYY-MM..YYYY-MM"
    try:
        start = BillingPeriod.parse(first)
        stop = BillingPeriod.parse(last) if dots else None
    except ValidationError:
        raise BadInput(f"--period: {expected}, got {text!r}") from None
    if stop is not None and stop < start:
        raise BadInput(f"--period: {stop.key} is before {start.key} in {text!r}")
    return start, stop


def period(text: str) -> BillingPeriod:
    """``--period``: one ``YYYY-MM``."""
    from partnercore._errors import ValidationError
    from partnercore.time import BillingPeriod

    try:
        return BillingPeriod.parse(text)
    except ValidationError:
        raise BadInput(f"--period: expected YYYY-MM, got {text!r}") from None


def revision(text: str) -> int:
    """``--since``: a revision, a whole number from 0."""
    if not text.isascii() or not text.isdigit():
        raise BadInput(f"--since: expected a revision (a whole number >= 0), got {text!r}")
    return int(text)


def timeout(text: str) -> float:
    """``--timeout``: seconds from 0 to a day."""
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= 86_400:
        raise BadInput(f"--timeout: expected a number of seconds from 0 to 86400, got {text!r}")
    return seconds
