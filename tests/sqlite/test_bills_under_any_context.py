"""Bills do not depend on the caller's decimal context, nor on the store.

The library computes in its own decimal context. A host may set any context of its own
(a low precision, another rounding, traps on every signal): the in-memory and the SQLite
stores still give the same bills, equal to those computed in the default context.
"""

from __future__ import annotations

import decimal
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partnercore.billing import (
    BillingAccount,
    PartnerBillingInput,
    PriceBook,
    UsageRecord,
    bill_period,
    calculate_run,
    finalise,
)
from partnercore.events import SYSTEM
from partnercore.licensing import open_license
from partnercore.memory import InMemoryStore
from partnercore.scenario import Scenario, import_scenario, loads, open_scenario
from partnercore.sqlite import SqliteStore
from partnercore.store import Store
from partnercore.tenancy import Membership, create_client, create_partner
from partnercore.testing._hostile import hostile_decimal_context
from partnercore.time import BillingPeriod
from tests.strategies.billing import (
    BILLING_METRICS,
    BILLING_ZONES,
    partner_billing_inputs,
    price_books,
)
from tests.strategies.usage import usage_instants, usage_quantities

JAN = datetime(2026, 1, 1, tzinfo=UTC)
FINALISED_AT = datetime(2027, 6, 1, tzinfo=UTC)
WORLD = Path(__file__).resolve().parent.parent / "data" / "world.toml"

ROUNDINGS = (
    decimal.ROUND_05UP,
    decimal.ROUND_CEILING,
    decimal.ROUND_DOWN,
    decimal.ROUND_FLOOR,
    decimal.ROUND_HALF_DOWN,
    decimal.ROUND_HALF_EVEN,
    decimal.ROUND_HALF_UP,
    decimal.ROUND_UP,
)
SIGNALS = (
    decimal.Clamped,
    decimal.DivisionByZero,
    decimal.FloatOperation,
    decimal.Inexact,
    decimal.InvalidOperation,
    decimal.Overflow,
    decimal.Rounded,
    decimal.Subnormal,
    decimal.Underflow,
)


@st.composite
def caller_contexts(draw: st.DrawFn) -> decimal.Context:
    """Any context a host may set: precision 1 to 50, any rounding, traps on or off."""
    traps = draw(st.one_of(st.just(list(SIGNALS)), st.just([]), st.sets(st.sampled_from(SIGNALS))))
    return decimal.Context(
        prec=draw(st.integers(1, 50)),
        rounding=draw(st.sampled_from(ROUNDINGS)),
        traps=list(traps),
    )


@dataclass(frozen=True)
class World:
    """A partner, three clients with licences, advisors, usage, and usage arriving late."""

    zone: str
    book: PriceBook
    referral_rate: str
    upgrade_at: datetime
    advisor_since: tuple[datetime, ...]
    usage: tuple[UsageRecord, ...]
    late: tuple[UsageRecord, ...]
    period: str


def _records(clients: Sequence[str]) -> st.SearchStrategy[list[UsageRecord]]:
    return st.lists(
        st.builds(
            UsageRecord,
            client_id=st.sampled_from(clients),
            metric=st.sampled_from(BILLING_METRICS),
            quantity=usage_quantities(),
            at=usage_instants(),
        ),
        max_size=10,
    )


@st.composite
def worlds(draw: st.DrawFn) -> World:
    instants = usage_instants()
    return World(
        zone=draw(st.sampled_from(BILLING_ZONES)),
        book=draw(price_books()),
        referral_rate=draw(st.sampled_from(["0", "0.20", "0.125", "0.333"])),
        upgrade_at=draw(instants),
        advisor_since=tuple(draw(st.lists(instants, max_size=3))),
        usage=tuple(draw(_records(["c1", "c2", "c3", "c9"]))),
        late=tuple(draw(_records(["c1", "c2"]))),
        period=draw(st.sampled_from(["2026-10", "2026-11", "2026-12"])),
    )


def _load(world: World, store: Store) -> None:
    create_partner(store, "acme", "Acme", at=JAN, by=SYSTEM, timezone=world.zone)
    for client, model in [("c1", "reseller"), ("c2", "non_reseller"), ("c3", "reseller")]:
        create_client(
            store, client, client.upper(), partner_id="acme", operated_by="partner",
            billing_model=model, at=JAN, by=SYSTEM,
        )  # fmt: skip
    open_license(store, "c1", at=JAN, by=SYSTEM, initial_state="full")
    store.licenses.save(open_license(store, "c2", at=JAN, by=SYSTEM).upgrade(world.upgrade_at))
    open_license(store, "c3", at=JAN, by=SYSTEM)
    for n, since in enumerate(world.advisor_since):
        store.memberships.add(
            Membership(user_id=f"u{n}", team_id="acme", role="advisor", active_from=since)
        )
    store.price_books.add(world.book)
    store.accounts.add(BillingAccount("acme", world.book.id, world.referral_rate))
    for record in world.usage:
        store.usage.add(record)


def _bills(world: World, store: Store) -> list[object]:
    """Bill the period, finalise it, record the late usage, and bill the next period."""
    first = bill_period(store, world.period)
    finalised = finalise(store, world.period, at=FINALISED_AT, by=SYSTEM)
    stored = [store.invoices.get(invoice.id) for invoice in finalised.invoices]
    for record in world.late:
        store.usage.add(record)
    month = BillingPeriod.parse(world.period)
    following = BillingPeriod(month.year + month.month // 12, month.month % 12 + 1)
    second = bill_period(store, following.key)
    return [first.to_dict(), stored, finalised == first, second.to_dict(), second]


def _in_memory(world: World) -> list[object]:
    store = InMemoryStore()
    _load(world, store)
    return _bills(world, store)


def _in_sqlite(world: World) -> list[object]:
    with (
        tempfile.TemporaryDirectory() as folder,
        SqliteStore(Path(folder) / "world.db", synchronous="normal") as store,
    ):
        _load(world, store)
        return _bills(world, store)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(world=worlds(), context=caller_contexts())
def test_memory_and_sqlite_bill_alike_under_any_caller_context(
    world: World, context: decimal.Context
) -> None:
    expected = _in_memory(world)
    with decimal.localcontext(context):
        in_memory = _in_memory(world)
        in_sqlite = _in_sqlite(world)
    assert (expected, expected) == (in_memory, in_sqlite)


@settings(max_examples=60, deadline=None)
@given(inputs=partner_billing_inputs(), context=caller_contexts())
def test_the_calculator_gives_the_same_run_under_any_caller_context(
    inputs: tuple[BillingPeriod, PartnerBillingInput], context: decimal.Context
) -> None:
    period, partner = inputs
    expected = calculate_run(period, [partner])
    with decimal.localcontext(context):
        actual = calculate_run(period, [partner])
    assert (expected, expected.to_dict()) == (actual, actual.to_dict())


# == one hostile context over a whole world: prec 5, ROUND_DOWN, traps on Inexact and Rounded


def _everything(scenario: Scenario) -> list[object]:
    """A year of bills and their monthly summary, every partner's usage totals, the
    statements; then November finalised and read back."""
    year = scenario.bill_range("2026-01", "2026-12", keep_runs=True)
    totals = [
        (partner.id, month, scenario.store.usage.totals(
            BillingPeriod(2026, month, partner.timezone),
            [client.id for client in scenario.clients_of(partner.id)],
        ))
        for partner in scenario.partners()
        for month in range(1, 13)
    ]  # fmt: skip
    finalised = finalise(scenario.store, "2026-11", at=FINALISED_AT, by=SYSTEM)
    stored = [scenario.store.invoices.get(invoice.id) for invoice in finalised.invoices]
    return [year.to_dict(), year.to_rows(), totals, stored, finalised.to_rows()]


def test_a_whole_world_bills_alike_in_both_stores_under_a_hostile_context() -> None:
    text = WORLD.read_text(encoding="utf-8")
    expected = _everything(loads(text))
    with tempfile.TemporaryDirectory() as folder, decimal.localcontext(hostile_decimal_context()):
        in_memory = _everything(loads(text))
        with SqliteStore(Path(folder) / "world.db") as store:
            import_scenario(store, text)
            in_sqlite = _everything(open_scenario(store))
    assert (expected, expected) == (in_memory, in_sqlite)
