"""Money, currencies, periods and instants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import strategies as st

from partnercore.money import Currency, Money
from partnercore.time import BillingPeriod

#: Zones with the awkward cases: DST at 01:00 UTC, 02:00 local or at midnight (Asuncion,
#: Santiago), half-hour DST (Lord Howe), odd offsets (Kathmandu, Chatham), +14 and -12,
#: the southern hemisphere, a skipped day (Apia, December 2011), and UTC itself.
INTERESTING_ZONES = (
    "UTC",
    "Europe/Paris",
    "Europe/London",
    "America/New_York",
    "America/Asuncion",
    "America/Santiago",
    "America/St_Johns",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "Pacific/Chatham",
    "Pacific/Kiritimati",
    "Pacific/Apia",
    "Etc/GMT+12",
    "Asia/Tokyo",
)


def currencies() -> st.SearchStrategy[Currency]:
    """Any ISO 4217 currency (0, 2, 3 and 4 minor units all occur)."""
    return st.sampled_from(Currency.codes()).map(Currency.of)


def decimals_with_places(places: int, max_units: int = 10**12) -> st.SearchStrategy[Decimal]:
    """Decimals with exactly ``places`` digits after the point, up to ``max_units`` of them."""
    return st.integers(-max_units, max_units).map(lambda n: Decimal(n).scaleb(-places))


def moneys(
    currency: st.SearchStrategy[Currency] | None = None, *, extra_places: int = 0
) -> st.SearchStrategy[Money]:
    """Money in a currency; ``extra_places`` digits beyond the minor unit (0: already rounded)."""

    def build(c: Currency) -> st.SearchStrategy[Money]:
        places = c.minor_units + extra_places
        return decimals_with_places(places).map(lambda amount: Money(amount, c))

    return (currency if currency is not None else currencies()).flatmap(build)


def ratio_lists() -> st.SearchStrategy[list[Decimal]]:
    """Non-empty lists of non-negative ratios (zeros, ties and mixed scales), not all zero."""
    ratio = st.one_of(
        st.integers(0, 10).map(Decimal),
        st.integers(0, 10**9).map(lambda n: Decimal(n).scaleb(-6)),
        st.sampled_from([Decimal("0.5"), Decimal("1"), Decimal("1e-20"), Decimal("1e20")]),
    )
    return st.lists(ratio, min_size=1, max_size=12).filter(lambda rs: any(r > 0 for r in rs))


def zone_names() -> st.SearchStrategy[str]:
    """An IANA zone name: mostly the awkward ones above, sometimes any zone at all."""
    any_zone = st.timezone_keys(allow_prefix=False).filter(
        lambda name: name not in {"localtime", "posixrules"}  # machine files, not zones
    )
    return st.one_of(st.sampled_from(INTERESTING_ZONES), any_zone)


def billing_periods(zone: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[BillingPeriod]:
    """A month in a zone, mostly near now, sometimes anywhere whose neighbours exist too."""
    years = st.one_of(st.integers(1990, 2040), st.integers(3, 9997))
    return st.builds(
        BillingPeriod,
        year=years,
        month=st.integers(1, 12),
        timezone=zone if zone is not None else zone_names(),
    )


def aware_datetimes() -> st.SearchStrategy[datetime]:
    """Timezone-aware datetimes in any zone (gaps and repeated hours too), years 3 to 9997."""
    return st.datetimes(
        min_value=datetime(3, 1, 1), max_value=datetime(9997, 12, 31), timezones=st.timezones()
    )


def utc_instants(
    start: datetime = datetime(1970, 1, 1, tzinfo=UTC), years: int = 100
) -> st.SearchStrategy[datetime]:
    """UTC instants to the microsecond, from ``start`` over ``years`` years."""
    span = int(timedelta(days=365 * years).total_seconds() * 1_000_000)
    return st.integers(0, span).map(lambda us: start + timedelta(microseconds=us))
