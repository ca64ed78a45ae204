"""The access index over SQLite stores: the same decisions as the uncached check through the
file, and a revocation written by another process is never honoured at least as fresh as it."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from partnercore import PartnercoreError
from partnercore.sqlite import SqliteStore
from partnercore.tenancy import (
    AccessIndex,
    Permission,
    check,
    teams,
    who,
)
from tests.strategies.tenancy import TenancyWorld, tenancy_day
from tests.tenancy.conftest import MEMBERS, at
from tests.tenancy.index_writes import Writer, outcome, write_world

JUNE = at("2026-06-01")


@pytest.fixture
def path(tmp_path: Path) -> Path:
    path = tmp_path / "world.db"
    with SqliteStore(path, synchronous="normal") as store, store.unit_of_work():
        write_world(store)
    return path


@pytest.fixture
def store(path: Path) -> Iterator[SqliteStore]:
    with SqliteStore(path, synchronous="normal") as opened:
        yield opened


# Revokes grant g1 on the file given (a separate process, with its own connection), then
# prints the store's revision.
REVOKE = """
import sys
from datetime import datetime
from partnercore.events import SYSTEM
from partnercore.sqlite import SqliteStore
from partnercore.tenancy import revoke_grant

with SqliteStore(sys.argv[1]) as store:
    revoke_grant(store, "g1", at=datetime.fromisoformat(sys.argv[2]), by=SYSTEM)
    print(store.revision(), flush=True)
"""

# Grants and revokes delegated access many times over (each write its own commit).
CHURN = """
import sys
from datetime import datetime, timedelta
from partnercore.events import SYSTEM
from partnercore.sqlite import SqliteStore
from partnercore.tenancy import Grant, grant_access, revoke_grant

start = datetime.fromisoformat(sys.argv[2])
with SqliteStore(sys.argv[1], synchronous="normal") as store:
    for n in range(int(sys.argv[3])):
        grant = Grant(id=f"churn{n}", partner_id="acme", client_id=("c1", "c2", "c3", "*")[n % 4],
                      advisor_id=("adam", "alice", "*")[n % 3], role="advisor_admin",
                      granted_at=start + timedelta(days=n % 30), granted_by="system")
        grant_access(store, grant, at=grant.granted_at, by=SYSTEM)
        if n % 2:
            revoke_grant(store, grant.id, at=grant.granted_at + timedelta(days=10), by=SYSTEM)
print("done", flush=True)
"""


def run(script: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, timeout=120
    )
    assert 0 == done.returncode, done.stderr
    return done.stdout


def assert_same_as_uncached(index: AccessIndex, store: SqliteStore) -> None:
    for user in [*MEMBERS, "sam"]:
        for team in ("acme", "beta", "c1", "c2", "c3", "d1"):
            for permission in Permission:
                assert check(store, user, permission, team, JUNE) == index.check(
                    user, permission, team, JUNE
                ), (user, permission, team)
        assert teams(store, user, "team.view", JUNE) == index.teams(user, "team.view", JUNE)


def test_an_index_over_sqlite_decides_as_the_uncached_check_through_it(store: SqliteStore) -> None:
    index = AccessIndex(store)
    assert store.revision() == index.revision
    assert_same_as_uncached(index, store)
    for team in ("acme", "c1", "c2", "d1"):
        assert who(store, team, "team.view", JUNE) == index.who(team, "team.view", JUNE)


def test_a_revocation_by_another_process_is_never_honoured_at_least_as_fresh_as_it(
    path: Path, store: SqliteStore
) -> None:
    index = AccessIndex(store)
    assert index.check("alice", "team.view", "c1", JUNE).allowed
    revision = int(run(REVOKE, str(path), "2026-05-01T00:00:00+00:00"))
    assert revision > index.revision
    # not asked to be fresher, the index answers at the revision it has ...
    assert index.check("alice", "team.view", "c1", JUNE).allowed
    # ... asked for the revocation's revision, it never honours the grant
    denied = index.check("alice", "team.view", "c1", JUNE, at_least=revision)
    assert not denied.allowed
    assert "grant g1 was revoked at 2026-05-01T00:00:00Z by system" == denied.explanation
    assert check(store, "alice", "team.view", "c1", JUNE) == denied
    assert ["acme"] == index.teams("alice", "team.view", JUNE, at_least=revision)
    changes = index.changes(revision - 1, at=JUNE)
    assert {("alice", "c1", False)} == {(c.user_id, c.team_id, c.after.allowed) for c in changes}
    assert {revision} == {c.revision for c in changes}


def test_an_index_over_a_read_only_store_catches_up_with_another_process(path: Path) -> None:
    with SqliteStore(path, read_only=True) as reader:
        index = AccessIndex(reader)
        revision = int(run(REVOKE, str(path), "2026-05-01T00:00:00+00:00"))
        assert not index.check("alice", "team.view", "c1", JUNE, at_least=revision).allowed
        assert_same_as_uncached(index, reader)


def test_an_index_catching_up_while_another_process_writes_ends_where_the_store_is(
    path: Path, store: SqliteStore
) -> None:
    index = AccessIndex(store)
    writer = subprocess.Popen(
        [sys.executable, "-c", CHURN, str(path), "2026-03-01T00:00:00+00:00", "150"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen = []
    while writer.poll() is None:
        seen.append(index.check("adam", "team.edit", "c1", JUNE, at_least=store.revision()))
    out, err = writer.communicate(timeout=120)
    assert "done" in out, err
    index.refresh()
    assert store.revision() == index.revision
    assert_same_as_uncached(index, store)
    assert seen


@settings(max_examples=15)
@given(data=st.data())
def test_after_every_write_an_index_over_sqlite_decides_as_the_uncached_check(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    path = tmp_path_factory.mktemp("index") / "world.db"
    with SqliteStore(path, synchronous="normal") as store:
        with store.unit_of_work():
            write_world(store)
        world = TenancyWorld(
            store=store,  # type: ignore[arg-type]
            partners=("acme", "beta"),
            clients=("c1", "c2", "c3", "d1"),
            users=(*MEMBERS, "sam"),
            rejected=(),
            changed_by_rejected=(),
        )
        index = AccessIndex(store)
        writer = Writer(world)
        for _ in range(6):
            description, write = writer.draw(data)
            before = store.revision()
            with suppress(PartnercoreError):
                write()
            revision = store.revision()
            if revision > before:
                writer.written(description)
            teams_ = [*writer.partners, *writer.clients]
            for _ in range(10):
                user = data.draw(st.sampled_from(writer.users))
                team = data.draw(st.sampled_from(teams_))
                permission = data.draw(st.sampled_from(list(Permission)))
                when = tenancy_day(data.draw(st.integers(-1, 22)))
                expected = outcome(lambda: check(store, user, permission, team, when))  # noqa: B023
                actual = outcome(
                    lambda: index.check(user, permission, team, when, at_least=revision)  # noqa: B023
                )
                assert expected == actual, (description, user, permission, team, when)
        assert store.revision() == index.revision
