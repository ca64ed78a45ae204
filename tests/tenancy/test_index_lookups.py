"""The access index's reverse lookups: the uncached answers, whether asked for the first time
or again, and the uncached errors for bad input."""

from __future__ import annotations

from datetime import timedelta, timezone

import pytest

from partnercore import NotFoundError, PartnercoreError, ValidationError
from partnercore.memory import InMemoryStore
from partnercore.tenancy import AccessIndex, Permission, teams, who
from tests.tenancy.conftest import USERS, at, build_world

TEAM_IDS = ("acme", "beta", "c1", "c2", "c3", "d1")
JUNE = at("2026-06-01")


@pytest.fixture
def world() -> InMemoryStore:
    return build_world()


def test_teams_and_who_asked_again_answer_as_the_first_time(world: InMemoryStore) -> None:
    index = AccessIndex(world)
    for _ in range(2):  # computed, then read from what the index kept
        for permission in Permission:
            for user in USERS:
                assert teams(world, user, permission, JUNE) == index.teams(
                    user, permission.value, JUNE
                )
            for team in TEAM_IDS:
                assert who(world, team, permission, JUNE) == index.who(team, permission, JUNE)


def test_an_instant_in_another_zone_is_the_same_instant(world: InMemoryStore) -> None:
    index = AccessIndex(world)
    paris = JUNE.astimezone(timezone(timedelta(hours=2)))
    index.teams("alice", "team.view", JUNE)
    index.who("c1", "team.view", JUNE)
    assert teams(world, "alice", "team.view", JUNE) == index.teams("alice", "team.view", paris)
    assert who(world, "c1", "team.view", JUNE) == index.who("c1", "team.view", paris)


@pytest.mark.parametrize(
    ("subject", "permission", "at"),
    [
        ("alice", "team.fly", JUNE),
        ("alice", ["team.view"], JUNE),
        ("alice", "team.view", JUNE.replace(tzinfo=None)),
        ("alice", "team.view", "2026-06-01"),
        (["alice"], "team.view", JUNE),
        ("nobody", "team.view", JUNE),
        (7, "team.view", JUNE),
    ],
)
def test_bad_teams_lookups_are_refused_like_the_uncached_ones(
    world: InMemoryStore, subject: object, permission: object, at: object
) -> None:
    index = AccessIndex(world)
    index.teams("alice", "team.view", JUNE)  # (what the index keeps for alice is then read)
    with pytest.raises(PartnercoreError) as expected:
        teams(world, subject, permission, at)  # type: ignore[arg-type]
    with pytest.raises(type(expected.value)) as actual:
        index.teams(subject, permission, at)  # type: ignore[arg-type]
    assert str(expected.value) == str(actual.value)


@pytest.mark.parametrize(
    ("subject", "permission", "at"),
    [
        ("c1", "team.fly", JUNE),
        ("c1", ["team.view"], JUNE),
        ("c1", "team.view", JUNE.replace(tzinfo=None)),
        (["c1"], "team.view", JUNE),
        ("nowhere", "team.view", JUNE),
    ],
)
def test_bad_who_lookups_are_refused_like_the_uncached_ones(
    world: InMemoryStore, subject: object, permission: object, at: object
) -> None:
    index = AccessIndex(world)
    index.who("c1", "team.view", JUNE)
    with pytest.raises(PartnercoreError) as expected:
        who(world, subject, permission, at)  # type: ignore[arg-type]
    with pytest.raises(type(expected.value)) as actual:
        index.who(subject, permission, at)  # type: ignore[arg-type]
    assert str(expected.value) == str(actual.value)
    assert isinstance(actual.value, NotFoundError | ValidationError)
