"""The access index against the uncached check, over random worlds with random writes in
between: after every write its decisions, reverse lookups and access-change feed are the
uncached check's at the same revision."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from partnercore import PartnercoreError
from partnercore.events import SYSTEM, Actor
from partnercore.memory import InMemoryStore
from partnercore.tenancy import (
    ALL,
    AccessChange,
    AccessIndex,
    Decision,
    Grant,
    GrantRole,
    Membership,
    Permission,
    Role,
    User,
    add_membership,
    add_user,
    archive_team,
    check,
    create_client,
    end_membership,
    grant_access,
    reactivate_team,
    restore_partner_access,
    revoke_grant,
    revoke_partner_access,
    suspend_team,
    teams,
    transfer_client,
    who,
)
from tests.strategies import TENANCY_DAYS, TenancyWorld, tenancy_day, tenancy_worlds

PERMISSIONS = list(Permission)
days = st.integers(-1, TENANCY_DAYS + 2)

# What a decision is, compared whole: allowed, rule, via and explanation (or the error).
Outcome = tuple[Any, ...]


def outcome(ask: Callable[[], object]) -> Outcome:
    """What ``ask()`` answers (a decision compared whole), or the error it raises."""
    try:
        answer = ask()
    except PartnercoreError as error:
        return (type(error).__name__, str(error))
    if isinstance(answer, Decision):
        return (answer.allowed, answer.rule, answer.via, answer.explanation)
    return ("answer", answer)


def decision_or_none(store: InMemoryStore, user: str, perm: Permission, team: str, at: datetime):
    try:
        return check(store, user, perm, team, at)
    except PartnercoreError:
        return None


@st.composite
def writes(
    draw: st.DrawFn, world: TenancyWorld, count: int
) -> list[tuple[str, Callable[[], object]]]:
    """``count`` random writes on ``world``: grants (expiring, revoked, to everyone, on every
    client), revocations, consent changes, transfers, new and ended memberships, status
    changes, new clients and users; mostly by SYSTEM, sometimes by a user (often refused)."""
    store = world.store
    users = list(world.users)
    clients = list(world.clients)
    partners = list(world.partners)
    grant_ids = [g.id for p in partners for g in store.grants.for_partner(p)]
    membership_ids = [m.id for u in users for m in store.memberships.for_user(u)]
    actors: st.SearchStrategy[Actor] = st.just(SYSTEM) | st.sampled_from([SYSTEM, *users])
    lengths = st.none() | st.integers(1, TENANCY_DAYS)
    found: list[tuple[str, Callable[[], object]]] = []
    for n in range(count):
        kind = draw(
            st.sampled_from(
                ["grant", "grant", "revoke", "consent", "transfer", "end", "member", "member",
                 "status", "client", "user"]
            )
        )  # fmt: skip
        day = draw(st.integers(0, TENANCY_DAYS))
        when = tenancy_day(day)
        by = draw(actors)
        if kind == "grant":
            partner = draw(st.sampled_from(partners))
            client = draw(st.sampled_from([ALL, *clients]))
            expiry, revoked = draw(lengths), draw(lengths)
            grant_id = f"x{n}"
            grant = Grant(
                id=grant_id,
                partner_id=partner,
                client_id=client,
                advisor_id=draw(st.sampled_from([ALL, *users])),
                role=draw(st.sampled_from(list(GrantRole))),
                granted_at=when,
                expires_at=None if expiry is None else tenancy_day(day + expiry),
                revoked_at=None if revoked is None else tenancy_day(day + revoked),
                granted_by="system" if by is SYSTEM else str(by),
            )
            grant_ids.append(grant_id)
            found.append((f"grant {grant}", partial(grant_access, store, grant, at=when, by=by)))
        elif kind == "revoke" and grant_ids:
            grant_id = draw(st.sampled_from(grant_ids))
            found.append(
                (f"revoke {grant_id}", partial(revoke_grant, store, grant_id, at=when, by=by))
            )
        elif kind == "consent" and clients:
            client = draw(st.sampled_from(clients))
            admins = [m.user_id for m in store.memberships.for_team(client)]
            actor = draw(st.sampled_from([SYSTEM, *admins])) if admins else by
            change = draw(st.sampled_from([revoke_partner_access, restore_partner_access]))
            found.append(
                (f"{change.__name__} {client}", partial(change, store, client, at=when, by=actor))
            )
        elif kind == "transfer" and clients:
            client, partner = draw(st.sampled_from(clients)), draw(st.sampled_from(partners))
            found.append(
                (
                    f"transfer {client} to {partner}",
                    partial(transfer_client, store, client, partner, at=when, by=by),
                )
            )
        elif kind == "end" and membership_ids:
            membership_id = draw(st.sampled_from(membership_ids))
            found.append(
                (
                    f"end {membership_id}",
                    partial(end_membership, store, membership_id, at=when, by=by),
                )
            )
        elif kind == "member":
            user = draw(st.sampled_from(users))
            team = draw(st.sampled_from(partners + clients))
            fitting = [Role.PARTNER_ADMIN, Role.ADVISOR] if team in partners else [
                Role.CLIENT_ADMIN, Role.MEMBER, Role.VIEWER
            ]  # fmt: skip
            length = draw(lengths)
            membership = Membership(
                user_id=user,
                team_id=team,
                role=draw(st.sampled_from(fitting)),
                active_from=when,
                active_until=None if length is None else tenancy_day(day + length),
            )
            membership_ids.append(membership.id)
            found.append(
                (f"add {membership.id}", partial(add_membership, store, membership, at=when, by=by))
            )
        elif kind == "status":
            team = draw(st.sampled_from(partners + clients))
            change = draw(st.sampled_from([suspend_team, archive_team, reactivate_team]))
            found.append(
                (f"{change.__name__} {team}", partial(change, store, team, at=when, by=by))
            )
        elif kind == "client":
            client = f"n{n}"
            create = partial(
                create_client,
                store,
                client,
                f"New {client}",
                partner_id=draw(st.sampled_from(partners)),
                operated_by=draw(st.sampled_from(["client", "partner"])),
                billing_model=draw(st.sampled_from(["reseller", "non_reseller"])),
                at=when,
                by=by,
            )
            clients.append(client)
            found.append((f"create {client}", create))
        elif kind == "user":
            user = f"v{n}"
            users.append(user)
            found.append(
                (
                    f"add user {user}",
                    partial(add_user, store, User(user, f"{user}@example.com"), at=when, by=SYSTEM),
                )
            )
    return found


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
        for previous, revision in zip(revisions, revisions[1:], strict=False):
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
    users = [*world.users, "nobody"]
    teams_ = [*world.teams, "nowhere"]
    snapshots = {store.revision(): everything(store, users, teams_, instants)}
    for description, write in data.draw(writes(world, 12), label="writes"):
        try:
            write()
        except PartnercoreError:
            pass
        if description.startswith("add user "):
            users.append(description.removeprefix("add user "))
        if description.startswith("create ") and store.teams.find(
            description.removeprefix("create ")
        ):
            teams_.append(description.removeprefix("create "))
        revision = store.revision()
        for _ in range(15):
            user = data.draw(st.sampled_from(users))
            team = data.draw(st.sampled_from(teams_))
            perm = data.draw(
                st.sampled_from(PERMISSIONS) | st.sampled_from([p.value for p in Permission])
            )
            at = data.draw(days.map(tenancy_day))
            expected = outcome(lambda: check(store, user, perm, team, at))
            actual = outcome(lambda: index.check(user, perm, team, at, at_least=revision))
            assert expected == actual, (description, user, perm, team, at)
        assert revision == index.revision
        at = data.draw(days.map(tenancy_day))
        perm = data.draw(st.sampled_from(PERMISSIONS))
        for user in users:
            assert outcome(lambda: teams(store, user, perm, at)) == outcome(
                lambda: index.teams(user, perm, at)
            )
        for team in teams_:
            assert outcome(lambda: who(store, team, perm, at)) == outcome(
                lambda: index.who(team, perm, at)
            )
        snapshots[revision] = everything(store, users, teams_, instants)
        revisions = sorted(snapshots)
        since = data.draw(st.sampled_from(revisions))
        for at in instants:
            assert_feed(
                index, snapshots, revisions[-2] if len(revisions) > 1 else since, revision, at
            )
            assert_feed(index, snapshots, since, revision, at)
