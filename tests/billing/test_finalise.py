"""Finalising: who may (§3, §7), what it stores and the events it appends, all or nothing.

``finalise(store, period, partner_id=P)`` is for a partner admin of P (``billing.manage`` on
the partner team) or ``SYSTEM``; finalising every partner at once is for ``SYSTEM`` only. A
refused, conflicting or failed finalisation stores no invoice and appends no event.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from partnercore import AccessDeniedError, ConflictError, ValidationError
from partnercore.billing import bill_period, finalise, record_usage
from partnercore.events import SYSTEM, Actor, InvoiceFinalised
from partnercore.store import Store
from partnercore.tenancy import Rule, end_membership
from tests.billing.world import stored, use

AT = datetime(2026, 4, 2, 9, tzinfo=UTC)
"""When the finalisations happen (after March ended everywhere)."""


def refused(store: Store, write: Callable[[], object]) -> tuple[bool, Rule, str]:
    """``write`` raises AccessDeniedError and stores nothing: its decision and message."""
    before = stored(store)
    with pytest.raises(AccessDeniedError) as raised:
        write()
    assert before == stored(store)
    decision = raised.value.decision
    return (decision.allowed, decision.rule, str(raised.value))


def finalised(store: Store, since: int) -> list[tuple[str, str | None, str, str, str, str]]:
    """The invoice_finalised events after revision ``since``: (invoice, team, partner, period,
    total, by)."""
    found = []
    for event in store.events.since(since):
        assert isinstance(event, InvoiceFinalised)
        assert AT == event.at
        found.append(
            (
                event.invoice_id,
                event.team_id,
                event.partner_id,
                event.period,
                f"{event.total} {event.currency}",
                event.by,
            )
        )
    return found


# -- who may ------------------------------------------------------------------------------


def test_a_partner_admin_finalises_their_partners_invoices(store: Store) -> None:
    start = store.revision()

    run = finalise(store, "2026-02", at=AT, by="paula", partner_id="acme")

    assert (
        ["inv-acme-2026-02", "inv-c2-2026-02"],
        [invoice.id for invoice in store.invoices.for_partner("acme", "2026-02")],
        [
            ("inv-c2-2026-02", "c2", "acme", "2026-02", "410.00 USD", "paula"),
            ("inv-acme-2026-02", "acme", "acme", "2026-02", "515.00 USD", "paula"),
        ],
    ) == (
        [invoice.id for invoice in run.invoices],
        sorted(invoice.id for invoice in run.invoices),
        finalised(store, start),
    )


def test_an_advisor_may_not_finalise_their_partners_invoices(store: Store) -> None:
    assert (
        False,
        Rule.R1,
        "alice may not finalise acme's invoices: alice is advisor of acme; advisor does not hold "
        "billing.manage there",
    ) == refused(store, lambda: finalise(store, "2026-02", at=AT, by="alice", partner_id="acme"))


@pytest.mark.parametrize(
    ("by", "rule", "why"),
    [
        ("bianca", Rule.R5, "bianca belongs to partner beta, not to acme: nothing reaches across "
         "partners"),
        ("carol", Rule.R5, "carol is client_admin of client c1; a client's members hold nothing "
         "on their partner team acme"),
        ("sam", Rule.DEFAULT, "no membership in acme"),
    ],
)  # fmt: skip
def test_no_one_else_but_the_partners_admins_finalises_its_invoices(
    store: Store, by: str, rule: Rule, why: str
) -> None:
    assert (False, rule, f"{by} may not finalise acme's invoices: {why}") == refused(
        store, lambda: finalise(store, "2026-02", at=AT, by=by, partner_id="acme")
    )


def test_an_unknown_user_is_refused_by_default(store: Store) -> None:
    assert (
        False,
        Rule.DEFAULT,
        "nobody may not finalise acme's invoices: unknown user 'nobody'",
    ) == (refused(store, lambda: finalise(store, "2026-02", at=AT, by="nobody", partner_id="acme")))


def test_a_partner_admin_whose_membership_ended_may_no_longer_finalise(store: Store) -> None:
    memberships = store.memberships.for_team("acme")
    [paula] = [membership for membership in memberships if membership.user_id == "paula"]
    end_membership(store, paula.id, at=datetime(2026, 3, 15, tzinfo=UTC), by=SYSTEM)

    assert (
        False,
        Rule.R1,
        "paula may not finalise acme's invoices: paula's membership in acme ended "
        "2026-03-15T00:00:00Z",
    ) == refused(store, lambda: finalise(store, "2026-02", at=AT, by="paula", partner_id="acme"))


@pytest.mark.parametrize("by", ["paula", "bianca", "alice"])
def test_only_the_system_finalises_every_partners_invoices_at_once(store: Store, by: Actor) -> None:
    assert (
        False,
        Rule.DEFAULT,
        f"{by} may not finalise every partner's invoices: only the platform (SYSTEM) may "
        "finalise every partner's invoices",
    ) == refused(store, lambda: finalise(store, "2026-02", at=AT, by=by))


def test_an_actor_that_is_no_user_id_is_refused(store: Store) -> None:
    before = stored(store)
    with pytest.raises(ValidationError, match="by"):
        finalise(store, "2026-02", at=AT, by=42, partner_id="acme")  # type: ignore[arg-type]
    assert before == stored(store)


# -- what it stores, and its events ------------------------------------------------------------


def test_the_system_finalises_every_partner_with_one_event_per_invoice(store: Store) -> None:
    start = store.revision()

    run = finalise(store, "2026-03", at=AT, by=SYSTEM)

    assert (
        [
            ("inv-acme-2026-03", "acme", "acme", "2026-03", "500.00 USD", "system"),
            ("inv-beta-2026-03", "beta", "beta", "2026-03", "455.00 USD", "system"),
            ("inv-c2-2026-03", "c2", "acme", "2026-03", "400.00 USD", "system"),
        ],
        ["inv-acme-2026-03", "inv-beta-2026-03", "inv-c2-2026-03"],
    ) == (
        sorted(finalised(store, start)),
        sorted(invoice.id for invoice in run.invoices),
    )


def test_finalising_again_with_identical_results_stores_nothing_and_appends_no_event(
    store: Store,
) -> None:
    first = finalise(store, "2026-02", at=AT, by=SYSTEM)
    before = stored(store)

    again = finalise(store, "2026-02", at=AT, by="paula", partner_id="acme")

    assert (before, first.invoices_of("acme")) == (stored(store), again.invoices_of("acme"))


def test_finalising_a_period_stored_in_part_stores_and_announces_only_what_is_missing(
    store: Store,
) -> None:
    # An earlier run stored the client's invoice, and stopped before the partner's.
    store.invoices.add(bill_period(store, "2026-02").invoice("inv-c2-2026-02"))
    start = store.revision()

    finalise(store, "2026-02", at=AT, by=SYSTEM, partner_id="acme")

    assert [("inv-acme-2026-02", "acme", "acme", "2026-02", "515.00 USD", "system")] == (
        finalised(store, start)
    )


def test_a_conflicting_finalisation_stores_nothing_for_any_partner(store: Store) -> None:
    finalise(store, "2026-02", at=AT, by=SYSTEM, partner_id="acme")
    record_usage(store, [use("c1", 1, datetime(2026, 2, 20, tzinfo=UTC))], at=AT, by=SYSTEM)
    before = stored(store)

    # acme's February differs now; beta's is new, and is not stored either.
    with pytest.raises(ConflictError, match="inv-acme-2026-02"):
        finalise(store, "2026-02", at=AT, by=SYSTEM)

    assert before == stored(store)
    assert [] == store.invoices.for_partner("beta", "2026-02")


def test_a_finalisation_in_a_hosts_unit_of_work_that_fails_leaves_nothing(store: Store) -> None:
    before = stored(store)

    def host() -> None:
        with store.unit_of_work():
            finalise(store, "2026-02", at=AT, by=SYSTEM)
            seen.append(len(store.invoices.for_partner("acme", "2026-02")))
            raise RuntimeError("the host's own write failed")

    seen: list[int] = []
    with pytest.raises(RuntimeError, match="the host's own write failed"):
        host()

    assert ([2], before) == (seen, stored(store))
