"""Usage records as a store would receive them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import strategies as st

from partnercore.billing import UsageRecord
from partnercore.time import BillingPeriod
from tests.strategies.time import INTERESTING_ZONES

#: Usage in these tests falls in, or just around, the last quarter of 2026.
SQLITE_USAGE_START = datetime(2026, 9, 30, tzinfo=UTC)
SQLITE_USAGE_END = datetime(2027, 1, 2, tzinfo=UTC)


def usage_quantities() -> st.SearchStrategy[Decimal]:
    """Quantities with every shape a store must sum exactly and give back as written:
    integers, decimals of several scales (``2.50``), positive exponents (``1E+3``) and
    mantissas too long for a 64-bit integer."""
    return st.one_of(
        st.integers(0, 10**6).map(Decimal),
        st.builds(
            lambda mantissa, exponent: Decimal(mantissa).scaleb(exponent),
            st.integers(0, 10**6),
            st.integers(-4, 3),
        ),
        st.integers(10**18, 10**22).map(lambda m: Decimal(m).scaleb(-2)),
    )


def usage_instants(zones: tuple[str, ...] = INTERESTING_ZONES) -> st.SearchStrategy[datetime]:
    """Instants in the last quarter of 2026, often exactly on a month's start in a zone."""
    starts = [
        BillingPeriod(2026, month, zone).start for month in (10, 11, 12) for zone in zones
    ] + [BillingPeriod(2027, 1, zone).start for zone in zones]
    return st.one_of(
        st.sampled_from(starts),
        st.sampled_from(starts).map(lambda at: at - timedelta(microseconds=1)),
        st.datetimes(
            min_value=SQLITE_USAGE_START.replace(tzinfo=None),
            max_value=SQLITE_USAGE_END.replace(tzinfo=None),
        ).map(lambda at: at.replace(tzinfo=UTC)),
    )


def usage_records(
    zones: tuple[str, ...] = INTERESTING_ZONES,
) -> st.SearchStrategy[UsageRecord]:
    """Usage of a few clients and metrics (one of them not ASCII)."""
    return st.builds(
        UsageRecord,
        client_id=st.sampled_from(["c1", "c2", "c10"]),
        metric=st.sampled_from(["assessments", "api_calls", "évaluations"]),
        quantity=usage_quantities(),
        at=usage_instants(zones),
    )
