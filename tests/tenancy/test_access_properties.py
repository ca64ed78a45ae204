"""Properties of the access rules over random worlds built through the services."""

from __future__ import annotations

from datetime import datetime

from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st

from partnercore.tenancy import (
    ALL,
    PARTNER_ROLES,
    Permission,
    Rule,
    TeamKind,
    check,
    parent_at,
    teams,
    who,
)
from tests.strategies.tenancy import TENANCY_DAYS, TenancyWorld, tenancy_day, tenancy_worlds

instants = st.integers(0, TENANCY_DAYS + 2).map(tenancy_day)
permissions = st.sampled_from(list(Permission))


def _partner_of(world: TenancyWorld, team_id: str, day: datetime) -> str:
    team = world.store.teams.get(team_id)
    if team.kind is TeamKind.PARTNER:
        return team.id
    return parent_at(team, world.store.history.for_team(team_id), day) or ""


@given(world=tenancy_worlds(), when=instants)
def test_no_permission_ever_crosses_partners(world: TenancyWorld, when: datetime) -> None:
    store = world.store
    for user in world.users:
        memberships = [m for m in store.memberships.for_user(user) if m.active_at(when)]
        for team in world.teams:
            partner = _partner_of(world, team, when)
            for permission in Permission:
                decision = check(store, user, permission, team, when)
                if not decision.allowed:
                    continue
                # R1 on the team itself, or a partner role in the team's partner at that time
                assert any(
                    m.team_id == team or (m.role in PARTNER_ROLES and m.team_id == partner)
                    for m in memberships
                ), (user, permission, team, decision)


@given(world=tenancy_worlds(), when=instants, permission=permissions)
def test_teams_is_checking_every_team_one_by_one(
    world: TenancyWorld, when: datetime, permission: Permission
) -> None:
    for user in world.users:
        expected = sorted(
            t for t in world.teams if check(world.store, user, permission, t, when).allowed
        )
        assert expected == teams(world.store, user, permission, when)


@given(world=tenancy_worlds(), when=instants, permission=permissions)
def test_who_is_checking_every_user_one_by_one(
    world: TenancyWorld, when: datetime, permission: Permission
) -> None:
    for team in world.teams:
        expected = []
        for user in world.users:
            decision = check(world.store, user, permission, team, when)
            if decision.allowed:
                expected.append((user, decision.rule, decision.via))
        holders = who(world.store, team, permission, when)
        assert expected == [(h.user_id, h.rule, h.via) for h in holders]


@given(world=tenancy_worlds(), when=instants)
def test_every_decision_explains_itself(world: TenancyWorld, when: datetime) -> None:
    for user in world.users:
        for team in world.teams:
            for permission in Permission:
                decision = check(world.store, user, permission, team, when)
                assert decision.explanation.strip()
                assert decision.allowed == (decision.via is not None)


@given(world=tenancy_worlds(watch_rejections=True))
def test_rejected_operations_leave_the_store_unchanged(world: TenancyWorld) -> None:
    assert () == world.changed_by_rejected


@given(world=tenancy_worlds(), when=instants)
def test_nothing_is_allowed_on_a_team_before_it_was_created(
    world: TenancyWorld, when: datetime
) -> None:
    for team in world.teams:
        created_at = world.store.teams.get(team).created_at
        if when >= created_at:
            continue
        for user in world.users:
            for permission in Permission:
                decision = check(world.store, user, permission, team, when)
                assert (False, Rule.DEFAULT) == (decision.allowed, decision.rule)
                assert f"team {team} was created at " in decision.explanation
        assert [] == who(world.store, team, Permission.TEAM_VIEW, when)


@given(world=tenancy_worlds())
def test_no_client_membership_or_grant_starts_before_its_teams_exist(world: TenancyWorld) -> None:
    store = world.store
    for team in world.teams:
        created_at = store.teams.get(team).created_at
        first_partner = _partner_of(world, team, created_at)
        assert store.teams.get(first_partner).created_at <= created_at
        for membership in store.memberships.for_team(team):
            assert created_at <= membership.active_from
        for grant in store.grants.for_partner(team):
            assert created_at <= grant.granted_at
            if grant.client_id != ALL:
                assert store.teams.get(grant.client_id).created_at <= grant.granted_at


def test_random_worlds_create_their_teams_at_different_instants() -> None:
    def staggered(world: TenancyWorld) -> bool:
        days = {world.store.teams.get(team).created_at for team in world.teams}
        return len(days) > 2 and any(r.startswith("create ") for r in world.rejected)

    # found, not shrunk: the point is that such worlds are drawn at all
    found = find(tenancy_worlds(), staggered, settings=settings(phases=[Phase.generate]))
    assert staggered(found)
