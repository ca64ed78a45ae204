"""Users and memberships: roles fit the team kind, one role per user and team at a time."""

from __future__ import annotations

from collections.abc import Callable
from re import escape

import pytest

from partnercore import ConflictError, InvalidTransitionError, NotFoundError, ValidationError
from partnercore.events import SYSTEM, MembershipAdded, MembershipEnded, UserAdded
from partnercore.memory import InMemoryStore
from partnercore.tenancy import (
    Membership,
    User,
    add_membership,
    add_user,
    archive_team,
    audit_trail,
    end_membership,
)
from tests.tenancy.conftest import (
    T0,
    add_late_teams,
    assert_rejected_without_change,
    at,
    membership_id,
)


def _membership(user: str, team: str, role: str, start: str = "2026-03-01") -> Membership:
    return Membership(user_id=user, team_id=team, role=role, active_from=at(start))


def test_a_user_may_belong_to_several_teams(world: InMemoryStore) -> None:
    add_membership(world, _membership("sam", "c1", "viewer"), at=at("2026-02-01"), by="carol")
    added = add_membership(world, _membership("sam", "d1", "member"), at=T0, by="dora")
    assert ["c1", "d1"] == [m.team_id for m in world.memberships.for_user("sam")]
    assert (
        MembershipAdded(
            at=T0,
            by="dora",
            team_id="d1",
            membership_id=added.id,
            user_id="sam",
            role="member",
            active_from=at("2026-03-01"),
            revision=world.revision(),
        )
        == audit_trail(world, "d1")[-1]
    )


@pytest.mark.parametrize(
    ("team", "role"),
    [("c1", "advisor"), ("c1", "partner_admin"), ("acme", "client_admin"), ("acme", "viewer")],
)
def test_a_role_that_does_not_fit_the_team_kind_is_rejected(
    world: InMemoryStore, team: str, role: str
) -> None:
    assert_rejected_without_change(
        world,
        ValidationError,
        lambda: add_membership(world, _membership("sam", team, role), at=T0, by=SYSTEM),
        f"role: {role} fits",
    )


def test_an_overlapping_membership_in_the_same_team_conflicts(world: InMemoryStore) -> None:
    assert_rejected_without_change(
        world,
        ConflictError,
        lambda: add_membership(
            world, _membership("alice", "acme", "partner_admin"), at=T0, by="paula"
        ),
        "overlapping",
    )


def test_a_duplicate_membership_id_conflicts(world: InMemoryStore) -> None:
    again = Membership(
        user_id="alice", team_id="acme", role="advisor", active_from=at("2026-01-01")
    )
    assert_rejected_without_change(
        world,
        ConflictError,
        lambda: add_membership(world, again, at=T0, by=SYSTEM),
        "already exists",
    )


def test_unknown_users_and_teams_are_not_found(world: InMemoryStore) -> None:
    assert_rejected_without_change(
        world,
        NotFoundError,
        lambda: add_membership(world, _membership("nobody", "c1", "member"), at=T0, by=SYSTEM),
        "unknown user",
    )
    assert_rejected_without_change(
        world,
        NotFoundError,
        lambda: add_membership(world, _membership("sam", "nope", "member"), at=T0, by=SYSTEM),
        "unknown team",
    )


def test_an_archived_team_takes_no_new_members(world: InMemoryStore) -> None:
    archive_team(world, "c3", at=at("2026-02-01"), by="paula")
    assert_rejected_without_change(
        world,
        ValidationError,
        lambda: add_membership(
            world, _membership("sam", "c3", "member"), at=at("2026-03-01"), by=SYSTEM
        ),
        "archived",
    )


@pytest.mark.parametrize(
    ("team", "role"),
    [("x1", "client_admin"), ("late", "partner_admin"), ("late", "advisor")],
)
def test_a_membership_starting_before_the_team_was_created_is_rejected(
    world: InMemoryStore, team: str, role: str
) -> None:
    add_late_teams(world)  # both created 2026-06-01
    early = _membership("sam", team, role, start="2026-05-31T23:59")
    assert_rejected_without_change(
        world,
        ValidationError,
        lambda: add_membership(world, early, at=at("2026-06-01"), by=SYSTEM),
        escape(
            f"active_from: 2026-05-31T23:59:00Z is before team {team!r} was created "
            "(2026-06-01T00:00:00Z)"
        ),
    )
    with pytest.raises(ValidationError) as raised:
        add_membership(world, early, at=at("2026-06-01"), by=SYSTEM)
    assert "active_from" == raised.value.problems[0].path
    on_time = add_membership(
        world, _membership("sam", team, role, start="2026-06-01"), at=at("2026-06-01"), by=SYSTEM
    )
    assert [on_time] == list(world.memberships.between("sam", team))


def test_ending_a_membership_sets_its_end_and_keeps_its_id(world: InMemoryStore) -> None:
    ended = end_membership(world, membership_id("mike"), at=at("2026-04-01"), by="carol")
    assert (membership_id("mike"), at("2026-04-01")) == (ended.id, ended.active_until)
    assert [ended] == list(world.memberships.between("mike", "c1"))
    assert (
        MembershipEnded(
            at=at("2026-04-01"),
            by="carol",
            team_id="c1",
            membership_id=ended.id,
            user_id="mike",
            role="member",
            active_until=at("2026-04-01"),
            revision=world.revision(),
        )
        == audit_trail(world, "c1")[-1]
    )
    add_membership(
        world,
        _membership("mike", "c1", "viewer", start="2026-04-01"),
        at=at("2026-04-01"),
        by="carol",
    )
    assert 2 == len(world.memberships.between("mike", "c1"))


def test_ending_twice_or_before_the_start_is_rejected(world: InMemoryStore) -> None:
    end_membership(world, membership_id("mike"), at=at("2026-04-01"), by="carol")
    assert_rejected_without_change(
        world,
        InvalidTransitionError,
        lambda: end_membership(world, membership_id("mike"), at=at("2026-05-01"), by="carol"),
        "ended",
    )
    assert_rejected_without_change(
        world,
        ValidationError,
        lambda: end_membership(world, membership_id("vera"), at=at("2025-12-01"), by=SYSTEM),
        "must be after the membership starts",
    )


def test_adding_a_user_stores_it_and_appends_an_event(world: InMemoryStore) -> None:
    ann = add_user(world, User("ann", "ann@example.com"), at=at("2026-03-01"), by=SYSTEM)
    assert ann == world.users.get("ann")
    assert [
        UserAdded(
            at=at("2026-03-01"),
            by="system",
            team_id=None,
            user_id="ann",
            email="ann@example.com",
            revision=world.revision(),
        )
    ] == world.events.since(world.revision() - 1)


def test_a_duplicate_user_conflicts(world: InMemoryStore) -> None:
    assert_rejected_without_change(
        world,
        ConflictError,
        lambda: add_user(world, User("sam", "other@example.com"), at=T0, by=SYSTEM),
        "sam",
    )


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: User("", "a@b.example"), "id"),
        (lambda: User("a b", "a@b.example"), "id"),
        (lambda: User("x" * 65, "a@b.example"), "id"),
        (lambda: User("system", "a@b.example"), "id"),
        (lambda: User("ann", "not-an-email"), "email"),
        (lambda: User("ann", "a@b.example", " "), "name"),
        (lambda: _membership("ann", "c1", "boss"), "role"),
        (
            lambda: Membership(user_id="ann", team_id="c1", role="member", active_from="2026"),
            "active_from",
        ),
        (
            lambda: Membership(
                user_id="ann",
                team_id="c1",
                role="member",
                active_from=at("2026-03-01"),
                active_until=at("2026-03-01"),
            ),
            "active_until",
        ),
    ],
)
def test_invalid_records_name_the_field(build: Callable[[], object], field: str) -> None:
    with pytest.raises(ValidationError) as raised:
        build()
    assert field == raised.value.problems[0].path


def test_a_user_name_defaults_to_the_id() -> None:
    assert "ann" == User("ann", "ann@example.com").name
