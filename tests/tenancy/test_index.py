"""The access index: decisions equal to the uncached check's, freshness on request, the
access-change feed, and clear errors."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from partnercore import AccessDeniedError, ConflictError, NotFoundError, ValidationError
from partnercore.events import SYSTEM
from partnercore.memory import InMemoryStore
from partnercore.scenario import load_demo
from partnercore.tenancy import (
    ALL,
    AccessIndex,
    Grant,
    Holder,
    Membership,
    Permission,
    Rule,
    User,
    _index,
    add_membership,
    add_user,
    check,
    create_client,
    end_membership,
    grant_access,
    revoke_grant,
    revoke_partner_access,
    suspend_team,
    teams,
    transfer_client,
    who,
)
from tests.tenancy.conftest import MEMBERS, TEAMS, USERS, at, membership_id

DAYS = [at("2025-12-31"), at("2026-01-01"), at("2026-02-01"), at("2026-06-01"), at("2026-11-01")]


def grant(grant_id: str, advisor: str = "adam", client: str = "c1", **more: object) -> Grant:
    values: dict[str, object] = {
        "id": grant_id,
        "partner_id": "acme",
        "client_id": client,
        "advisor_id": advisor,
        "role": "advisor",
        "granted_at": at("2026-03-01"),
        "granted_by": "paula",
    }
    values.update(more)
    return Grant(**values)  # type: ignore[arg-type]


def assert_same_as_uncached(index: AccessIndex, world: InMemoryStore) -> None:
    for user in USERS:
        for team in ("acme", "beta", "c1", "c2", "c3", "d1"):
            for permission in Permission:
                for day in DAYS:
                    assert check(world, user, permission, team, day) == index.check(
                        user, permission, team, day
                    ), (user, permission, team, day)


def test_every_decision_of_the_index_is_the_uncached_one(world: InMemoryStore) -> None:
    index = AccessIndex(world)
    assert_same_as_uncached(index, world)
    for day in DAYS:
        for permission in Permission:
            for user in USERS:
                assert teams(world, user, permission, day) == index.teams(user, permission, day)
            for team in ("acme", "beta", "c1", "c2", "c3", "d1"):
                assert who(world, team, permission, day) == index.who(team, permission, day)


def test_a_decision_explains_itself_like_the_uncached_one(world: InMemoryStore) -> None:
    index = AccessIndex(world)
    decision = index.check("alice", "team.edit", "c1", at("2026-06-01"))
    assert (True, Rule.R3, "g1") == (decision.allowed, decision.rule, decision.via)
    assert "grant g1 gives alice advisor on c1, which includes team.edit" == decision.explanation
    denied = index.check("alice", "team.edit", "c1", at("2026-11-02"))
    assert "grant g1 expired 2026-11-01T00:00:00Z" == denied.explanation


def test_the_index_reflects_the_revision_it_was_built_at(world: InMemoryStore) -> None:
    index = AccessIndex(world)
    assert world.revision() == index.revision
    assert world.revision() == index.refresh()


def test_a_revoked_grant_is_never_honoured_at_least_as_fresh_as_the_revocation(
    world: InMemoryStore,
) -> None:
    index = AccessIndex(world)
    june = at("2026-06-01")
    assert index.check("alice", "team.view", "c1", june).allowed
    revoke_grant(world, "g1", at=at("2026-05-01"), by="paula")
    revision = world.revision()
    # the index answers at its own revision until asked for a fresher one
    assert index.check("alice", "team.view", "c1", june).allowed
    denied = index.check("alice", "team.view", "c1", june, at_least=revision)
    assert (False, Rule.R3) == (denied.allowed, denied.rule)
    assert "grant g1 was revoked at 2026-05-01T00:00:00Z by paula" == denied.explanation
    assert revision == index.revision
    assert ["acme"] == index.teams("alice", "team.view", june, at_least=revision)


def test_every_kind_of_write_is_caught_up_with(world: InMemoryStore) -> None:
    index = AccessIndex(world)
    writes = [
        lambda: grant_access(world, grant("g2", client=ALL), at=at("2026-03-01"), by="paula"),
        lambda: grant_access(
            world, grant("g3", advisor=ALL, client="c3"), at=at("2026-03-01"), by="paula"
        ),
        lambda: revoke_grant(world, "g2", at=at("2026-05-01"), by="paula"),
        lambda: revoke_partner_access(world, "c1", at=at("2026-04-01"), by="carol"),
        lambda: suspend_team(world, "c3", at=at("2026-04-15"), by="paula"),
        lambda: end_membership(world, membership_id("alice"), at=at("2026-07-01"), by="paula"),
        lambda: add_user(world, User("zoe", "zoe@example.com"), at=at("2026-04-01"), by=SYSTEM),
        lambda: add_membership(
            world,
            Membership(user_id="zoe", team_id="acme", role="advisor", active_from=at("2026-04-01")),
            at=at("2026-04-01"),
            by="paula",
        ),
        lambda: create_client(
            world,
            "c4",
            "Client Four",
            partner_id="acme",
            operated_by="client",
            billing_model="reseller",
            at=at("2026-04-01"),
            by="paula",
        ),
        lambda: transfer_client(world, "c2", "beta", at=at("2026-08-01"), by=SYSTEM),
    ]
    for write in writes:
        write()
        assert_same_as_uncached(_fresh(index, world), world)
    for permission in Permission:
        assert teams(world, "zoe", permission, DAYS[3]) == index.teams("zoe", permission, DAYS[3])
        assert who(world, "c4", permission, DAYS[3]) == index.who("c4", permission, DAYS[3])


def _fresh(index: AccessIndex, world: InMemoryStore) -> AccessIndex:
    index.refresh()
    assert world.revision() == index.revision
    return index


def test_catching_up_recompiles_only_what_the_events_touch(world: InMemoryStore) -> None:
    index = AccessIndex(world)
    untouched = index._pairs["dora\x1fd1"]
    touched = index._pairs["alice\x1fc1"]
    revoke_grant(world, "g1", at=at("2026-05-01"), by="paula")
    index.refresh()
    assert untouched is index._pairs["dora\x1fd1"]
    assert touched is not index._pairs["alice\x1fc1"]


def test_expiry_needs_no_catching_up(world: InMemoryStore) -> None:
    index = AccessIndex(world)
    revision = index.revision
    assert index.check("alice", "team.view", "c1", at("2026-10-31T23:59")).allowed
    assert not index.check("alice", "team.view", "c1", at("2026-11-01")).allowed
    assert revision == index.revision == world.revision()


def test_max_staleness_catches_up_when_the_last_catch_up_is_too_old(world: InMemoryStore) -> None:
    now = [100.0]
    index = AccessIndex(world, max_staleness=timedelta(seconds=5))
    index._clock = lambda: now[0]
    index._fresh_until = now[0] + 5
    revoke_grant(world, "g1", at=at("2026-05-01"), by="paula")
    june = at("2026-06-01")
    now[0] = 104.9
    assert index.check("alice", "team.view", "c1", june).allowed  # within 5 s: as it was
    now[0] = 105.0
    assert not index.check("alice", "team.view", "c1", june).allowed
    assert world.revision() == index.revision


def test_a_staleness_of_zero_catches_up_before_every_decision(world: InMemoryStore) -> None:
    index = AccessIndex(world, max_staleness=timedelta(0))
    revoke_grant(world, "g1", at=at("2026-05-01"), by="paula")
    assert not index.check("alice", "team.view", "c1", at("2026-06-01")).allowed
    assert ["c1"] == index.teams("carol", "team.view", at("2026-06-01"))


def test_the_feed_lists_the_access_a_write_changed(world: InMemoryStore) -> None:
    index = AccessIndex(world)
    since = index.revision
    revoke_grant(world, "g1", at=at("2026-05-01"), by="paula")
    revoked = world.revision()
    suspend_team(world, "c3", at=at("2026-05-15"), by="paula")
    june = at("2026-06-01")
    changes = index.changes(since, at=june)
    assert revoked == changes[0].revision
    assert [("alice", "c1", Permission.TEAM_VIEW, True, False, revoked)] == [
        (c.user_id, c.team_id, c.permission, c.before.allowed, c.after.allowed, c.revision)
        for c in changes
        if c.user_id == "alice"
    ][:1]
    assert {("alice", "c1")} | {(u, "c3") for u in ("cedric", "paula")} == {
        (c.user_id, c.team_id) for c in changes
    }
    assert all(not c.allowed for c in changes)
    assert [] == index.changes(since, at=at("2026-04-01"))  # before either write took effect
    assert [] == index.changes(world.revision(), at=june)


def test_the_feed_says_nothing_existed_before_a_team_was_created(world: InMemoryStore) -> None:
    index = AccessIndex(world)
    since = index.revision
    create_client(world, "c4", "Client Four", partner_id="acme", operated_by="client",
                  billing_model="reseller", at=at("2026-04-01"), by="paula")  # fmt: skip
    changes = index.changes(since, at=at("2026-06-01"))
    assert {("paula", "c4")} == {(c.user_id, c.team_id) for c in changes}
    assert all(c.before is None and c.after.allowed for c in changes)


def test_the_feed_keeps_history_revisions_back(world: InMemoryStore) -> None:
    index = AccessIndex(world, history=2)
    built = index.revision
    for n in range(4):
        grant_access(world, grant(f"g{n + 2}", advisor=("adam", "alice")[n % 2]),
                     at=at("2026-03-01"), by="paula")  # fmt: skip
        index.refresh()
    assert built + 2 == index.horizon
    assert [] == index.changes(index.horizon, at=at("2026-06-01"))  # g2 and g3 gave it already
    with pytest.raises(
        ValidationError, match=f"since: the index keeps changes from revision {built + 2} on"
    ):
        index.changes(built, at=at("2026-06-01"))


def test_the_feed_over_several_commits_caught_up_at_once_is_exact_at_both_ends(
    world: InMemoryStore,
) -> None:
    index = AccessIndex(world)
    since = index.revision
    june = at("2026-06-01")
    grant_access(world, grant("g2", role="advisor_admin"), at=at("2026-03-01"), by="paula")
    revoke_grant(world, "g2", at=at("2026-04-01"), by="paula")  # the same record, twice
    revoke_grant(world, "g1", at=at("2026-05-01"), by="paula")
    changes = index.changes(since, at=june)
    assert {("alice", "c1")} == {(c.user_id, c.team_id) for c in changes}
    assert [] == [c for c in changes if c.user_id == "adam"]  # granted then revoked: no change


def test_unknown_users_teams_and_permissions_are_refused_like_the_uncached_check(
    world: InMemoryStore,
) -> None:
    index = AccessIndex(world)
    june = at("2026-06-01")
    for user, permission, team in [
        ("nobody", "team.view", "c1"),
        ("alice", "team.view", "nowhere"),
        ("alice", "team.fly", "c1"),
        ("nobody", "team.view", "acme"),
        (["alice"], "team.view", "c1"),
        ("alice", ["team.view"], "c1"),
        ("alice", "team.view", ["c1"]),
    ]:
        with pytest.raises((NotFoundError, ValidationError)) as expected:
            check(world, user, permission, team, june)  # type: ignore[arg-type]
        with pytest.raises(type(expected.value)) as actual:
            index.check(user, permission, team, june)  # type: ignore[arg-type]
        assert str(expected.value) == str(actual.value)
    with pytest.raises(ValidationError, match="naive datetime"):
        index.check("alice", "team.view", "c1", june.replace(tzinfo=None))
    with pytest.raises(NotFoundError, match="unknown user 'nobody'"):
        index.teams("nobody", "team.view", june)
    with pytest.raises(NotFoundError, match="unknown team 'nowhere'"):
        index.who("nowhere", "team.view", june)
    assert check(world, "sam", "team.view", "c1", june) == index.check(
        "sam", "team.view", "c1", june
    )


def test_a_permission_given_as_text_finds_the_members_decision(world: InMemoryStore) -> None:
    index = AccessIndex(world)
    june = at("2026-06-01")
    for user in USERS:
        for team in ("acme", "c1", "c3"):
            for permission in Permission:
                expected = index.check(user, permission, team, june)
                for text in (permission.value, "".join(permission.value)):
                    assert expected is index.check(user, text, team, june)
                    assert [*index.teams(user, permission, june)] == index.teams(user, text, june)
                    assert [*index.who(team, permission, june)] == index.who(team, text, june)


def test_a_user_added_since_the_index_was_built_is_known_from_then_on(
    world: InMemoryStore,
) -> None:
    index = AccessIndex(world)
    with pytest.raises(NotFoundError):
        index.check("zoe", "team.view", "c1", at("2026-06-01"))
    add_user(world, User("zoe", "zoe@example.com"), at=at("2026-06-01"), by=SYSTEM)
    revision = world.revision()
    decision = index.check("zoe", "team.view", "c1", at("2026-06-01"), at_least=revision)
    assert check(world, "zoe", "team.view", "c1", at("2026-06-01")) == decision


@pytest.mark.parametrize(
    ("at_least", "match"),
    [
        (-1, "at_least: expected a revision >= 0"),
        ("3", "at_least: expected a revision"),
        (True, "at_least: expected a revision"),
        (10**6, "at_least: revision 1000000 is not committed"),
    ],
)
def test_a_bad_or_future_at_least_is_refused(
    world: InMemoryStore, at_least: object, match: str
) -> None:
    index = AccessIndex(world)
    with pytest.raises(ValidationError, match=match):
        index.check("alice", "team.view", "c1", at("2026-06-01"), at_least=at_least)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("options", "match"),
    [({"max_staleness": -timedelta(seconds=1)}, "max_staleness: expected a duration >= 0"),
     ({"max_staleness": 5}, "max_staleness: expected a duration"),
     ({"history": -1}, "history: expected a number of revisions >= 0"),
     ({"history": 1.5}, "history: expected a number of revisions")],
)  # fmt: skip
def test_bad_options_are_refused(
    world: InMemoryStore, options: dict[str, object], match: str
) -> None:
    with pytest.raises(ValidationError, match=match):
        AccessIndex(world, **options)  # type: ignore[arg-type]


def test_bad_feed_revisions_are_refused(world: InMemoryStore) -> None:
    index = AccessIndex(world)
    june = at("2026-06-01")
    with pytest.raises(ValidationError, match="since: expected a revision"):
        index.changes(-1, at=june)
    revision = index.revision
    with pytest.raises(ValidationError, match=f"since: revision {revision} is after until"):
        index.changes(revision, revision - 1, at=june)
    with pytest.raises(ValidationError, match="until: revision 999 is not committed"):
        index.changes(index.revision, 999, at=june)
    with pytest.raises(ValidationError, match="naive datetime"):
        index.changes(index.revision, at=june.replace(tzinfo=None))


def test_require_raises_with_the_decision(world: InMemoryStore) -> None:
    index = AccessIndex(world)
    with pytest.raises(
        AccessDeniedError, match=r"vera may not team\.edit on c1: vera is viewer"
    ) as e:
        index.require("vera", "team.edit", "c1", at("2026-06-01"))
    assert Rule.R1 == e.value.decision.rule
    assert index.require("carol", "team.edit", "c1", at("2026-06-01")).allowed


def test_a_store_that_keeps_changing_while_the_index_reads_it_is_a_conflict(
    world: InMemoryStore,
) -> None:
    index = AccessIndex(world)
    revoke_grant(world, "g1", at=at("2026-05-01"), by="paula")

    class Moving:
        """The world, whose revision moves on every time it is read."""

        def __init__(self) -> None:
            self.reads = 0

        def __getattr__(self, name: str) -> object:
            return getattr(world, name)

        def revision(self) -> int:
            self.reads += 1
            return world.revision() + self.reads

    index._store = Moving()  # type: ignore[assignment]
    with pytest.raises(ConflictError, match="the store kept changing while the access index"):
        index.refresh()


def test_too_many_strangers_are_forgotten(
    world: InMemoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_index, "STRANGERS_KEPT", 3)
    index = AccessIndex(world)
    june = at("2026-06-01")
    pairs = len(index._pairs)
    for team in ("beta", "d1", "c2", "c3"):  # carol is a stranger to all of them
        assert check(world, "carol", "team.view", team, june) == index.check(
            "carol", "team.view", team, june
        )
    assert len(index._pairs) <= pairs + 3
    assert_same_as_uncached(index, world)


def test_threads_share_one_index(world: InMemoryStore) -> None:
    index = AccessIndex(world)
    june = at("2026-06-01")
    failures: list[BaseException] = []

    def ask() -> None:
        try:
            for _ in range(50):
                for user in MEMBERS:
                    for team in TEAMS[:6]:
                        index.check(user, "team.view", team, june, at_least=world.revision())
        except BaseException as error:  # pragma: no cover - reported below
            failures.append(error)

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for n in range(20):
        grant_access(world, grant(f"t{n}", client=ALL), at=at("2026-03-01"), by="paula")
    for thread in threads:
        thread.join()
    assert [] == failures
    assert_same_as_uncached(_fresh(index, world), world)


def test_who_lists_holders_with_their_rule_and_grant(world: InMemoryStore) -> None:
    index = AccessIndex(world)
    assert [
        Holder("alice", Rule.R3, "g1"),
        Holder("carol", Rule.R1, membership_id("carol")),
        Holder("mike", Rule.R1, membership_id("mike")),
        Holder("vera", Rule.R1, membership_id("vera")),
    ] == index.who("c1", "team.view", at("2026-06-01"))


def test_a_scenario_gives_an_index_over_its_store() -> None:
    scenario = load_demo()
    index = scenario.index()
    assert scenario.store.revision() == index.revision
    last = scenario.last_instant
    partners = [t.id for t in scenario.partners()]
    every_team = partners + [c.id for p in partners for c in scenario.clients_of(p)]
    assert len(every_team) > len(partners)
    for team in every_team:
        for holder in scenario.who(team=team, permission="team.view", at=last):
            user = holder.user_id
            for permission in Permission:
                assert scenario.check(user=user, permission=permission, team=team, at=last) == (
                    index.check(user, permission, team, last)
                )
        assert scenario.who(team=team, permission="team.view", at=last) == index.who(
            team, "team.view", last
        )
