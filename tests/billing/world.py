"""A small billing world built through the write services, in either store.

Partners ``acme`` (Europe/Paris) and ``beta`` (UTC). Clients of acme: ``c1`` (reseller) and
``c2`` (non-reseller); of beta: ``b1`` (reseller); all ``full`` from 1 January 2026. Users:
paula (partner_admin of acme), alice (advisor of acme), bianca (partner_admin of beta), carol
(client_admin of c1) and sam, who belongs nowhere. Price book ``standard`` (USD); acme's
account at 0.20, beta's at 0.10; a few assessments in February and March. Everything is set
up by ``SYSTEM`` on 1 January 2026.
"""

from __future__ import annotations

from datetime import UTC, datetime

from partnercore.billing import (
    BillingAccount,
    PriceBook,
    UsageRecord,
    add_price_book,
    open_billing_account,
    record_usage,
)
from partnercore.events import SYSTEM
from partnercore.licensing import open_license
from partnercore.store import Store
from partnercore.tenancy import (
    Membership,
    User,
    add_membership,
    add_user,
    create_client,
    create_partner,
)
from partnercore.time import BillingPeriod

T0 = datetime(2026, 1, 1, tzinfo=UTC)
PARTNERS = ("acme", "beta")
CLIENTS = ("b1", "c1", "c2")
BOOKS = ("premium", "standard")
MONTHS = ("2026-01", "2026-02", "2026-03", "2026-04")
MEMBERS = {
    "paula": ("acme", "partner_admin"),
    "alice": ("acme", "advisor"),
    "bianca": ("beta", "partner_admin"),
    "carol": ("c1", "client_admin"),
}


def book(book_id: str = "standard", fee: str = "400.00") -> PriceBook:
    return PriceBook.of(
        book_id,
        "USD",
        advisor_monthly_fee="50.00",
        full_license_monthly_fee=fee,
        usage={"assessments": "5.00"},
    )


def use(client: str, quantity: int, at: datetime) -> UsageRecord:
    return UsageRecord(client_id=client, metric="assessments", quantity=quantity, at=at)


def build(store: Store) -> Store:
    """The world of this module, written into ``store``."""
    create_partner(store, "acme", "Acme", at=T0, by=SYSTEM, timezone="Europe/Paris")
    create_partner(store, "beta", "Beta", at=T0, by=SYSTEM)
    for client, partner, model in [
        ("c1", "acme", "reseller"),
        ("c2", "acme", "non_reseller"),
        ("b1", "beta", "reseller"),
    ]:
        create_client(
            store, client, client.upper(), partner_id=partner, operated_by="partner",
            billing_model=model, at=T0, by=SYSTEM,
        )  # fmt: skip
        open_license(store, client, at=T0, by=SYSTEM, initial_state="full")
    for user in [*MEMBERS, "sam"]:
        add_user(store, User(user, f"{user}@example.com", user.title()), at=T0, by=SYSTEM)
    for user, (team, role) in MEMBERS.items():
        membership = Membership(user_id=user, team_id=team, role=role, active_from=T0)
        add_membership(store, membership, at=T0, by=SYSTEM)
    add_price_book(store, book(), at=T0, by=SYSTEM)
    open_billing_account(store, BillingAccount("acme", "standard", "0.20"), at=T0, by=SYSTEM)
    open_billing_account(store, BillingAccount("beta", "standard", "0.10"), at=T0, by=SYSTEM)
    record_usage(
        store,
        [
            use("c1", 3, datetime(2026, 2, 5, tzinfo=UTC)),
            use("c2", 2, datetime(2026, 2, 6, tzinfo=UTC)),
            use("b1", 1, datetime(2026, 3, 7, tzinfo=UTC)),
        ],
        at=T0,
        by=SYSTEM,
    )
    return store


def stored(store: Store) -> tuple[object, ...]:
    """Everything billing may have written: invoices, usage totals, price books, accounts,
    events."""
    return (
        [store.invoices.for_partner(partner, month) for partner in PARTNERS for month in MONTHS],
        [store.usage.totals(BillingPeriod.parse(month), CLIENTS) for month in MONTHS],
        [store.price_books.find(book_id) for book_id in BOOKS],
        [store.accounts.find(partner) for partner in PARTNERS],
        store.events.since(0),
    )
