"""Each tenancy write is one unit of work, and a host can wrap several in one of its own."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from partnercore import AccessDeniedError
from partnercore.events import SYSTEM
from partnercore.memory import InMemoryStore
from partnercore.tenancy import (
    Team,
    User,
    add_user,
    revoke_grant,
    suspend_team,
    transfer_client,
)
from tests.strategies.tenancy import tenancy_snapshot
from tests.tenancy.conftest import TEAMS, USERS, at, build_world

NOW = at("2026-06-01")


class _Refused(Exception):
    """What a host's own code raises inside a unit of work, in these tests."""


class _FailingTeams:
    """The store's teams, whose ``save`` fails (a lost connection, a full disk)."""

    def __init__(self, teams: object) -> None:
        self._teams = teams

    def __getattr__(self, name: str) -> object:
        return getattr(self._teams, name)

    def save(self, team: Team) -> None:
        raise OSError("the disk is full")


def test_a_host_wraps_several_services_and_its_own_work_in_one_unit() -> None:
    world = build_world()
    start = world.revision()
    with world.unit_of_work():
        revoke_grant(world, "g1", at=NOW, by="paula")
        suspend_team(world, "c2", at=NOW, by="paula")
        add_user(world, User("ann", "ann@example.com"), at=NOW, by=SYSTEM)
    events = world.events.since(start)
    assert ["grant_revoked", "team_status_changed", "user_added"] == [e.kind for e in events]
    assert [start + 1, start + 2, start + 3] == [e.revision for e in events]


def test_an_error_leaving_the_hosts_unit_undoes_every_service_in_it() -> None:
    world = build_world()
    before = tenancy_snapshot(world, TEAMS, (*USERS, "ann"))

    def host() -> None:
        with world.unit_of_work():
            revoke_grant(world, "g1", at=NOW, by="paula")
            transfer_client(world, "c1", "beta", at=NOW, by=SYSTEM)
            add_user(world, User("ann", "ann@example.com"), at=NOW, by=SYSTEM)
            raise _Refused

    with pytest.raises(_Refused):
        host()
    assert before == tenancy_snapshot(world, TEAMS, (*USERS, "ann"))
    # and the store goes on as if nothing had happened: no revision was used up
    start = world.revision()
    revoke_grant(world, "g1", at=NOW, by="paula")
    assert [start + 1] == [event.revision for event in world.events.since(start)]


def test_a_refused_service_inside_the_hosts_unit_leaves_the_others_to_commit() -> None:
    world = build_world()
    start = world.revision()
    with world.unit_of_work():
        revoke_grant(world, "g1", at=NOW, by="paula")
        with pytest.raises(AccessDeniedError):
            transfer_client(world, "c1", "beta", at=NOW, by="paula")
    assert ["grant_revoked"] == [e.kind for e in world.events.since(start)]
    assert ("acme", ()) == (world.teams.get("c1").parent_id, world.history.for_team("c1"))


@pytest.mark.parametrize(
    "write",
    [
        lambda s: transfer_client(s, "c1", "beta", at=NOW, by=SYSTEM),
        lambda s: suspend_team(s, "c1", at=NOW, by="paula"),
    ],
    ids=["transfer_client", "suspend_team"],
)
def test_a_service_that_fails_half_way_leaves_nothing_behind(
    write: Callable[[InMemoryStore], object],
) -> None:
    # the team's history is written before the team itself: the failed save undoes it
    world = build_world()
    world.teams = _FailingTeams(world.teams)  # type: ignore[assignment]
    before = tenancy_snapshot(world, TEAMS, USERS)
    with pytest.raises(OSError, match="the disk is full"):
        write(world)
    assert before == tenancy_snapshot(world, TEAMS, USERS)
    assert () == world.history.for_team("c1")
