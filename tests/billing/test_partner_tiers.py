"""Partner tiers (§5.1): the referral rate of a period follows the trailing revenue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partnercore import CurrencyMismatchError, ValidationError
from partnercore.billing import (
    BillingAccount,
    BillingRun,
    ClientBillingInput,
    ClientTerms,
    Discount,
    PartnerBillingInput,
    PriceBook,
    ReferralStatement,
    UsageRecord,
    bill_period,
    billing_inputs,
    calculate_run,
)
from partnercore.events import SYSTEM
from partnercore.licensing import License
from partnercore.memory import InMemoryStore
from partnercore.money import Money
from partnercore.tenancy import Team, transfer_client
from partnercore.time import BillingPeriod, Span

JAN = datetime(2026, 1, 1, tzinfo=UTC)
TIERS = [
    {"name": "bronze", "from_trailing_revenue": "0", "referral_rate": "0.10"},
    {"name": "silver", "from_trailing_revenue": "2000.00", "referral_rate": "0.15"},
    {"name": "gold", "from_trailing_revenue": "5000.00", "referral_rate": "0.20"},
]
PROGRAM = PriceBook.of(
    "program",
    "USD",
    advisor_monthly_fee="0",
    full_license_monthly_fee="400.00",
    usage={"assessments": "5.00"},
    partner_tiers=TIERS,
)


def usd(amount: str) -> Money:
    return Money(Decimal(amount), "USD")


# -- the calculator ------------------------------------------------------------------------


def partner(trailing: str | None, **values: object) -> PartnerBillingInput:
    client = ClientBillingInput(
        client_id="c1", billing_model="reseller", full_intervals=[Span(JAN, None)]
    )
    return PartnerBillingInput(
        partner_id="acme",
        price_book=PROGRAM,
        trailing_revenue=None if trailing is None else usd(trailing),
        clients=[client],
        **values,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("trailing", "tier", "rate", "referral"),
    [
        ("0.00", "bronze", "0.10", "40.00"),
        ("1999.99", "bronze", "0.10", "40.00"),
        ("2000.00", "silver", "0.15", "60.00"),
        ("4999.99", "silver", "0.15", "60.00"),
        ("5000.00", "gold", "0.20", "80.00"),
        ("1000000.00", "gold", "0.20", "80.00"),
    ],
)
def test_the_tier_is_the_highest_whose_threshold_the_trailing_revenue_reaches(
    trailing: str, tier: str, rate: str, referral: str
) -> None:
    statement = calculate_run("2026-11", [partner(trailing)]).referral("acme")

    assert (tier, usd(trailing), Decimal(rate), usd(referral)) == (
        statement.tier,
        statement.trailing_revenue,
        statement.rate,
        statement.total,
    )


def test_a_statement_names_its_tier_and_trailing_revenue_in_every_form() -> None:
    statement = calculate_run("2026-11", [partner("5200.00")]).referral("acme")

    document = statement.to_dict()
    assert ("gold", "5200.00", "0.20") == (
        document["tier"],
        document["trailing_revenue"],
        document["rate"],
    )
    assert "USD, rate 0.20, tier gold (trailing revenue 5200.00)" in str(statement)
    assert "tier gold (trailing revenue 5200.00)" in statement._repr_html_()
    [row] = statement.to_rows()
    assert ("gold", Decimal("5200.00")) == (row["partner_tier"], row["trailing_revenue"])


def test_a_statement_without_tiers_has_no_tier_keys() -> None:
    book = PriceBook.of("b", "USD", advisor_monthly_fee="0", full_license_monthly_fee="1")
    run = calculate_run(
        "2026-11", [PartnerBillingInput(partner_id="acme", price_book=book, referral_rate="0.2")]
    )

    document = run.referral("acme").to_dict()
    assert "tier" not in document
    assert "trailing_revenue" not in document


def test_a_tiered_partner_with_its_own_rate_is_refused() -> None:
    with pytest.raises(ValidationError, match="referral_rate: not allowed: price book 'program'"):
        partner("0.00", referral_rate="0.30")


def test_a_tiered_partner_needs_its_trailing_revenue() -> None:
    with pytest.raises(ValidationError, match="trailing_revenue: required: price book"):
        partner(None)


def test_a_trailing_revenue_in_another_currency_is_refused() -> None:
    client = ClientBillingInput(client_id="c1", billing_model="reseller")
    with pytest.raises(CurrencyMismatchError):
        PartnerBillingInput(
            partner_id="acme",
            price_book=PROGRAM,
            trailing_revenue=Money("1", "EUR"),
            clients=[client],
        )


@pytest.mark.parametrize(
    ("tiers", "message"),
    [
        (
            [{"name": "a", "from_trailing_revenue": "10", "referral_rate": "0.1"}],
            "partner_tiers[0].from_trailing_revenue: the first tier starts at 0, got 10",
        ),
        (
            [
                {"name": "a", "from_trailing_revenue": "0", "referral_rate": "0.1"},
                {"name": "b", "from_trailing_revenue": "0", "referral_rate": "0.2"},
            ],
            "partner_tiers[1].from_trailing_revenue: must be greater than the previous tier's",
        ),
        (
            [
                {"name": "a", "from_trailing_revenue": "0", "referral_rate": "0.1"},
                {"name": "a", "from_trailing_revenue": "5", "referral_rate": "0.2"},
            ],
            "partner_tiers[1].name: tier 'a' named twice",
        ),
        (
            [{"name": "a", "from_trailing_revenue": "0", "referral_rate": "1.5"}],
            "partner_tiers[0].referral_rate: must be within 0..1, got 1.5",
        ),
        (
            [{"name": "a", "from_trailing_revenue": "0", "referral_rate": 0.1}],
            "partner_tiers[0].referral_rate: expected a decimal string or an integer, got the "
            "float 0.1",
        ),
    ],
)
def test_invalid_partner_tiers_are_refused(tiers: list[dict[str, object]], message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        PriceBook.of(
            "b", "USD", advisor_monthly_fee="0", full_license_monthly_fee="1", partner_tiers=tiers
        )

    assert str(caught.value).startswith(message)


# -- a year of statements ------------------------------------------------------------------


class Year:
    """Summit Partners' world: two clients, a discount, usage every month from May."""

    def __init__(self) -> None:
        self.store = self.tenancy = self.billing = InMemoryStore()
        self.licenses = self.store.licenses
        teams = self.tenancy.teams
        teams.add(Team.partner("summit", "Summit Partners", created_at=JAN))
        for cid, model in [("harrow", "reseller"), ("isla", "non_reseller")]:
            teams.add(
                Team.client(
                    cid,
                    cid.title(),
                    parent_id="summit",
                    operated_by="partner",
                    billing_model=model,
                    created_at=JAN,
                )
            )
        self.licenses.add(License.open("harrow", JAN).upgrade(JAN))
        self.licenses.add(License.open("isla", JAN).upgrade(datetime(2026, 4, 16, 9, tzinfo=UTC)))
        self.billing.price_books.add(PROGRAM)
        harrow = ClientTerms(
            client_id="harrow",
            discounts=[Discount(percent="0.10", first_period="2026-10", last_period="2026-12")],
        )
        self.billing.accounts.add(BillingAccount("summit", "program", clients=[harrow]))
        for month in range(5, 14):
            year, month = (2026, month) if month <= 12 else (2027, month - 12)
            self.billing.usage.add(
                UsageRecord(
                    client_id="isla",
                    metric="assessments",
                    quantity=10,
                    at=datetime(year, month, 5, 10, tzinfo=UTC),
                )
            )

    @property
    def ports(self) -> InMemoryStore:
        return self.store

    def statement(self, period: str) -> ReferralStatement:
        return bill_period(self.ports, period).referral("summit")


YEAR = [
    # period, tier, trailing revenue, referral total
    ("2026-01", "bronze", "0.00", "40.00"),
    ("2026-02", "bronze", "400.00", "40.00"),
    ("2026-03", "bronze", "800.00", "40.00"),
    ("2026-04", "bronze", "1200.00", "60.00"),
    ("2026-05", "bronze", "1800.00", "85.00"),
    ("2026-06", "silver", "2650.00", "127.50"),
    ("2026-07", "silver", "3500.00", "127.50"),
    ("2026-08", "silver", "4350.00", "127.50"),
    ("2026-09", "gold", "5200.00", "170.00"),
    ("2026-10", "gold", "6050.00", "162.00"),
    ("2026-11", "gold", "6860.00", "162.00"),
    ("2026-12", "gold", "7670.00", "162.00"),
    ("2027-01", "gold", "8480.00", "170.00"),
    ("2027-02", "gold", "8930.00", "160.00"),
]


def test_a_year_of_statements_moves_up_two_tiers_as_the_trailing_revenue_grows() -> None:
    world = Year()

    actual = [
        (period, s.tier, s.trailing_revenue, s.total)
        for period in [row[0] for row in YEAR]
        for s in [world.statement(period)]
    ]

    expected = [(period, tier, usd(trailing), usd(total)) for period, tier, trailing, total in YEAR]
    assert expected == actual


def test_the_trailing_revenue_is_the_sum_of_the_twelve_previous_statements_bases() -> None:
    world = Year()
    bases = {
        period: sum(line.base.amount for line in world.statement(period).lines)
        for period, *_ in YEAR
    }

    # February 2027 no longer counts January 2026
    expected = sum(bases[period] for period, *_ in YEAR[1:13])
    assert usd(str(expected)) == world.statement("2027-02").trailing_revenue


def test_a_partners_inputs_carry_the_trailing_revenue() -> None:
    [inputs] = billing_inputs(Year().ports, "2026-06")

    assert (usd("2650.00"), None, "silver") == (
        inputs.trailing_revenue,
        inputs.referral_rate,
        inputs.tier.name if inputs.tier else None,
    )


def test_history_that_uses_an_unpriced_metric_names_the_period_it_came_from() -> None:
    world = Year()
    world.billing.usage.add(
        UsageRecord(
            client_id="isla", metric="logins", quantity=1, at=datetime(2026, 7, 1, tzinfo=UTC)
        )
    )

    with pytest.raises(ValidationError) as caught:
        world.statement("2026-11")

    assert str(caught.value).startswith(
        "partners[summit].trailing_revenue.clients[isla].usage[2026-07].metric: unknown usage "
        "metric 'logins'"
    )


# -- one pass equals twelve runs -------------------------------------------------------------


def _bases(run: BillingRun, partner_id: str) -> Decimal:
    for statement in run.referrals:
        if statement.partner_id == partner_id:
            return sum((line.base.amount for line in statement.lines), Decimal(0))
    return Decimal(0)


class Moving:
    """Two tiered partners in different zones; clients that come and go; deal books,
    discounts, banded fees and tier-priced usage spread over two years."""

    def __init__(self, events: list[tuple[int, int, int]]) -> None:
        self.store = self.tenancy = self.billing = InMemoryStore()
        self.licenses = self.store.licenses
        start = datetime(2025, 1, 1, tzinfo=UTC)
        teams = self.tenancy.teams
        teams.add(Team.partner("north", "North", created_at=start, timezone="Europe/Paris"))
        teams.add(Team.partner("south", "South", created_at=start, timezone="America/New_York"))
        book = PriceBook.of(
            "tiered",
            "USD",
            advisor_monthly_fee="10.00",
            full_license_fee_by_size=[{"up_to": 20, "fee": "300.00"}, {"fee": "700.00"}],
            usage_tiers={
                "calls": {
                    "model": "graduated",
                    "tiers": [
                        {"up_to": 10, "unit_price": "1.25", "flat_fee": "2"},
                        {"unit_price": "0.333"},
                    ],
                }
            },
            partner_tiers=TIERS,
            proration="thirty_day",
        )
        deal = PriceBook.of(
            "deal",
            "USD",
            advisor_monthly_fee="0",
            full_license_monthly_fee="123.45",
            usage_tiers={"calls": {"model": "package", "size": 7, "package_price": "3.10"}},
            rounding="half_even",
            proration="exact",
        )
        self.billing.price_books.add(book)
        self.billing.price_books.add(deal)
        # Each partner keeps terms for every client, which may come to it by a transfer.
        sizes = {"n0": 5, "n1": 12, "n2": 50, "s0": 500}
        terms = {
            "north": [
                ClientTerms(client_id="n0", employee_count=5),
                ClientTerms(
                    client_id="n1",
                    price_book_id="deal",
                    discounts=[Discount(percent="0.30", first_period="2025-06")],
                ),
                ClientTerms(client_id="n2", employee_count=50),
                ClientTerms(client_id="s0", employee_count=500),
            ],
            "south": [
                ClientTerms(
                    client_id="n0",
                    employee_count=5,
                    discounts=[
                        Discount(percent="0.5", first_period="2025-01", last_period="2025-12")
                    ],
                ),
                ClientTerms(client_id="n1", employee_count=sizes["n1"]),
                ClientTerms(client_id="s0", employee_count=500),
                ClientTerms(client_id="n2", price_book_id="deal"),
            ],
        }
        for pid, agreed in terms.items():
            self.billing.accounts.add(BillingAccount(pid, "tiered", clients=agreed))
        for cid, pid, created in [
            ("n0", "north", start),
            ("n1", "north", datetime(2025, 3, 10, 13, tzinfo=UTC)),
            ("n2", "north", start),
            ("s0", "south", datetime(2025, 5, 31, 23, tzinfo=UTC)),
        ]:
            teams.add(
                Team.client(
                    cid,
                    cid,
                    parent_id=pid,
                    operated_by="partner",
                    billing_model="reseller" if cid != "n1" else "non_reseller",
                    created_at=created,
                )
            )
            self.licenses.add(License.open(cid, created))
        clients = ["n0", "n1", "n2", "s0"]
        for day, kind, value in events:
            at = start + timedelta(days=day, hours=value % 24)
            cid = clients[value % len(clients)]
            if kind == 0:  # usage
                if teams.get(cid).created_at <= at:
                    self.billing.usage.add(
                        UsageRecord(client_id=cid, metric="calls", quantity=value, at=at)
                    )
            elif kind == 1:  # licence change
                license = self.licenses.get(cid)
                if license.last_event_at <= at and license.opened_at <= at:
                    state = license.state_at(at).value
                    changed = license.upgrade(at) if state == "free" else license.downgrade(at)
                    self.licenses.save(changed)
            else:  # a transfer to the other partner
                team = teams.get(cid)
                target = "south" if team.parent_id == "north" else "north"
                last = self.tenancy.history.for_team(cid)
                if team.created_at <= at and (not last or last[-1].at <= at):
                    transfer_client(self.tenancy, cid, target, at=at, by=SYSTEM)

    @property
    def ports(self) -> InMemoryStore:
        return self.store


def _check_one_pass_equals_twelve_runs(world: Moving, period: BillingPeriod) -> None:
    ports = world.ports
    runs = []
    month = period
    for _ in range(12):
        month = month.previous()
        runs.append(bill_period(ports, month.key))
    statements = bill_period(ports, period.key)
    for pid in ("north", "south"):
        expected = sum((_bases(run, pid) for run in runs), Decimal(0))
        assert usd(str(expected)) == statements.referral(pid).trailing_revenue


def test_the_trailing_revenue_in_one_pass_equals_the_bases_of_twelve_runs() -> None:
    events = [
        (20, 1, 0),
        (40, 1, 1),
        (45, 0, 13),
        (80, 1, 2),
        (100, 0, 41),
        (150, 1, 3),
        (170, 0, 27),
        (200, 2, 4),
        (230, 0, 18),
        (260, 1, 8),
        (300, 0, 5),
        (330, 2, 9),
        (360, 0, 22),
        (380, 1, 6),
        (420, 0, 31),
        (460, 2, 10),
        (500, 0, 7),
    ]
    world = Moving(events)

    for month in ("2025-06", "2026-01", "2026-02", "2026-05"):
        _check_one_pass_equals_twelve_runs(world, BillingPeriod.parse(month))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.integers(0, 540), st.integers(0, 2), st.integers(0, 60)),
        max_size=25,
    ).map(sorted),
    st.sampled_from(["2025-09", "2026-01", "2026-04", "2026-07"]),
)
def test_any_history_gives_the_trailing_revenue_of_twelve_runs(
    events: list[tuple[int, int, int]], month: str
) -> None:
    _check_one_pass_equals_twelve_runs(Moving(events), BillingPeriod.parse(month))
