"""Every tenancy write appends its events: one per fact, with consecutive revisions, the
instant of the act and its actor; the audit trail of a team is the events about it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings

from partnercore.events import SYSTEM, Event
from partnercore.memory import InMemoryStore
from partnercore.tenancy import (
    ALL,
    Grant,
    Membership,
    Team,
    User,
    add_membership,
    add_team,
    add_user,
    archive_team,
    audit_trail,
    create_client,
    create_partner,
    end_membership,
    grant_access,
    reactivate_team,
    restore_partner_access,
    revoke_grant,
    revoke_partner_access,
    suspend_team,
    transfer_client,
)
from tests.strategies.tenancy import TenancyWorld, tenancy_worlds
from tests.tenancy.conftest import at, build_world, membership_id

NOW = at("2026-06-01")

_GRANT = Grant(
    id="g2", partner_id="acme", client_id=ALL, advisor_id="adam", role="advisor",
    granted_at=at("2026-07-01"), granted_by="paula",
)  # fmt: skip
_REVOKED_GRANT = Grant(
    id="g3", partner_id="acme", client_id="c3", advisor_id="adam", role="advisor",
    granted_at=at("2026-03-01"), revoked_at=at("2026-04-01"), revoked_by="paula",
    granted_by="paula",
)  # fmt: skip

# (a write on the shared world, by paula or SYSTEM; the events it appends, as
# (kind, team_id, by, at) and a few facts)
WRITES: dict[str, tuple[Callable[[InMemoryStore], object], list[tuple[Any, ...]]]] = {
    "create_partner": (
        lambda s: create_partner(s, "gamma", "Gamma", at=NOW, by=SYSTEM),
        [("partner_created", "gamma", "system", NOW, {"name": "Gamma"})],
    ),
    "create_client": (
        lambda s: create_client(
            s,
            "c9",
            "Nine",
            partner_id="acme",
            operated_by="partner",
            billing_model="non_reseller",
            at=NOW,
            by="paula",
            organisation_key="nine.example",
        ),
        [
            (
                "client_created",
                "c9",
                "paula",
                NOW,
                {
                    "partner_id": "acme",
                    "operated_by": "partner",
                    "billing_model": "non_reseller",
                    "organisation_key": "nine.example",
                    "name": "Nine",
                },
            ),
        ],
    ),
    "add_team": (
        lambda s: add_team(s, Team.partner("gamma", "Gamma", created_at=NOW), by=SYSTEM),
        [("partner_created", "gamma", "system", NOW, {})],
    ),
    "transfer_client": (
        lambda s: transfer_client(s, "c1", "beta", at=NOW, by=SYSTEM),
        [
            (
                "client_transferred",
                "c1",
                "system",
                NOW,
                {"from_partner": "acme", "to_partner": "beta"},
            )
        ],
    ),
    "suspend_team": (
        lambda s: suspend_team(s, "c2", at=NOW, by="paula"),
        [
            (
                "team_status_changed",
                "c2",
                "paula",
                NOW,
                {"previous": "active", "status": "suspended"},
            )
        ],
    ),
    "archive_team": (
        lambda s: archive_team(s, "c2", at=NOW, by="paula"),
        [("team_status_changed", "c2", "paula", NOW, {"previous": "active", "status": "archived"})],
    ),
    "reactivate_team": (
        lambda s: (
            suspend_team(s, "c2", at=at("2026-05-01"), by="paula"),
            reactivate_team(s, "c2", at=NOW, by="paula"),
        ),
        [
            ("team_status_changed", "c2", "paula", at("2026-05-01"), {"status": "suspended"}),
            (
                "team_status_changed",
                "c2",
                "paula",
                NOW,
                {"previous": "suspended", "status": "active"},
            ),
        ],
    ),
    "add_user": (
        lambda s: add_user(s, User("ann", "ann@example.com"), at=NOW, by=SYSTEM),
        [("user_added", None, "system", NOW, {"user_id": "ann", "email": "ann@example.com"})],
    ),
    "add_membership": (
        lambda s: add_membership(
            s,
            Membership(user_id="sam", team_id="c1", role="viewer", active_from=at("2026-07-01")),
            at=NOW,
            by="paula",
        ),
        [
            (
                "membership_added",
                "c1",
                "paula",
                NOW,
                {
                    "user_id": "sam",
                    "role": "viewer",
                    "active_from": at("2026-07-01"),
                    "active_until": None,
                    "membership_id": "c1/sam/viewer@2026-07-01T00:00:00Z",
                },
            ),
        ],
    ),
    "end_membership": (
        lambda s: end_membership(s, membership_id("vera"), at=NOW, by="paula"),
        [
            (
                "membership_ended",
                "c1",
                "paula",
                NOW,
                {
                    "user_id": "vera",
                    "role": "viewer",
                    "active_until": NOW,
                    "membership_id": membership_id("vera"),
                },
            ),
        ],
    ),
    "grant_access": (
        lambda s: grant_access(s, _GRANT, at=NOW, by="paula"),
        [
            (
                "grant_created",
                "acme",
                "paula",
                NOW,
                {
                    "grant_id": "g2",
                    "client_id": ALL,
                    "advisor_id": "adam",
                    "role": "advisor",
                    "granted_at": at("2026-07-01"),
                    "expires_at": None,
                },
            ),
        ],
    ),
    "grant_access, already revoked": (
        lambda s: grant_access(s, _REVOKED_GRANT, at=NOW, by="paula"),
        [
            ("grant_created", "c3", "paula", NOW, {"grant_id": "g3"}),
            ("grant_revoked", "c3", "paula", at("2026-04-01"), {"grant_id": "g3"}),
        ],
    ),
    "revoke_grant": (
        lambda s: revoke_grant(s, "g1", at=NOW, by="paula"),
        [
            (
                "grant_revoked",
                "c1",
                "paula",
                NOW,
                {"grant_id": "g1", "partner_id": "acme", "client_id": "c1", "advisor_id": "alice"},
            ),
        ],
    ),
    "revoke_partner_access": (
        lambda s: revoke_partner_access(s, "c1", at=NOW, by="carol"),
        [("consent_revoked", "c1", "carol", NOW, {"partner_id": "acme"})],
    ),
    "restore_partner_access": (
        lambda s: (
            revoke_partner_access(s, "c1", at=at("2026-05-01"), by="carol"),
            restore_partner_access(s, "c1", at=NOW, by="carol"),
        ),
        [
            ("consent_revoked", "c1", "carol", at("2026-05-01"), {}),
            ("consent_restored", "c1", "carol", NOW, {"partner_id": "acme"}),
        ],
    ),
}


def _shape(event: Event, facts: dict[str, object]) -> tuple[Any, ...]:
    return (
        event.kind,
        event.team_id,
        event.by,
        event.at,
        {name: getattr(event, name, "(missing)") for name in facts},
    )


@pytest.mark.parametrize("write", list(WRITES))
def test_each_write_appends_its_events_with_the_next_revisions(write: str) -> None:
    operation, expected = WRITES[write]
    world = build_world()
    start = world.revision()
    operation(world)
    events = world.events.since(start)
    assert len(expected) == len(events)
    assert expected == [_shape(e, shape[4]) for e, shape in zip(events, expected, strict=True)]
    assert list(range(start + 1, start + 1 + len(expected))) == [e.revision for e in events]
    assert start + len(expected) == world.revision()


def test_building_the_world_appended_one_event_per_fact_with_no_gaps() -> None:
    world = build_world()
    events = world.events.since(0)
    # 6 teams, 11 users, 10 memberships and 1 grant
    assert 28 == len(events)
    assert list(range(1, 29)) == [event.revision for event in events]
    assert {"system"} == {event.by for event in events}


def test_the_audit_trail_of_a_team_is_its_events_in_order() -> None:
    world = build_world()
    revoke_grant(world, "g1", at=at("2026-05-01"), by="paula")
    revoke_partner_access(world, "c1", at=at("2026-06-01"), by="carol")
    transfer_client(world, "c1", "beta", at=at("2026-07-01"), by=SYSTEM)
    trail = audit_trail(world, "c1")
    assert trail == world.events.about("c1")
    assert [
        "client c1 (Client c1) created under acme, operated by the client, reseller",
        "carol is client_admin of c1 from 2026-01-01T00:00:00Z, open-ended",
        "mike is member of c1 from 2026-01-01T00:00:00Z, open-ended",
        "vera is viewer of c1 from 2026-01-01T00:00:00Z, open-ended",
        "grant g1: alice of acme is advisor on c1 from 2026-02-01T00:00:00Z, "
        "until 2026-11-01T00:00:00Z",
        "grant g1 (alice on c1) revoked",
        "c1 revoked partner acme's data access",
        "client c1 transferred from acme to beta",
    ] == [event.describe() for event in trail]
    assert [] == audit_trail(world, "nobody")


@settings(max_examples=30)
@given(world=tenancy_worlds())
def test_in_any_world_the_events_mirror_the_writes_that_succeeded(world: TenancyWorld) -> None:
    store = world.store
    events = store.events.since(0)
    assert list(range(1, len(events) + 1)) == [event.revision for event in events]
    kinds = [event.kind for event in events]
    assert len(world.teams) == kinds.count("partner_created") + kinds.count("client_created")
    assert len(world.users) == kinds.count("user_added")
    memberships = {m.id for u in world.users for m in store.memberships.for_user(u)}
    assert len(memberships) == kinds.count("membership_added")
    grants = {g.id for p in world.partners for g in store.grants.for_partner(p)}
    assert len(grants) == kinds.count("grant_created")
    revoked = {g.id for p in world.partners for g in store.grants.for_partner(p) if g.revoked_at}
    assert len(revoked) == kinds.count("grant_revoked")
    changes = [c for t in world.teams for c in store.history.for_team(t)]
    assert len(changes) == kinds.count("client_transferred") + kinds.count("team_status_changed")
    consent = [c for t in world.clients for c in store.consents.for_client(t)]
    assert len(consent) == kinds.count("consent_revoked") + kinds.count("consent_restored")
