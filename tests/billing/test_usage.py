"""Usage records and their totals per (client, metric, period)."""

from __future__ import annotations

import decimal
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from partnercore import ValidationError
from partnercore.billing import (
    BillingAccount,
    BillingRun,
    ClientBillingInput,
    LateUsage,
    LineKind,
    PartnerBillingInput,
    PriceBook,
    UsageRecord,
    UsageTotal,
    aggregate_usage,
    bill_period,
    calculate_run,
    finalise,
)
from partnercore.billing._presentation import format_quantity
from partnercore.events import SYSTEM
from partnercore.licensing import License
from partnercore.memory import InMemoryStore
from partnercore.money import Money
from partnercore.tenancy import Membership, Team
from partnercore.time import BillingPeriod

LATE_ON_OCTOBER_31 = datetime(2025, 10, 31, 23, 30, tzinfo=UTC)

FINALISED_AT = datetime(2030, 1, 1, tzinfo=UTC)
"""When finalisations in these tests happen (the act's instant, not the period's)."""


def _record(at: datetime, quantity: object = 1, client: str = "c1") -> UsageRecord:
    return UsageRecord(client_id=client, metric="assessments", quantity=quantity, at=at)


def test_usage_at_23_30z_on_october_31_belongs_to_november_in_paris() -> None:
    records = [_record(LATE_ON_OCTOBER_31)]
    assert [] == aggregate_usage(records, BillingPeriod(2025, 10, "Europe/Paris"))
    november = BillingPeriod(2025, 11, "Europe/Paris")
    assert [
        UsageTotal(client_id="c1", metric="assessments", period=november, quantity=1)
    ] == aggregate_usage(records, november)


def test_the_same_usage_belongs_to_october_in_utc() -> None:
    [total] = aggregate_usage([_record(LATE_ON_OCTOBER_31)], BillingPeriod(2025, 10))
    assert Decimal(1) == total.quantity


def test_totals_are_summed_per_client_and_metric_and_sorted() -> None:
    at = datetime(2025, 11, 5, tzinfo=UTC)
    records = [
        _record(at, 2, "c2"),
        _record(at, 3, "c1"),
        _record(at, "1.5", "c1"),
        UsageRecord(client_id="c1", metric="api", quantity=7, at=at),
    ]
    totals = aggregate_usage(records, BillingPeriod(2025, 11))
    assert [
        ("c1", "api", Decimal(7)),
        ("c1", "assessments", Decimal("4.5")),
        ("c2", "assessments", Decimal(2)),
    ] == [(t.client_id, t.metric, t.quantity) for t in totals]


def test_totals_can_be_restricted_to_some_clients() -> None:
    at = datetime(2025, 11, 5, tzinfo=UTC)
    totals = aggregate_usage(
        [_record(at, 1, "c1"), _record(at, 1, "c2")], BillingPeriod(2025, 11), {"c2"}
    )
    assert ["c2"] == [t.client_id for t in totals]


def test_a_usage_record_instant_is_kept_in_utc() -> None:
    from zoneinfo import ZoneInfo

    record = _record(datetime(2025, 11, 1, 0, 30, tzinfo=ZoneInfo("Europe/Paris")))
    assert datetime(2025, 10, 31, 23, 30, tzinfo=UTC) == record.at
    assert UTC is record.at.tzinfo


def test_a_naive_instant_is_rejected() -> None:
    with pytest.raises(ValidationError, match="at"):
        _record(datetime(2025, 11, 1))


def test_a_float_quantity_is_rejected() -> None:
    with pytest.raises(ValidationError, match="quantity"):
        _record(LATE_ON_OCTOBER_31, 1.5)


def test_a_negative_quantity_is_rejected() -> None:
    with pytest.raises(ValidationError, match="negative"):
        _record(LATE_ON_OCTOBER_31, -1)


# -- quantities are bounded ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        ("1e21", "quantity: must be below 10**21, got '1e21'"),
        ("1e100", "quantity: must be below 10**21, got '1e100'"),
        (10**21, "quantity: must be below 10**21, got 1000000000000000000000"),
        (Decimal("1E+999999"), "quantity: must be below 10**21, got 1E+999999"),
        (Decimal("-1E+21"), "quantity: must be below 10**21, got -1E+21"),
        (
            "0.0000000000000000001",
            "quantity: at most 18 decimal places, got '0.0000000000000000001'",
        ),
        ("1e-999999", "quantity: at most 18 decimal places, got '1e-999999'"),
    ],
)
def test_a_usage_quantity_is_below_10_to_the_21_with_at_most_18_decimal_places(
    quantity: object, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        _record(LATE_ON_OCTOBER_31, quantity)

    assert message == str(caught.value)


@pytest.mark.parametrize(
    "quantity",
    [
        "999999999999999999999.999999999999999999",
        "0.000000000000000001",
        "2.50000000000000000000000000",
        "0E-1000",
        "1.2E+20",
        0,
    ],
)
def test_a_usage_quantity_within_the_bounds_is_kept_as_given(quantity: object) -> None:
    assert Decimal(quantity) == _record(LATE_ON_OCTOBER_31, quantity).quantity


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda q: UsageTotal(
                client_id="c1", metric="api", period=BillingPeriod(2026, 11), quantity=q
            ),
            "quantity: must be below 10**30 in magnitude, got '{q}'",
        ),
        (
            lambda q: LateUsage(
                client_id="c1", metric="api", original_period="2026-10", quantity=q
            ),
            "quantity: must be below 10**30 in magnitude, got '{q}'",
        ),
    ],
)
def test_totals_and_late_usage_are_bounded_like_amounts(
    build: Callable[[str], object], message: str
) -> None:
    assert (
        Decimal("-999999999999999999999999999999")
        == build(  # type: ignore[attr-defined]
            "-999999999999999999999999999999"
        ).quantity
    )
    for q in ("1e30", "-1e30", "1e100"):
        with pytest.raises(ValidationError) as caught:
            build(q)
        assert message.format(q=q) == str(caught.value)
    with pytest.raises(ValidationError) as fine:
        build("0.0000000000000000001")
    assert "quantity: at most 18 decimal places, got '0.0000000000000000001'" == str(fine.value)


@st.composite
def _quantities(draw: st.DrawFn) -> Decimal:
    """Any accepted non-zero usage quantity: below 10**21 with up to 18 places, written with
    or without trailing zeros or an exponent."""
    places = draw(st.integers(0, 18))
    units = draw(st.integers(1, 10 ** (21 + places) - 1))
    zeros = draw(st.integers(0, 30))
    # units * 10**-places, written with ``zeros`` more places than it needs
    return Decimal(f"{units * 10**zeros}E-{places + zeros}")


@st.composite
def _totals(draw: st.DrawFn) -> Decimal:
    """Any accepted non-zero usage total: below 10**30 with up to 18 places."""
    places = draw(st.integers(0, 18))
    return Decimal(f"{draw(st.integers(1, 10 ** (30 + places) - 1))}E-{places}")


@settings(max_examples=60, deadline=None)
@given(st.lists(_quantities(), min_size=1, max_size=3))
def test_any_accepted_usage_is_billed_and_printed_without_a_decimal_error(
    quantities: list[Decimal],
) -> None:
    records = [_record(datetime(2026, 11, 5, tzinfo=UTC), q) for q in quantities]
    [total] = aggregate_usage(records, BillingPeriod(2026, 11))

    assert sum(map(Fraction, quantities), Fraction(0)) == total.quantity
    _bill_and_print(total)


@settings(max_examples=60, deadline=None)
@given(_totals())
def test_any_accepted_usage_total_is_billed_and_printed_without_a_decimal_error(
    quantity: Decimal,
) -> None:
    _bill_and_print(
        UsageTotal(
            client_id="c1", metric="assessments", period=BillingPeriod(2026, 11), quantity=quantity
        )
    )


def _bill_and_print(total: UsageTotal) -> None:
    """Bill ``total`` and, as late usage, its opposite; print the run every way."""
    book = PriceBook.of(
        "standard",
        "USD",
        advisor_monthly_fee="0",
        full_license_monthly_fee="0",
        usage={"assessments": "0.000001"},
    )
    partner = PartnerBillingInput(
        partner_id="acme",
        price_book=book,
        referral_rate="0.20",
        clients=[
            ClientBillingInput(
                client_id="c1",
                billing_model="reseller",
                usage=[total],
                late_usage=[
                    LateUsage(
                        client_id="c1",
                        metric="assessments",
                        original_period="2026-10",
                        quantity=total.quantity.copy_negate(),
                    )
                ],
            )
        ],
    )

    run = calculate_run("2026-11", [partner])

    printed = [format_quantity(line.quantity) for line in run.invoices[0].group("c1").lines]
    assert [
        format_quantity(total.quantity),
        format_quantity(total.quantity.copy_negate()),
    ] == printed
    assert Decimal(printed[0]) == total.quantity
    assert "e" not in printed[0].lower()
    assert all([str(run), run.to_dict(), run.to_rows(), run._repr_html_()])


@pytest.mark.parametrize("key", ["٢٠٢٦-11", "2026-١١", "２０２６-11", "2026-11\n", "2026-1"])
def test_the_original_period_of_late_usage_is_an_ascii_period_key(key: str) -> None:
    with pytest.raises(ValidationError) as caught:
        LateUsage(client_id="c1", metric="assessments", original_period=key, quantity=1)

    assert f"original_period: expected YYYY-MM, got {key!r}" == str(caught.value)


def test_a_metric_needs_a_name() -> None:
    with pytest.raises(ValidationError, match="metric"):
        UsageRecord(client_id="c1", metric=" ", quantity=1, at=LATE_ON_OCTOBER_31)


# -- the first and last periods -----------------------------------------------------------


class _World:
    """Partner acme in ``zone`` with one full reseller client c1 and one advisor, from
    ``created``."""

    def __init__(self, created: datetime, zone: str) -> None:
        self.store = self.tenancy = self.billing = InMemoryStore()
        self.licenses = self.store.licenses
        teams = self.tenancy.teams
        teams.add(Team.partner("acme", "Acme", created_at=created, timezone=zone))
        teams.add(
            Team.client(
                "c1",
                "C1",
                parent_id="acme",
                operated_by="partner",
                billing_model="reseller",
                created_at=created,
            )
        )
        self.tenancy.memberships.add(
            Membership(user_id="alice", team_id="acme", role="advisor", active_from=created)
        )
        self.licenses.add(License.open("c1", created).upgrade(created))
        self.billing.price_books.add(
            PriceBook.of(
                "standard",
                "USD",
                advisor_monthly_fee="50.00",
                full_license_monthly_fee="400.00",
                usage={"assessments": "0.25"},
            )
        )
        self.billing.accounts.add(BillingAccount("acme", "standard", "0.20"))

    @property
    def ports(self) -> InMemoryStore:
        return self.store

    def use(self, quantity: int, at: datetime) -> None:
        self.billing.usage.add(_record(at, quantity))


#: The first instant the library accepts for a team or a licence (year 2, in UTC).
YEAR_2 = datetime(2, 1, 1, tzinfo=UTC)


def _usage_lines(run: BillingRun) -> list[tuple[str, str, str]]:
    [invoice] = run.invoices
    return [
        (line.kind.value, str(line.quantity), line.amount.format_amount())
        for line in invoice.group("c1").lines
        if line.kind is not LineKind.LICENSE
    ]


@pytest.mark.parametrize("zone", ["UTC", "Etc/GMT-14", "Etc/GMT+12"])
def test_usage_in_the_first_period_there_is_is_billed(zone: str) -> None:
    world = _World(YEAR_2, zone)
    world.use(4, max(YEAR_2, BillingPeriod(2, 1, zone).start))

    run = bill_period(world.ports, "0002-01")

    assert [("usage", "4", "1.00")] == _usage_lines(run)


@pytest.mark.parametrize("zone", ["UTC", "Etc/GMT-14", "Etc/GMT+12"])
def test_late_usage_of_the_first_period_is_billed_in_the_second(zone: str) -> None:
    world = _World(YEAR_2, zone)
    world.use(4, max(YEAR_2, BillingPeriod(2, 1, zone).start))
    finalise(world.ports, "0002-01", at=FINALISED_AT, by=SYSTEM)
    world.use(2, BillingPeriod(2, 1, zone).end - timedelta(microseconds=1))

    run = bill_period(world.ports, "0002-02")

    assert [("adjustment", "2", "0.50")] == _usage_lines(run)


@pytest.mark.parametrize("zone", ["UTC", "Etc/GMT-14", "Etc/GMT+12"])
def test_usage_in_the_last_period_there_is_is_billed(zone: str) -> None:
    world = _World(datetime(2026, 1, 1, tzinfo=UTC), zone)
    world.use(4, BillingPeriod(9998, 12, zone).end - timedelta(microseconds=1))
    finalise(world.ports, "9998-11", at=FINALISED_AT, by=SYSTEM)

    run = bill_period(world.ports, "9998-12")

    assert [("usage", "4", "1.00")] == _usage_lines(run)
    assert Money.of("451.00", "USD") == run.invoices[0].total


class _NoUsage:
    """A usage port whose totals were lost (a host's warehouse rebuilt without them)."""

    def totals(self, period: BillingPeriod, client_ids: object) -> list[UsageTotal]:
        return []


def test_usage_billed_then_lost_is_credited_exactly_whatever_the_callers_decimal_context() -> None:
    world = _World(datetime(2026, 1, 1, tzinfo=UTC), "UTC")
    world.billing.usage.add(
        UsageRecord(
            client_id="c1",
            metric="assessments",
            quantity="123456789012345678901.5",
            at=datetime(2026, 11, 5, tzinfo=UTC),
        )
    )
    finalise(world.ports, "2026-11", at=FINALISED_AT, by=SYSTEM)
    world.store.usage = _NoUsage()  # type: ignore[assignment]
    lost = world.ports

    with decimal.localcontext() as context:
        context.prec = 5
        run = bill_period(lost, "2026-12")

    assert [("adjustment", "-123456789012345678901.5", "-30864197253086419725.38")] == (
        _usage_lines(run)
    )
