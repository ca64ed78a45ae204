"""Every tenancy write authorises its actor (§7): one test per service.

Each refuses an actor without the right with ``AccessDeniedError`` carrying the decision and
writes nothing (no record, no event), and accepts the right actor and ``SYSTEM``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from partnercore import AccessDeniedError, ValidationError
from partnercore.events import SYSTEM, Actor
from partnercore.memory import InMemoryStore
from partnercore.tenancy import (
    Grant,
    Membership,
    PartnerAccess,
    Rule,
    Team,
    User,
    add_membership,
    add_team,
    add_user,
    archive_team,
    change_partner_access,
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
from tests.strategies.tenancy import tenancy_snapshot
from tests.tenancy.conftest import TEAMS, USERS, at, build_world, membership_id

NOW = at("2026-06-01")


def refused(world: InMemoryStore, write: Callable[[], object]) -> tuple[bool, Rule, str]:
    """``write`` raises AccessDeniedError and changes nothing: its decision and message."""
    before = tenancy_snapshot(world, TEAMS, USERS)
    with pytest.raises(AccessDeniedError) as raised:
        write()
    assert before == tenancy_snapshot(world, TEAMS, USERS)
    decision = raised.value.decision
    return (decision.allowed, decision.rule, str(raised.value))


def accepted(write: Callable[[InMemoryStore, Actor], object], *actors: Actor) -> None:
    """``write`` succeeds for each actor, each on a fresh world, and appends events by it."""
    for actor in actors:
        world = build_world()
        start = world.revision()
        write(world, actor)
        events = world.events.since(start)
        assert events
        assert {str(actor)} == {event.by for event in events}


def test_creating_a_partner_is_for_the_system_only() -> None:
    world = build_world()

    def create(store: InMemoryStore, by: Actor) -> object:
        return create_partner(store, "gamma", "Gamma", at=NOW, by=by)

    assert (
        False,
        Rule.DEFAULT,
        "paula may not create partner gamma: only the platform (SYSTEM) may create partner gamma",
    ) == refused(world, lambda: create(world, "paula"))
    accepted(create, SYSTEM)


def test_creating_a_client_needs_client_create_on_its_partner() -> None:
    world = build_world()

    def create(store: InMemoryStore, by: Actor) -> object:
        return create_client(
            store, "c9", "Nine", partner_id="acme", operated_by="client",
            billing_model="reseller", at=NOW, by=by,
        )  # fmt: skip

    assert (
        False,
        Rule.R1,
        "alice may not create client c9 under acme: alice is advisor of acme; advisor does not "
        "hold client.create there",
    ) == refused(world, lambda: create(world, "alice"))
    assert (False, Rule.R5) == refused(world, lambda: create(world, "bianca"))[:2]
    assert (False, Rule.R5) == refused(world, lambda: create(world, "carol"))[:2]
    accepted(create, "paula", SYSTEM)


def test_adding_a_team_record_follows_the_creation_rules_of_its_kind() -> None:
    world = build_world()
    partner = Team.partner("gamma", "Gamma", created_at=NOW)
    client = Team.client(
        "c9", "Nine", parent_id="acme", operated_by="partner", billing_model="reseller",
        created_at=NOW,
    )  # fmt: skip
    assert (False, Rule.DEFAULT) == refused(world, lambda: add_team(world, partner, by="paula"))[:2]
    assert (False, Rule.R5) == refused(world, lambda: add_team(world, client, by="bianca"))[:2]
    accepted(lambda store, by: add_team(store, client, by=by), "paula", SYSTEM)
    accepted(lambda store, by: add_team(store, partner, by=by), SYSTEM)


def test_a_transfer_needs_an_admin_of_both_partners() -> None:
    world = build_world()

    def transfer(store: InMemoryStore, by: Actor) -> object:
        return transfer_client(store, "c1", "beta", at=NOW, by=by)

    assert (
        False,
        Rule.R5,
        "paula may not transfer client c1 from acme to beta: paula belongs to partner acme, not "
        "to beta: nothing reaches across partners",
    ) == refused(world, lambda: transfer(world, "paula"))
    assert (False, Rule.R5) == refused(world, lambda: transfer(world, "bianca"))[:2]
    assert (False, Rule.R1) == refused(world, lambda: transfer(world, "alice"))[:2]

    accepted(transfer, SYSTEM)
    # a partner admin of both partners may
    world = build_world()
    add_user(world, User("olga", "olga@example.com"), at=NOW, by=SYSTEM)
    for partner in ("acme", "beta"):
        olga = Membership(user_id="olga", team_id=partner, role="partner_admin", active_from=NOW)
        add_membership(world, olga, at=NOW, by=SYSTEM)
    start = world.revision()
    transfer(world, "olga")
    assert [("client_transferred", "olga")] == [(e.kind, e.by) for e in world.events.since(start)]


def test_suspending_a_client_needs_team_admin_on_its_partner_and_a_partner_the_system() -> None:
    world = build_world()
    assert (
        False,
        Rule.R1,
        "alice may not suspend client c1: alice is advisor of acme; advisor does not hold "
        "team.admin there",
    ) == refused(world, lambda: suspend_team(world, "c1", at=NOW, by="alice"))
    # a client's own admin does not suspend it: that is its partner's administration
    assert (False, Rule.R5) == refused(
        world, lambda: suspend_team(world, "c1", at=NOW, by="carol")
    )[:2]
    assert (False, Rule.DEFAULT) == refused(
        world, lambda: suspend_team(world, "acme", at=NOW, by="paula")
    )[:2]
    accepted(lambda store, by: suspend_team(store, "c1", at=NOW, by=by), "paula", SYSTEM)
    accepted(lambda store, by: suspend_team(store, "acme", at=NOW, by=by), SYSTEM)


def test_archiving_a_client_needs_team_admin_on_its_partner() -> None:
    world = build_world()
    assert (False, Rule.R5) == refused(
        world, lambda: archive_team(world, "d1", at=NOW, by="paula")
    )[:2]
    assert (False, Rule.R1) == refused(world, lambda: archive_team(world, "d1", at=NOW, by="bob"))[
        :2
    ]
    archive_team(world, "d1", at=NOW, by="bianca")
    assert (False, Rule.DEFAULT) == refused(
        world, lambda: archive_team(world, "beta", at=NOW, by="bianca")
    )[:2]
    accepted(lambda store, by: archive_team(store, "d1", at=NOW, by=by), "bianca", SYSTEM)


def test_reactivating_a_client_needs_team_admin_on_its_partner() -> None:
    def suspended() -> InMemoryStore:
        world = build_world()
        suspend_team(world, "c2", at=at("2026-05-01"), by=SYSTEM)
        return world

    world = suspended()
    assert (False, Rule.R1) == refused(
        world, lambda: reactivate_team(world, "c2", at=NOW, by="adam")
    )[:2]
    assert (False, Rule.DEFAULT) == refused(
        world, lambda: reactivate_team(world, "c2", at=NOW, by="nobody")
    )[:2]
    for actor in ("paula", SYSTEM):
        world = suspended()
        start = world.revision()
        reactivate_team(world, "c2", at=NOW, by=actor)
        assert [str(actor)] == [event.by for event in world.events.since(start)]


def test_adding_a_user_is_for_the_system_only() -> None:
    world = build_world()
    ann = User("ann", "ann@example.com")
    assert (
        False,
        Rule.DEFAULT,
        "paula may not add user ann: only the platform (SYSTEM) may add user ann",
    ) == refused(world, lambda: add_user(world, ann, at=NOW, by="paula"))
    accepted(lambda store, by: add_user(store, ann, at=NOW, by=by), SYSTEM)


def test_adding_a_membership_needs_team_admin_on_the_team() -> None:
    world = build_world()
    member = Membership(user_id="sam", team_id="c1", role="member", active_from=NOW)
    assert (
        False,
        Rule.R1,
        "mike may not add sam to c1 as member: mike is member of c1; member does not hold "
        "team.admin there",
    ) == refused(world, lambda: add_membership(world, member, at=NOW, by="mike"))
    assert (False, Rule.R3) == refused(
        world, lambda: add_membership(world, member, at=NOW, by="alice")
    )[:2]
    advisor = Membership(user_id="sam", team_id="acme", role="advisor", active_from=NOW)
    assert (False, Rule.R1) == refused(
        world, lambda: add_membership(world, advisor, at=NOW, by="alice")
    )[:2]
    # its client admins (R1) and its partner's admins (R2) administer a client team
    accepted(lambda store, by: add_membership(store, member, at=NOW, by=by), "carol", "paula")
    accepted(lambda store, by: add_membership(store, advisor, at=NOW, by=by), "paula", SYSTEM)


def test_ending_a_membership_needs_team_admin_on_the_team() -> None:
    world = build_world()

    def end(store: InMemoryStore, by: Actor) -> object:
        return end_membership(store, membership_id("mike"), at=NOW, by=by)

    assert (False, Rule.R1) == refused(world, lambda: end(world, "vera"))[:2]
    assert (False, Rule.R1) == refused(world, lambda: end(world, "mike"))[:2]
    assert (False, Rule.R5) == refused(world, lambda: end(world, "cedric"))[:2]
    accepted(end, "carol", "paula", SYSTEM)


def test_granting_access_needs_a_partner_admin_of_the_grants_partner() -> None:
    world = build_world()

    def grant(by: str) -> Grant:
        return Grant(
            id="g2", partner_id="acme", client_id="c3", advisor_id="adam", role="advisor",
            granted_at=NOW, granted_by=by,
        )  # fmt: skip

    assert (
        False,
        Rule.R1,
        "alice may not grant advisor on c3 to adam: alice is advisor of acme; advisor does not "
        "hold team.admin there",
    ) == refused(world, lambda: grant_access(world, grant("alice"), at=NOW, by="alice"))
    # a client admin does not grant its partner's advisors access to its team
    assert (False, Rule.R5) == refused(
        world, lambda: grant_access(world, grant("cedric"), at=NOW, by="cedric")
    )[:2]
    assert (False, Rule.R5) == refused(
        world, lambda: grant_access(world, grant("bianca"), at=NOW, by="bianca")
    )[:2]
    accepted(lambda store, by: grant_access(store, grant(str(by)), at=NOW, by=by), "paula", SYSTEM)


def test_revoking_a_grant_needs_a_partner_admin_of_the_grants_partner() -> None:
    world = build_world()
    assert (False, Rule.R1) == refused(
        world, lambda: revoke_grant(world, "g1", at=NOW, by="alice")
    )[:2]
    assert (False, Rule.R5) == refused(
        world, lambda: revoke_grant(world, "g1", at=NOW, by="carol")
    )[:2]
    accepted(lambda store, by: revoke_grant(store, "g1", at=NOW, by=by), "paula", SYSTEM)


def test_revoking_partner_access_is_for_a_client_admin_of_the_client() -> None:
    world = build_world()
    assert (
        False,
        Rule.R4,
        "paula may not revoke partner access to c1: paula is not a client_admin of c1 at "
        "2026-06-01T00:00:00Z: only a client_admin can revoke or restore the partner's data "
        "access",
    ) == refused(world, lambda: revoke_partner_access(world, "c1", at=NOW, by="paula"))
    accepted(lambda store, by: revoke_partner_access(store, "c1", at=NOW, by=by), "carol", SYSTEM)


def test_restoring_partner_access_is_for_a_client_admin_of_the_client() -> None:
    def revoked() -> InMemoryStore:
        world = build_world()
        revoke_partner_access(world, "c1", at=at("2026-05-01"), by="carol")
        return world

    world = revoked()
    assert (False, Rule.R4) == refused(
        world, lambda: restore_partner_access(world, "c1", at=NOW, by="mike")
    )[:2]
    assert (False, Rule.R4) == refused(
        world,
        lambda: change_partner_access(world, "c1", PartnerAccess.RESTORED, at=NOW, by="paula"),
    )[:2]
    for actor in ("carol", SYSTEM):
        world = revoked()
        start = world.revision()
        restore_partner_access(world, "c1", at=NOW, by=actor)
        assert [str(actor)] == [event.by for event in world.events.since(start)]


def test_a_user_id_spelled_system_is_not_the_system_actor() -> None:
    world = build_world()
    assert (
        False,
        Rule.DEFAULT,
        "system may not create client c9 under acme: unknown user 'system'",
    ) == refused(
        world,
        lambda: create_client(
            world,
            "c9",
            "Nine",
            partner_id="acme",
            operated_by="client",
            billing_model="reseller",
            at=NOW,
            by="system",
        ),
    )
    assert (False, Rule.DEFAULT) == refused(
        world, lambda: create_partner(world, "gamma", "Gamma", at=NOW, by="system")
    )[:2]


WRITES: dict[str, Callable[[InMemoryStore, Any], object]] = {
    "create_partner": lambda s, by: create_partner(s, "x", "X", at=NOW, by=by),
    "add_user": lambda s, by: add_user(s, User("ann", "a@b.example"), at=NOW, by=by),
    "suspend_team": lambda s, by: suspend_team(s, "c1", at=NOW, by=by),
    "end_membership": lambda s, by: end_membership(s, membership_id("mike"), at=NOW, by=by),
    "revoke_grant": lambda s, by: revoke_grant(s, "g1", at=NOW, by=by),
    "revoke_partner_access": lambda s, by: revoke_partner_access(s, "c1", at=NOW, by=by),
}


@pytest.mark.parametrize("write", list(WRITES))
@pytest.mark.parametrize("by", [None, "", "a b", 7, datetime(2026, 1, 1)])
def test_an_actor_that_is_neither_a_user_id_nor_system_is_a_validation_error(
    write: str, by: object
) -> None:
    world = build_world()
    before = tenancy_snapshot(world, TEAMS, USERS)
    with pytest.raises(ValidationError) as raised:
        WRITES[write](world, by)
    assert "by" == raised.value.problems[0].path
    assert before == tenancy_snapshot(world, TEAMS, USERS)
