"""A small partner world shared by the tenancy tests.

Partners ``acme`` and ``beta``. Clients of acme: ``c1`` (client-run, reseller), ``c2``
(partner-operated, non_reseller), ``c3`` (client-run, non_reseller); client of beta: ``d1``.
Users: paula (partner_admin of acme), alice and adam (advisors of acme), bianca
(partner_admin of beta), bob (advisor of beta), carol (client_admin of c1), mike (member
of c1), vera (viewer of c1), cedric (client_admin of c3), dora (client_admin of d1), and
sam, who belongs nowhere. Grant g1 gives alice ``advisor`` on c1 from 2026-02-01 until
2026-11-01. Everything starts 2026-01-01 and is set up by ``SYSTEM``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from partnercore.events import SYSTEM
from partnercore.memory import InMemoryStore
from partnercore.tenancy import (
    Grant,
    Membership,
    User,
    add_membership,
    add_user,
    create_client,
    create_partner,
    grant_access,
)
from tests.strategies.tenancy import tenancy_snapshot

T0 = datetime(2026, 1, 1, tzinfo=UTC)

MEMBERS = {
    "paula": ("acme", "partner_admin"),
    "alice": ("acme", "advisor"),
    "adam": ("acme", "advisor"),
    "bianca": ("beta", "partner_admin"),
    "bob": ("beta", "advisor"),
    "carol": ("c1", "client_admin"),
    "mike": ("c1", "member"),
    "vera": ("c1", "viewer"),
    "cedric": ("c3", "client_admin"),
    "dora": ("d1", "client_admin"),
}


def at(text: str) -> datetime:
    """``"2026-05-01"`` or ``"2026-05-01T12:00"`` as a UTC instant."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# Every team of the world, and ``x1`` and ``late``, a client and a partner some tests add.
TEAMS = ("acme", "beta", "c1", "c2", "c3", "d1", "x1", "late")
USERS = (*MEMBERS, "sam")


def assert_rejected_without_change(
    world: InMemoryStore, error: type[Exception], operation: Callable[[], object], match: str
) -> None:
    """``operation`` raises ``error`` (matching ``match``) and the store holds what it held
    (its events included)."""
    before = tenancy_snapshot(world, TEAMS, USERS)
    with pytest.raises(error, match=match):
        operation()
    assert before == tenancy_snapshot(world, TEAMS, USERS)


def membership_id(user: str) -> str:
    team, role = MEMBERS[user]
    return f"{team}/{user}/{role}@2026-01-01T00:00:00Z"


def add_late_teams(world: InMemoryStore) -> None:
    """``x1``, a client of acme, and ``late``, a partner, both created on 2026-06-01."""
    create_client(
        world,
        "x1",
        "Client x1",
        partner_id="acme",
        operated_by="client",
        billing_model="reseller",
        at=at("2026-06-01"),
        by=SYSTEM,
    )
    create_partner(world, "late", "Late Partners", at=at("2026-06-01"), by=SYSTEM)


def build_world() -> InMemoryStore:
    store = InMemoryStore()
    create_partner(store, "acme", "Acme Advisory", at=T0, by=SYSTEM, timezone="Europe/Paris")
    create_partner(store, "beta", "Beta Consulting", at=T0, by=SYSTEM)
    for client, partner, operated_by, billing_model in [
        ("c1", "acme", "client", "reseller"),
        ("c2", "acme", "partner", "non_reseller"),
        ("c3", "acme", "client", "non_reseller"),
        ("d1", "beta", "client", "reseller"),
    ]:
        create_client(
            store,
            client,
            f"Client {client}",
            partner_id=partner,
            operated_by=operated_by,
            billing_model=billing_model,
            at=T0,
            by=SYSTEM,
        )
    for user in [*MEMBERS, "sam"]:
        add_user(store, User(user, f"{user}@example.com", user.title()), at=T0, by=SYSTEM)
    for user, (team, role) in MEMBERS.items():
        add_membership(
            store,
            Membership(user_id=user, team_id=team, role=role, active_from=T0),
            at=T0,
            by=SYSTEM,
        )
    grant_access(
        store,
        Grant(
            id="g1",
            partner_id="acme",
            client_id="c1",
            advisor_id="alice",
            role="advisor",
            granted_at=at("2026-02-01"),
            expires_at=at("2026-11-01"),
            granted_by="paula",
        ),
        at=at("2026-02-01"),
        by=SYSTEM,
    )
    return store


@pytest.fixture
def world() -> InMemoryStore:
    return build_world()
