"""Which partner bills a client that changes partner between partners of different time
zones, in the hours between their month ends: exactly one, settled as the month ends."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partnercore import NotFoundError, PartnercoreError, ValidationError
from partnercore.billing import (
    BillingAccount,
    BillingRun,
    PriceBook,
    bill_period,
    billing_partner,
    finalise,
)
from partnercore.events import SYSTEM
from partnercore.licensing import open_license
from partnercore.memory import InMemoryStore
from partnercore.tenancy import create_client, create_partner, transfer_client
from partnercore.time import BillingPeriod

JAN_1 = datetime(2026, 1, 1, tzinfo=UTC)
OCT_1 = datetime(2026, 10, 1, tzinfo=UTC)

#: November ends at 15:00 UTC on the 30th in Tokyo, at midnight in UTC, at 05:00 UTC on
#: 1 December in New York.
ZONES = {"kyo": "Asia/Tokyo", "acme": "UTC", "nyc": "America/New_York"}
CLIENTS = {"c1": ("kyo", "non_reseller"), "c2": ("acme", "non_reseller"), "c3": ("nyc", "reseller")}
MONTHS = ["2026-10", "2026-11", "2026-12"]
BETWEEN = datetime(2026, 11, 30, 20, tzinfo=UTC)
"""After Tokyo's November ended, before UTC's and New York's did."""


def build(created: dict[str, datetime] | None = None) -> InMemoryStore:
    """Three partners in three zones; clients c1 (kyo), c2 (acme), both non-reseller, and c3
    (nyc), a reseller client, each full from its creation (1 January unless ``created``)."""
    store = InMemoryStore()
    store.price_books.add(
        PriceBook.of("standard", "USD", advisor_monthly_fee="0", full_license_monthly_fee="400.00")
    )
    for partner, zone in ZONES.items():
        create_partner(store, partner, partner.title(), at=JAN_1, by=SYSTEM, timezone=zone)
        store.accounts.add(BillingAccount(partner, "standard", "0.20"))
    for client, (partner, model) in CLIENTS.items():
        at = (created or {}).get(client, JAN_1)
        create_client(
            store, client, client.upper(), partner_id=partner, operated_by="client",
            billing_model=model, at=at, by=SYSTEM,
        )  # fmt: skip
        open_license(store, client, at=at, by=SYSTEM, initial_state="full")
    return store


def billed(run: BillingRun) -> dict[str, str]:
    """Which partner billed each client (every client billed has a referral line)."""
    found: dict[str, str] = {}
    for statement in run.referrals:
        for line in statement.lines:
            assert line.client_id not in found, f"{line.client_id} billed twice"
            found[line.client_id] = statement.partner_id
    return found


def test_a_client_moved_between_two_month_ends_is_billed_where_the_month_ended_first() -> None:
    store = build()
    transfer_client(store, "c1", "acme", at=BETWEEN, by=SYSTEM)  # kyo's November had ended

    november = bill_period(store, "2026-11")

    assert ("kyo", "kyo", "acme") == (
        billed(november)["c1"],
        november.invoice("inv-c1-2026-11").partner_id,
        billed(bill_period(store, "2026-12"))["c1"],
    )


def test_a_client_moved_to_a_partner_whose_month_had_ended_is_billed_by_the_partner_it_left() -> (
    None
):
    store = build()
    transfer_client(store, "c2", "kyo", at=BETWEEN, by=SYSTEM)  # acme's November still ran

    november = bill_period(store, "2026-11")

    assert ("acme", "acme", "kyo") == (
        billed(november)["c2"],
        november.invoice("inv-c2-2026-11").partner_id,
        billed(bill_period(store, "2026-12"))["c2"],
    )


def test_a_month_a_partner_finalised_when_it_ended_is_unchanged_by_a_later_transfer() -> None:
    store = build()
    tokyo_end = BillingPeriod(2026, 11, "Asia/Tokyo").end
    kept = finalise(store, "2026-11", at=tokyo_end, by=SYSTEM, partner_id="kyo")
    transfer_client(store, "c1", "acme", at=BETWEEN, by=SYSTEM)

    everyone = finalise(store, "2026-11", at=BETWEEN + timedelta(days=1), by=SYSTEM)

    assert kept.invoices == tuple(i for i in everyone.invoices if i.partner_id == "kyo")


def test_partners_of_one_zone_bill_the_client_they_have_at_the_months_last_instant() -> None:
    store = build()
    transfer_client(store, "c1", "acme", at=datetime(2026, 11, 30, 10, tzinfo=UTC), by=SYSTEM)
    transfer_client(store, "c1", "kyo", at=datetime(2026, 11, 30, 12, tzinfo=UTC), by=SYSTEM)
    transfer_client(store, "c2", "nyc", at=datetime(2026, 11, 30, 23, tzinfo=UTC), by=SYSTEM)

    assert (("kyo", "nyc"), ("kyo", "nyc")) == (
        (billing_partner(store, "c1", "2026-11"), billing_partner(store, "c2", "2026-11")),
        (billed(bill_period(store, "2026-11"))["c1"], billed(bill_period(store, "2026-11"))["c2"]),
    )


def test_a_client_created_after_its_partners_month_ended_is_billed_by_nobody_for_it() -> None:
    store = build(created={"c1": BETWEEN})

    assert (None, "kyo") == (
        billing_partner(store, "c1", "2026-11"),
        billing_partner(store, "c1", BillingPeriod(2026, 12, "Europe/Paris")),
    )
    assert "c1" not in billed(bill_period(store, "2026-11"))


def test_who_bills_a_partner_team_or_an_unknown_team_or_month_is_refused() -> None:
    store = build()
    with pytest.raises(ValidationError, match="client_id"):
        billing_partner(store, "kyo", "2026-11")
    with pytest.raises(NotFoundError):
        billing_partner(store, "nobody", "2026-11")
    with pytest.raises(ValidationError, match="period"):
        billing_partner(store, "c1", "2026-13-01")


# -- any transfers between the three zones ------------------------------------------------


def _end(month: str, partner: str) -> datetime:
    return BillingPeriod.parse(month, ZONES[partner]).end


#: Hours after 1 October: anywhere in the three months, or around a month's end (each zone's
#: month ends fall on whole hours: exact ends are drawn too).
_hours = st.one_of(
    st.integers(0, 24 * 92),
    st.integers(735 - 2, 748 + 2),  # the end of October: Tokyo 735, UTC 744, New York 748
    st.integers(1455 - 2, 1469 + 2),  # of November: Tokyo 1455, UTC 1464, New York 1469
)
_moves = st.lists(
    st.tuples(_hours, st.sampled_from(sorted(CLIENTS)), st.sampled_from(sorted(ZONES))),
    max_size=8,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(moves=_moves, created=st.dictionaries(st.sampled_from(sorted(CLIENTS)), _hours))
def test_every_month_bills_each_client_once_and_stays_as_finalised_when_it_ended(
    moves: list[tuple[int, str, str]], created: dict[str, int]
) -> None:
    """Transfers happen in time order while each partner finalises each month as soon as it
    ends: afterwards every month bills (no invoice id twice), each client is billed by at most
    one partner (by exactly the one ``billing_partner`` names), and finalising everything
    again is a no-op (no month that ended was changed by a later transfer)."""
    store = build({client: OCT_1 + timedelta(hours=hours) for client, hours in created.items()})
    closings = [(_end(month, partner), 0, month, partner) for month in MONTHS for partner in ZONES]
    transfers = [(OCT_1 + timedelta(hours=hours), 1, client, to) for hours, client, to in moves]
    for at, kind, first, second in sorted(closings + transfers):
        if kind == 0:
            finalise(store, first, at=at, by=SYSTEM, partner_id=second)
            continue
        with contextlib.suppress(PartnercoreError):  # not possible then (already its partner)
            transfer_client(store, first, second, at=at, by=SYSTEM)
    finalised = len(store.invoices)
    for month in MONTHS:
        run = bill_period(store, month)
        ids = [invoice.id for invoice in run.invoices]
        assert sorted(set(ids)) == sorted(ids)
        expected = {
            client: partner
            for client in CLIENTS
            if (partner := billing_partner(store, client, month)) is not None
        }
        assert expected == billed(run)
        assert run == finalise(store, month, at=datetime(2027, 1, 1, tzinfo=UTC), by=SYSTEM)
    assert finalised == len(store.invoices)


TIERS = [
    {"name": "bronze", "from_trailing_revenue": "0", "referral_rate": "0.10"},
    {"name": "silver", "from_trailing_revenue": "4000.00", "referral_rate": "0.15"},
]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(moves=_moves)
def test_the_trailing_revenue_counts_each_month_where_the_client_was_billed(
    moves: list[tuple[int, str, str]],
) -> None:
    store = build()
    store.price_books.save(
        PriceBook.of(
            "standard", "USD", advisor_monthly_fee="0", full_license_monthly_fee="400.00",
            partner_tiers=TIERS,
        )
    )  # fmt: skip
    for partner in ZONES:
        store.accounts.save(BillingAccount(partner, "standard"))
    for hours, client, to in sorted(moves):
        with contextlib.suppress(PartnercoreError):
            transfer_client(store, client, to, at=OCT_1 + timedelta(hours=hours), by=SYSTEM)
    runs = [bill_period(store, f"2026-{month:02d}") for month in range(1, 13)]

    january = bill_period(store, "2027-01")

    for partner in ZONES:
        bases = [
            line.base.amount
            for run in runs
            for line in run.referral(partner).lines
        ]  # fmt: skip
        assert sum(bases) == january.referral(partner).trailing_revenue.amount  # type: ignore[union-attr]
