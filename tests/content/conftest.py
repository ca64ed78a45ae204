"""A small content world: two partners, their clients and users, open and partner items."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from partnercore.content import ContentItem, ContentPrice, add_item, select
from partnercore.events import SYSTEM
from partnercore.memory import InMemoryStore
from partnercore.money import Money
from partnercore.tenancy import (
    Membership,
    User,
    add_membership,
    add_user,
    create_client,
    create_partner,
)

JAN_1 = datetime(2026, 1, 1, tzinfo=UTC)
NOV_1 = datetime(2026, 11, 1, tzinfo=UTC)
NOV_3 = datetime(2026, 11, 3, tzinfo=UTC)
NOV_5 = datetime(2026, 11, 5, tzinfo=UTC)
NOV_10 = datetime(2026, 11, 10, tzinfo=UTC)
NOV_20 = datetime(2026, 11, 20, tzinfo=UTC)
DEC_1 = datetime(2026, 12, 1, tzinfo=UTC)
DEC_5 = datetime(2026, 12, 5, tzinfo=UTC)
JAN_5 = datetime(2027, 1, 5, tzinfo=UTC)


def usd(amount: str) -> Money:
    return Money.of(amount, "USD")


def build_world() -> InMemoryStore:
    """acme (clients c1, c2) and bolt (client c3); paula admins acme, alice advises it,
    bob admins bolt, carol admins c1 and mia is a member of c1."""
    store = InMemoryStore()
    create_partner(store, "acme", "Acme Advisory", at=JAN_1, by=SYSTEM)
    create_partner(store, "bolt", "Bolt Consulting", at=JAN_1, by=SYSTEM)
    for client, name, partner, operated_by, billing_model in [
        ("c1", "Client One", "acme", "client", "reseller"),
        ("c2", "Client Two", "acme", "partner", "non_reseller"),
        ("c3", "Client Three", "bolt", "client", "reseller"),
    ]:
        create_client(
            store,
            client,
            name,
            partner_id=partner,
            operated_by=operated_by,
            billing_model=billing_model,
            at=JAN_1,
            by=SYSTEM,
        )
    for user, team, role in [
        ("paula", "acme", "partner_admin"),
        ("alice", "acme", "advisor"),
        ("bob", "bolt", "partner_admin"),
        ("carol", "c1", "client_admin"),
        ("mia", "c1", "member"),
    ]:
        add_user(store, User(id=user, email=f"{user}@example.com"), at=JAN_1, by=SYSTEM)
        add_membership(
            store,
            Membership(user_id=user, team_id=team, role=role, active_from=JAN_1),
            at=JAN_1,
            by=SYSTEM,
        )
    for item in [
        ContentItem.create(
            id="iso27001",
            kind="framework",
            title="ISO/IEC 27001:2022",
            owner="platform",
            version=3,
            status="published",
        ),
        ContentItem.create(
            id="nist-csf",
            kind="framework",
            title="NIST CSF 2.0",
            owner="platform",
            status="published",
        ),
        ContentItem.create(
            id="soc2-draft",
            kind="control_set",
            title="SOC 2 controls",
            owner="platform",
        ),
        ContentItem.create(
            id="acme-gap",
            kind="assessment_template",
            title="Acme gap assessment",
            owner="acme",
            version=2,
            status="published",
            price=ContentPrice(usd("25.00"), "monthly"),
        ),
        ContentItem.create(
            id="acme-policies",
            kind="policy_template",
            title="Acme policy pack",
            owner="acme",
            status="published",
            price=ContentPrice(usd("100.00"), "one_off"),
        ),
        ContentItem.create(
            id="acme-risks",
            kind="risk_library",
            title="Acme risk library",
            owner="acme",
            status="published",
        ),
        ContentItem.create(
            id="acme-draft",
            kind="framework",
            title="Acme next framework",
            owner="acme",
        ),
        ContentItem.create(
            id="bolt-pack",
            kind="control_set",
            title="Bolt controls",
            owner="bolt",
            status="published",
            price=ContentPrice(usd("40.00"), "monthly"),
        ),
    ]:
        add_item(store, item, at=JAN_1, by=SYSTEM)
    select(store, "acme", "iso27001", at=JAN_1, by=SYSTEM, since_always=True)
    return store


@pytest.fixture
def world() -> InMemoryStore:
    return build_world()
