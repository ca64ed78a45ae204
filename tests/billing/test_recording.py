"""Billing's recording services (price books, accounts, usage) are platform operations (§7).

Each refuses any user, a partner admin included, with ``AccessDeniedError`` carrying a
``default`` decision and writes nothing (no record, no event); bad input is refused the same
way, with the library's own error; ``SYSTEM`` writes and appends the events.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from partnercore import AccessDeniedError, ConflictError, NotFoundError, ValidationError
from partnercore.billing import (
    BillingAccount,
    add_price_book,
    open_billing_account,
    record_usage,
    save_price_book,
)
from partnercore.events import SYSTEM, Actor, PriceBookChanged, UsageRecorded
from partnercore.store import Store
from partnercore.tenancy import Rule, create_partner
from partnercore.time import BillingPeriod
from tests.billing.world import T0, book, stored, use

NOW = datetime(2026, 4, 2, tzinfo=UTC)
APRIL = datetime(2026, 4, 1, 9, tzinfo=UTC)


def refused(store: Store, write: Callable[[], object]) -> tuple[bool, Rule, str]:
    """``write`` raises AccessDeniedError and stores nothing: its decision and message."""
    before = stored(store)
    with pytest.raises(AccessDeniedError) as raised:
        write()
    assert before == stored(store)
    decision = raised.value.decision
    return (decision.allowed, decision.rule, str(raised.value))


def rejected(store: Store, error: type[Exception], write: Callable[[], object], match: str) -> None:
    """``write`` raises ``error`` (matching ``match``) and stores nothing."""
    before = stored(store)
    with pytest.raises(error, match=match):
        write()
    assert before == stored(store)


def new_events(store: Store, write: Callable[[], object]) -> list[tuple[object, ...]]:
    """The events ``write`` appends, as (kind, team, by, at)."""
    start = store.revision()
    write()
    return [(event.kind, event.team_id, event.by, event.at) for event in store.events.since(start)]


# -- usage ----------------------------------------------------------------------------------


@pytest.mark.parametrize("by", ["paula", "bianca", "carol", "sam", "nobody"])
def test_only_the_system_records_usage(store: Store, by: Actor) -> None:
    assert (
        False,
        Rule.DEFAULT,
        f"{by} may not record usage: only the platform (SYSTEM) may record usage",
    ) == refused(store, lambda: record_usage(store, [use("c1", 1, APRIL)], at=NOW, by=by))


def test_recorded_usage_is_billed_and_appends_one_event_per_client(store: Store) -> None:
    records = [use("c2", 1, APRIL), use("c1", 2, APRIL), use("c1", 4, APRIL)]

    events = new_events(store, lambda: record_usage(store, records, at=NOW, by=SYSTEM))

    assert [
        ("usage_recorded", "c1", "system", NOW),
        ("usage_recorded", "c2", "system", NOW),
    ] == events
    c1, c2 = store.events.since(store.revision() - 2)
    assert isinstance(c1, UsageRecorded)
    assert isinstance(c2, UsageRecorded)
    assert ((2, ("assessments",)), (1, ("assessments",))) == (
        (c1.records, c1.metrics),
        (c2.records, c2.metrics),
    )
    [total] = store.usage.totals(BillingPeriod(2026, 4), ["c1"])
    assert 6 == total.quantity


def test_usage_dated_before_its_client_was_created_is_refused_with_its_batch(
    store: Store,
) -> None:
    early = datetime(2025, 12, 31, 23, tzinfo=UTC)
    rejected(
        store,
        ValidationError,
        lambda: record_usage(store, [use("c1", 1, APRIL), use("c2", 1, early)], at=NOW, by=SYSTEM),
        r"records\[1\]\.at: 2025-12-31T23:00:00Z is before client 'c2' was created "
        r"\(2026-01-01T00:00:00Z\)",
    )


def test_usage_of_an_unknown_client_is_not_found_and_stores_nothing(store: Store) -> None:
    rejected(
        store,
        NotFoundError,
        lambda: record_usage(store, [use("c1", 1, APRIL), use("c9", 1, APRIL)], at=NOW, by=SYSTEM),
        "c9",
    )


def test_usage_of_a_partner_team_is_refused(store: Store) -> None:
    rejected(
        store,
        ValidationError,
        lambda: record_usage(store, [use("acme", 1, APRIL)], at=NOW, by=SYSTEM),
        r"records\[0\]\.client_id: 'acme' is a partner, not a client",
    )


def test_anything_but_usage_records_is_refused(store: Store) -> None:
    rejected(
        store,
        ValidationError,
        lambda: record_usage(store, [use("c1", 1, APRIL), "3 assessments"], at=NOW, by=SYSTEM),  # type: ignore[list-item]
        r"records\[1\]",
    )


def test_an_actor_that_is_no_user_id_is_refused(store: Store) -> None:
    rejected(
        store,
        ValidationError,
        lambda: record_usage(store, [use("c1", 1, APRIL)], at=NOW, by=""),
        "by",
    )


# -- price books -------------------------------------------------------------------------


@pytest.mark.parametrize("by", ["paula", "bianca", "sam"])
def test_only_the_system_adds_or_changes_price_books(store: Store, by: Actor) -> None:
    assert (False, Rule.DEFAULT) == refused(
        store, lambda: add_price_book(store, book("premium"), at=NOW, by=by)
    )[:2]
    assert (False, Rule.DEFAULT) == refused(
        store, lambda: save_price_book(store, book(fee="1.00"), at=NOW, by=by)
    )[:2]


def test_the_system_adds_and_replaces_price_books_with_an_event_each(store: Store) -> None:
    added = new_events(store, lambda: add_price_book(store, book("premium"), at=NOW, by=SYSTEM))
    saved = new_events(store, lambda: save_price_book(store, book(fee="450.00"), at=NOW, by=SYSTEM))
    assert (
        [("price_book_changed", None, "system", NOW)],
        [("price_book_changed", None, "system", NOW)],
        book("premium"),
        book(fee="450.00"),
    ) == (added, saved, store.price_books.get("premium"), store.price_books.get("standard"))
    last = store.events.since(store.revision() - 1)[0]
    assert isinstance(last, PriceBookChanged)
    assert ("standard", "USD") == (last.price_book_id, last.currency)


def test_a_taken_price_book_id_is_a_conflict_and_stores_nothing(store: Store) -> None:
    rejected(
        store,
        ConflictError,
        lambda: add_price_book(store, book(fee="1.00"), at=NOW, by=SYSTEM),
        "standard",
    )


def test_saving_an_unknown_price_book_is_not_found_and_stores_nothing(store: Store) -> None:
    rejected(
        store,
        NotFoundError,
        lambda: save_price_book(store, book("premium"), at=NOW, by=SYSTEM),
        "premium",
    )


# -- billing accounts --------------------------------------------------------------------


@pytest.mark.parametrize("by", ["paula", "bianca", "alice", "sam"])
def test_only_the_system_opens_billing_accounts(store: Store, by: Actor) -> None:
    create_partner(store, "gamma", "Gamma", at=T0, by=SYSTEM)
    assert (
        False,
        Rule.DEFAULT,
        f"{by} may not open billing accounts: only the platform (SYSTEM) may open billing accounts",
    ) == refused(
        store,
        lambda: open_billing_account(
            store, BillingAccount("gamma", "standard", "0.15"), at=NOW, by=by
        ),
    )


def test_the_system_opens_an_account_with_an_event_about_the_partner(store: Store) -> None:
    create_partner(store, "gamma", "Gamma", at=T0, by=SYSTEM)
    account = BillingAccount("gamma", "standard", "0.15")

    events = new_events(store, lambda: open_billing_account(store, account, at=NOW, by=SYSTEM))

    assert ([("price_book_changed", "gamma", "system", NOW)], account) == (
        events,
        store.accounts.get("gamma"),
    )


@pytest.mark.parametrize(
    ("account", "error", "match"),
    [
        (BillingAccount("c1", "standard", "0.15"), ValidationError, "partner_id: 'c1' is a client"),
        (BillingAccount("zeta", "standard", "0.15"), NotFoundError, "zeta"),
        (BillingAccount("gamma", "missing", "0.15"), NotFoundError, "missing"),
        (BillingAccount("acme", "standard", "0.30"), ConflictError, "acme"),
    ],
    ids=["a client team", "an unknown partner", "an unknown price book", "a second account"],
)
def test_an_account_that_cannot_be_opened_stores_nothing(
    store: Store, account: BillingAccount, error: type[Exception], match: str
) -> None:
    create_partner(store, "gamma", "Gamma", at=T0, by=SYSTEM)
    rejected(
        store,
        error,
        lambda: open_billing_account(store, account, at=NOW, by=SYSTEM),
        match,
    )
