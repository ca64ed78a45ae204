"""Billing through the ports: bill a period, finalise it, late usage (§5)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from partnercore import ConflictError, NotFoundError, ValidationError
from partnercore.billing import (
    BillingAccount,
    BillingRun,
    ContentCharge,
    LineKind,
    PriceBook,
    UsageRecord,
    bill_period,
    billing_inputs,
    finalise,
)
from partnercore.events import SYSTEM
from partnercore.licensing import License
from partnercore.memory import InMemoryStore
from partnercore.money import Money
from partnercore.tenancy import (
    Membership,
    Team,
    TeamChange,
    TeamHistory,
    Transfer,
    transfer_client,
)
from partnercore.time import BillingPeriod

CREATED = datetime(2025, 1, 1, tzinfo=UTC)

FINALISED_AT = datetime(2030, 1, 1, tzinfo=UTC)
"""When finalisations in these tests happen (the act's instant, not the period's)."""


class World:
    """Acme (Paris) with a reseller client c1, a non-reseller c2 and a free reseller c3."""

    def __init__(self, **policies: object) -> None:
        self.store = self.tenancy = self.billing = InMemoryStore()
        self.licenses = self.store.licenses
        teams = self.tenancy.teams
        teams.add(Team.partner("acme", "Acme", created_at=CREATED, timezone="Europe/Paris"))
        teams.add(Team.partner("beta", "Beta", created_at=CREATED))
        for cid, parent, model in [
            ("c1", "acme", "reseller"),
            ("c2", "acme", "non_reseller"),
            ("c3", "acme", "reseller"),
            ("b1", "beta", "reseller"),
        ]:
            teams.add(
                Team.client(
                    cid,
                    cid.upper(),
                    parent_id=parent,
                    operated_by="partner",
                    billing_model=model,
                    created_at=CREATED,
                )
            )
        for user, role in [("alice", "partner_admin"), ("bob", "advisor")]:
            self.tenancy.memberships.add(
                Membership(user_id=user, team_id="acme", role=role, active_from=CREATED)
            )
        # A client-team membership is not an advisor seat.
        self.tenancy.memberships.add(
            Membership(user_id="carol", team_id="c1", role="client_admin", active_from=CREATED)
        )
        for cid in ("c1", "c2", "b1"):
            self.licenses.add(License.open(cid, CREATED).upgrade(CREATED))
        self.licenses.add(License.open("c3", CREATED))
        self.billing.price_books.add(
            PriceBook.of(
                "standard",
                "USD",
                advisor_monthly_fee="50.00",
                full_license_monthly_fee="400.00",
                usage={"assessments": "5.00"},
                **policies,  # type: ignore[arg-type]
            )
        )
        self.billing.accounts.add(BillingAccount("acme", "standard", "0.20"))
        self.billing.accounts.add(BillingAccount("beta", "standard", "0.10"))

    @property
    def ports(self) -> InMemoryStore:
        return self.store

    def use(self, client: str, quantity: int, at: datetime, metric: str = "assessments") -> None:
        self.billing.usage.add(
            UsageRecord(client_id=client, metric=metric, quantity=quantity, at=at)
        )


def _amounts(lines: object) -> list[tuple[str, str]]:
    return [(line.kind.value, line.amount.format_amount()) for line in lines]  # type: ignore[attr-defined]


def test_a_period_is_billed_for_every_partner() -> None:
    world = World()
    world.use("c1", 3, datetime(2025, 11, 5, tzinfo=UTC))
    run = bill_period(world.ports, "2025-11")
    assert ["inv-acme-2025-11", "inv-c2-2025-11", "inv-beta-2025-11"] == [
        invoice.id for invoice in run.invoices
    ]
    acme = run.invoice("inv-acme-2025-11")
    assert [("advisor_seats", "100.00")] == _amounts(acme.lines)
    assert ["c1"] == [group.client_id for group in acme.clients]
    assert [("license", "400.00"), ("usage", "15.00")] == _amounts(acme.group("c1").lines)
    assert [("c1", "83.00"), ("c2", "80.00"), ("c3", "0.00")] == [
        (line.client_id, line.amount.format_amount()) for line in run.referral("acme").lines
    ]


def test_one_partner_can_be_billed_alone() -> None:
    run = bill_period(World().ports, "2025-11", partner_id="beta")
    assert ["inv-beta-2025-11"] == [invoice.id for invoice in run.invoices]
    assert ["beta"] == [statement.partner_id for statement in run.referrals]


def test_usage_at_23_30z_on_october_31_is_billed_in_november_for_a_paris_partner() -> None:
    world = World()
    world.use("c1", 3, datetime(2025, 10, 31, 23, 30, tzinfo=UTC))
    october = bill_period(world.ports, "2025-10", partner_id="acme")
    november = bill_period(world.ports, "2025-11", partner_id="acme")
    assert [LineKind.LICENSE] == [line.kind for line in october.invoices[0].group("c1").lines]
    assert ("usage", "15.00") == _amounts(november.invoices[0].group("c1").lines)[1]


def test_the_licence_timeline_decides_the_licence_charge() -> None:
    world = World(proration="exact")
    paris_october_26 = datetime(2025, 10, 25, 22, tzinfo=UTC)
    world.licenses.save(world.licenses.get("c3").upgrade(paris_october_26))
    run = bill_period(world.ports, "2025-10", partner_id="acme")
    assert [("license", "77.85")] == _amounts(run.invoices[0].group("c3").lines)  # 400 x 145/745


def test_billing_twice_gives_equal_runs_with_the_same_ids() -> None:
    world = World()
    world.use("c2", 4, datetime(2025, 11, 5, tzinfo=UTC))
    first, second = bill_period(world.ports, "2025-11"), bill_period(world.ports, "2025-11")
    assert first == second
    assert first.to_dict() == second.to_dict()


def test_billing_writes_nothing() -> None:
    world = World()
    bill_period(world.ports, "2025-11")
    assert 0 == len(world.billing.invoices)


def test_an_unknown_metric_in_the_usage_is_an_error() -> None:
    world = World()
    world.use("c1", 1, datetime(2025, 11, 5, tzinfo=UTC), metric="logins")
    with pytest.raises(ValidationError, match="logins"):
        bill_period(world.ports, "2025-11")


def test_a_partner_without_a_billing_account_is_not_found() -> None:
    world = World()
    world.tenancy.teams.add(Team.partner("gamma", "Gamma", created_at=CREATED))
    with pytest.raises(NotFoundError, match="billing account 'gamma'"):
        bill_period(world.ports, "2025-11")


def test_billing_a_client_as_a_partner_is_rejected() -> None:
    with pytest.raises(ValidationError, match="partner_id"):
        bill_period(World().ports, "2025-11", partner_id="c1")


def test_billing_an_unknown_partner_is_not_found() -> None:
    with pytest.raises(NotFoundError):
        bill_period(World().ports, "2025-11", partner_id="nobody")


def test_inputs_are_loaded_per_partner_in_its_own_time_zone() -> None:
    [acme] = billing_inputs(World().ports, "2025-11", partner_id="acme")
    assert ("Europe/Paris", Decimal("0.20")) == (acme.timezone, acme.referral_rate)
    assert ["alice", "bob"] == [seat.user_id for seat in acme.seats]
    assert ["c1", "c2", "c3"] == [client.client_id for client in acme.clients]
    assert () == acme.clients[2].full_intervals


class Catalogue:
    """A content source: one monthly item on c1 and c2."""

    def content_charges(self, client_id: str, period: BillingPeriod) -> list[ContentCharge]:
        if client_id not in {"c1", "c2"}:
            return []
        return [
            ContentCharge(
                client_id=client_id,
                item_id="acme-gap",
                owner_id="acme",
                amount=Money("25.00", "USD"),
                description=f"Gap assessment ({period.key})",
            )
        ]


def test_content_charges_come_from_the_content_source() -> None:
    run = bill_period(World().ports, "2025-11", partner_id="acme", content=Catalogue())
    assert ("content", "25.00") == _amounts(run.invoices[0].group("c1").lines)[-1]
    assert ("content", "25.00") == _amounts(run.invoice("inv-c2-2025-11").lines)[-1]
    assert Money("50.00", "USD") == run.referral("acme").content_revenue.total


# -- finalisation ---------------------------------------------------------------------


def test_finalising_stores_every_invoice_of_the_period() -> None:
    world = World()
    run = finalise(world.ports, "2025-11", at=FINALISED_AT, by=SYSTEM)
    assert sorted(invoice.id for invoice in run.invoices) == sorted(
        invoice.id
        for partner in ("acme", "beta")
        for invoice in world.billing.invoices.for_partner(partner, "2025-11")
    )


def test_finalising_again_with_identical_results_is_a_no_op() -> None:
    world = World()
    first = finalise(world.ports, "2025-11", at=FINALISED_AT, by=SYSTEM)
    second = finalise(world.ports, "2025-11", at=FINALISED_AT, by=SYSTEM)
    assert first == second
    assert 3 == len(world.billing.invoices)


def test_finalising_again_with_different_results_is_a_conflict_and_stores_nothing() -> None:
    world = World()
    finalise(world.ports, "2025-11", at=FINALISED_AT, by=SYSTEM)
    stored = world.billing.invoices.get("inv-acme-2025-11")
    world.use("c1", 1, datetime(2025, 11, 30, tzinfo=UTC))
    with pytest.raises(ConflictError, match="inv-acme-2025-11"):
        finalise(world.ports, "2025-11", at=FINALISED_AT, by=SYSTEM)
    assert stored == world.billing.invoices.get("inv-acme-2025-11")
    assert 3 == len(world.billing.invoices)


def test_a_new_invoice_in_a_finalised_period_is_a_conflict() -> None:
    world = World()
    finalise(world.ports, "2025-11", at=FINALISED_AT, by=SYSTEM, partner_id="beta")
    world.tenancy.teams.add(
        Team.client(
            "b2",
            "B2",
            parent_id="beta",
            operated_by="client",
            billing_model="non_reseller",
            created_at=CREATED,
        )
    )
    world.licenses.add(License.open("b2", CREATED).upgrade(CREATED))
    with pytest.raises(ConflictError, match="inv-b2-2025-11"):
        finalise(world.ports, "2025-11", at=FINALISED_AT, by=SYSTEM, partner_id="beta")


def test_late_usage_for_a_finalised_period_is_an_adjustment_in_the_next_open_period() -> None:
    world = World()
    world.use("c1", 3, datetime(2025, 10, 10, tzinfo=UTC))
    finalise(world.ports, "2025-10", at=FINALISED_AT, by=SYSTEM)
    world.use("c1", 2, datetime(2025, 10, 20, tzinfo=UTC))  # arrives after finalisation
    world.use("c2", 1, datetime(2025, 10, 21, tzinfo=UTC))
    november = bill_period(world.ports, "2025-11", partner_id="acme")
    [adjustment] = [
        line for line in november.invoices[0].group("c1").lines if line.kind is LineKind.ADJUSTMENT
    ]
    assert ("2025-10", Decimal(2), Money("10.00", "USD")) == (
        adjustment.original_period,
        adjustment.quantity,
        adjustment.amount,
    )
    assert ("adjustment", "5.00") == _amounts(november.invoice("inv-c2-2025-11").lines)[-1]
    # The finalised October is untouched, and the referral base counts the adjustment.
    assert 3 == world.billing.invoices.get("inv-acme-2025-10").group("c1").lines[1].quantity
    assert Money("410.00", "USD") == november.referral("acme").line("c1").base  # type: ignore[union-attr]


def test_late_usage_is_billed_once_even_when_later_periods_are_finalised() -> None:
    world = World()
    finalise(world.ports, "2025-10", at=FINALISED_AT, by=SYSTEM)
    world.use("c1", 2, datetime(2025, 10, 20, tzinfo=UTC))
    finalise(world.ports, "2025-11", at=FINALISED_AT, by=SYSTEM)
    december = bill_period(world.ports, "2025-12", partner_id="acme")
    kinds = [line.kind for line in december.invoices[0].group("c1").lines]
    assert LineKind.ADJUSTMENT not in kinds
    # More usage for October arriving now goes into the next open period, December.
    world.use("c1", 1, datetime(2025, 10, 25, tzinfo=UTC))
    december = bill_period(world.ports, "2025-12", partner_id="acme")
    [adjustment] = [
        line for line in december.invoices[0].group("c1").lines if line.kind is LineKind.ADJUSTMENT
    ]
    assert ("2025-10", Decimal(1)) == (adjustment.original_period, adjustment.quantity)


def test_refinalising_a_period_with_its_adjustments_is_a_no_op() -> None:
    world = World()
    finalise(world.ports, "2025-10", at=FINALISED_AT, by=SYSTEM)
    world.use("c1", 2, datetime(2025, 10, 20, tzinfo=UTC))
    first = finalise(world.ports, "2025-11", at=FINALISED_AT, by=SYSTEM)
    assert first == finalise(world.ports, "2025-11", at=FINALISED_AT, by=SYSTEM)


# -- transfers ------------------------------------------------------------------------


class HistorySpy:
    """The in-memory team history, recording which keys billing looked up."""

    def __init__(self, history: TeamHistory) -> None:
        self.history = history
        self.teams: list[str] = []
        self.partners: list[str] = []
        self.calls = 0

    def add(self, change: TeamChange) -> None:
        self.history.add(change)

    def for_team(self, team_id: str) -> Sequence[TeamChange]:
        self.calls += 1
        self.teams.append(team_id)
        return self.history.for_team(team_id)

    def for_teams(self, team_ids: Collection[str]) -> dict[str, Sequence[TeamChange]]:
        self.calls += 1
        self.teams.extend(team_ids)
        return self.history.for_teams(team_ids)

    def transfers_from(self, partner_id: str) -> list[Transfer]:
        self.partners.append(partner_id)
        return self.history.transfers_from(partner_id)

    def transfers_from_partners(self, partner_ids: Collection[str]) -> dict[str, list[Transfer]]:
        self.partners.extend(partner_ids)
        return {
            partner_id: list(transfers)
            for partner_id, transfers in self.history.transfers_from_partners(partner_ids).items()
        }


def _transfer(world: World, client: str, to: str, at: datetime) -> None:
    transfer_client(world.tenancy, client, to, at=at, by=SYSTEM)


def _referred(run: BillingRun, partner: str) -> list[str]:
    return [line.client_id for line in run.referral(partner).lines]


def test_a_client_transferred_mid_period_is_billed_to_the_partner_it_had_at_the_periods_end() -> (
    None
):
    world = World()
    world.use("c1", 3, datetime(2025, 11, 5, tzinfo=UTC))  # used while still with acme
    _transfer(world, "c1", "beta", datetime(2025, 11, 15, tzinfo=UTC))
    run = bill_period(world.ports, "2025-11")
    assert ["c2", "c3"] == _referred(run, "acme")
    assert ["b1", "c1"] == _referred(run, "beta")
    assert [] == [group.client_id for group in run.invoice("inv-acme-2025-11").clients]
    beta = run.invoice("inv-beta-2025-11")
    assert ["b1", "c1"] == [group.client_id for group in beta.clients]
    # The whole month's charges follow the client, in the new partner's period (UTC).
    assert [("license", "400.00"), ("usage", "15.00")] == _amounts(beta.group("c1").lines)


def test_a_period_before_a_transfer_billed_after_it_is_unchanged() -> None:
    world = World()
    world.use("c1", 3, datetime(2025, 10, 5, tzinfo=UTC))
    world.use("c2", 2, datetime(2025, 10, 6, tzinfo=UTC))
    ports = world.ports
    before = finalise(ports, "2025-10", at=FINALISED_AT, by=SYSTEM)
    # Both acme clients with October charges leave for beta in November.
    _transfer(world, "c1", "beta", datetime(2025, 11, 15, tzinfo=UTC))
    _transfer(world, "c2", "beta", datetime(2025, 11, 20, tzinfo=UTC))
    after = bill_period(ports, "2025-10")
    assert before == after
    assert ["inv-acme-2025-10", "inv-c2-2025-10", "inv-beta-2025-10"] == [
        invoice.id for invoice in after.invoices
    ]
    assert after == finalise(
        ports, "2025-10", at=FINALISED_AT, by=SYSTEM
    )  # a no-op, not a conflict
    assert 3 == len(world.billing.invoices)
    november = bill_period(ports, "2025-11")
    assert "beta" == november.invoice("inv-c2-2025-11").partner_id
    assert ["c3"] == _referred(november, "acme")


def test_a_client_transferred_exactly_at_the_periods_end_stays_with_its_old_partner() -> None:
    world = World()
    _transfer(world, "b1", "acme", datetime(2025, 12, 1, tzinfo=UTC))  # beta bills in UTC
    run = bill_period(world.ports, "2025-11")
    assert ["b1"] == _referred(run, "beta")
    assert ["c1", "c2", "c3"] == _referred(run, "acme")


def test_a_client_that_left_and_came_back_is_billed_where_it_was_at_each_periods_end() -> None:
    world = World()
    _transfer(world, "c3", "beta", datetime(2025, 10, 10, tzinfo=UTC))
    _transfer(world, "c3", "acme", datetime(2025, 11, 10, tzinfo=UTC))
    ports = world.ports
    october, november = bill_period(ports, "2025-10"), bill_period(ports, "2025-11")
    assert (["c1", "c2"], ["b1", "c3"]) == (_referred(october, "acme"), _referred(october, "beta"))
    assert (["c1", "c2", "c3"], ["b1"]) == (
        _referred(november, "acme"),
        _referred(november, "beta"),
    )


def test_a_client_created_after_the_period_is_not_billed() -> None:
    world = World()
    world.tenancy.teams.add(
        Team.client(
            "c4",
            "C4",
            parent_id="acme",
            operated_by="partner",
            billing_model="reseller",
            created_at=datetime(2025, 12, 3, tzinfo=UTC),
        )
    )
    assert ["c1", "c2", "c3"] == _referred(bill_period(world.ports, "2025-11"), "acme")
    assert ["c1", "c2", "c3", "c4"] == _referred(bill_period(world.ports, "2025-12"), "acme")


def test_late_usage_of_a_period_billed_by_the_former_partner_is_not_billed_again() -> None:
    world = World()
    world.use("c1", 3, datetime(2025, 10, 5, tzinfo=UTC))
    ports = world.ports
    finalise(ports, "2025-10", at=FINALISED_AT, by=SYSTEM)
    _transfer(world, "c1", "beta", datetime(2025, 11, 15, tzinfo=UTC))
    # beta finalised October too, without c1: c1's October usage is acme's, billed there.
    november = bill_period(ports, "2025-11", partner_id="beta")
    kinds = [line.kind for line in november.invoices[0].group("c1").lines]
    assert [LineKind.LICENSE] == kinds


def test_transfers_are_looked_up_by_key_never_by_scanning() -> None:
    world = World()
    _transfer(world, "c1", "beta", datetime(2025, 11, 15, tzinfo=UTC))
    spy = HistorySpy(world.tenancy.history)
    world.store.history = spy  # type: ignore[assignment]
    ports = world.ports
    run = bill_period(ports, "2025-10", partner_id="acme")
    assert ["c1", "c2", "c3"] == _referred(run, "acme")
    assert ["acme"] == spy.partners
    # Its current clients, and the client it transferred away after October: read at once.
    assert ({"c1", "c2", "c3"}, 1) == (set(spy.teams), spy.calls)
