"""The access index against the uncached check, over random worlds with random writes in
between: after every write its decisions, reverse lookups and access-change feed are the
uncached check's at the same revision."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from datetime import datetime
from functools import partial
from itertools import pairwise
from typing import Any

from hypothesis import event, given, settings
from hypothesis import strategies as st

from partnercore import PartnercoreError
from partnercore.memory import InMemoryStore
from partnercore.tenancy import (
    AccessChange,
    AccessIndex,
    Decision,
    Permission,
    check,
    teams,
    who,
)
from tests.strategies.tenancy import TENANCY_DAYS, TenancyWorld, tenancy_day, tenancy_worlds
from tests.tenancy.index_writes import Writer, outcome

PERMISSIONS = list(Permission)
TEXTS = [p.value for p in Permission]
days = st.integers(-1, TENANCY_DAYS + 2)


def decision_or_none(store: InMemoryStore, user: str, perm: Permission, team: str, at: datetime):
    try:
        return check(store, user, perm, team, at)
    except PartnercoreError:
        return None


def everything(store: InMemoryStore, users: list[str], teams_: list[str], instants: list[datetime]):
    """Every decision (``None`` for an unknown user or team) at these instants."""
    return {
        (user, team, perm, at): decision_or_none(store, user, perm, team, at)
        for user in users
        for team in teams_
        for perm in PERMISSIONS
        for at in instants
    }


def expected_changes(
    snapshots: dict[int, dict[tuple[Any, ...], Decision | None]],
    since: int,
    until: int,
    at: datetime,
) -> dict[tuple[str, str, Permission], tuple[Decision | None, Decision | None, tuple[int, int]]]:
    """The brute-force feed: keys whose decision at ``at`` is allowed at one of ``since`` and
    ``until`` and not at the other, with both decisions and the commit (after the revision
    before it, up to its own) of the last flip."""
    revisions = sorted(r for r in snapshots if since <= r <= until)
    first, last = snapshots[since], snapshots[until]
    found = {}
    for key, after in last.items():
        user, team, perm, instant = key
        if instant != at:
            continue
        before = first.get(key)
        was, now = before is not None and before.allowed, after is not None and after.allowed
        if was == now:
            continue
        commit = (since, until)
        for previous, revision in pairwise(revisions):
            one, other = snapshots[previous].get(key), snapshots[revision].get(key)
            if (one is not None and one.allowed) != (other is not None and other.allowed):
                commit = (previous, revision)
        found[(user, team, perm)] = (before, after, commit)
    return found


def assert_feed(
    index: AccessIndex, snapshots: dict[int, Any], since: int, until: int, at: datetime
) -> None:
    feed: list[AccessChange] = index.changes(since, until, at=at)
    expected = expected_changes(snapshots, since, until, at)
    actual = {(c.user_id, c.team_id, c.permission): c for c in feed}
    assert len(feed) == len(actual)
    assert sorted(expected) == sorted(actual), (since, until)
    for key, (before, after, (previous, revision)) in expected.items():
        change = actual[key]
        assert (before, after) == (change.before, change.after), key
        assert previous < change.revision <= revision, (key, change.revision, previous, revision)
    assert [c.revision for c in feed] == sorted(c.revision for c in feed)


def same(expected: Callable[..., object], actual: Callable[..., object], *args: object) -> None:
    assert outcome(partial(expected, *args)) == outcome(partial(actual, *args)), args


@settings(max_examples=60)
@given(
    world=tenancy_worlds(max_operations=12),
    data=st.data(),
    instants=st.lists(days.map(tenancy_day), min_size=1, max_size=3, unique=True),
)
def test_after_every_write_the_index_decides_as_the_uncached_check(
    world: TenancyWorld, data: st.DataObject, instants: list[datetime]
) -> None:
    store = world.store
    index = AccessIndex(store)
    writer = Writer(world)
    users, teams_ = [*world.users, "nobody"], [*world.teams, "nowhere"]
    snapshots = {store.revision(): everything(store, users, teams_, instants)}
    for _ in range(12):
        description, write = writer.draw(data)
        before = store.revision()
        try:
            write()
        except PartnercoreError as error:
            event(f"{description.split()[0]}: {str(error)[:70]}")
        revision = store.revision()
        event(f"{description.split()[0]} {'written' if revision > before else 'refused'}")
        if revision > before:
            writer.written(description)
            users = [*writer.users, "nobody"]
            teams_ = [*writer.partners, *writer.clients, "nowhere"]
        for _ in range(15):
            user = data.draw(st.sampled_from(users))
            team = data.draw(st.sampled_from(teams_))
            perm = data.draw(st.sampled_from(PERMISSIONS) | st.sampled_from(TEXTS))
            at = data.draw(days.map(tenancy_day))
            fresh = partial(index.check, at_least=revision)
            same(partial(check, store), fresh, user, perm, team, at)
        assert revision == index.revision
        at = data.draw(days.map(tenancy_day))
        perm = data.draw(st.sampled_from(PERMISSIONS))
        for user in users:
            same(partial(teams, store), index.teams, user, perm, at)
        for team in teams_:
            same(partial(who, store), index.who, team, perm, at)
        snapshots[revision] = everything(store, users, teams_, instants)
        revisions = sorted(snapshots)
        since = data.draw(st.sampled_from(revisions))
        for at in instants:
            assert_feed(
                index, snapshots, revisions[-2] if len(revisions) > 1 else since, revision, at
            )
            assert_feed(index, snapshots, since, revision, at)


@settings(max_examples=40)
@given(
    world=tenancy_worlds(max_operations=10),
    data=st.data(),
    instants=st.lists(days.map(tenancy_day), min_size=1, max_size=2, unique=True),
)
def test_an_index_catching_up_now_and_then_is_exact_at_every_revision_it_caught_up_to(
    world: TenancyWorld, data: st.DataObject, instants: list[datetime]
) -> None:
    store = world.store
    index = AccessIndex(store)
    writer = Writer(world)
    users, teams_ = [*world.users, "nobody"], [*world.teams, "nowhere"]
    snapshots = {store.revision(): everything(store, users, teams_, instants)}
    for step in range(12):
        description, write = writer.draw(data)
        before = store.revision()
        with suppress(PartnercoreError):
            write()
        if store.revision() > before:
            writer.written(description)
            users = [*writer.users, "nobody"]
            teams_ = [*writer.partners, *writer.clients, "nowhere"]
        if step < 11 and data.draw(st.integers(0, 2), label="wait"):  # several commits at once
            continue
        revision = index.refresh()
        assert store.revision() == revision
        snapshots[revision] = everything(store, users, teams_, instants)
        for user, team, perm, at in snapshots[revision]:
            same(partial(check, store), index.check, user, perm, team, at)
        revisions = sorted(snapshots)
        since = data.draw(st.sampled_from(revisions), label="since")
        for at in instants:
            assert_feed(index, snapshots, since, revision, at)
