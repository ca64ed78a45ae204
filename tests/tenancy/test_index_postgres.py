"""The access index over a PostgreSQL store: the uncached check's decisions, and a revocation
written through another pool of connections never honoured at least as fresh as it."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import psycopg
import pytest

from partnercore.events import SYSTEM
from partnercore.postgres import PostgresStore
from partnercore.tenancy import (
    AccessIndex,
    Grant,
    Permission,
    check,
    grant_access,
    revoke_grant,
    teams,
    who,
)
from tests.postgres._server import Unavailable, ci, server_url
from tests.tenancy.conftest import MEMBERS, at
from tests.tenancy.index_writes import write_world

JUNE = at("2026-06-01")


@pytest.fixture(scope="module")
def postgres_url() -> str:
    """A server (see tests/postgres/_server.py), or skip (fail under ``CI=true``)."""
    try:
        return server_url()
    except Unavailable as error:
        if ci():
            pytest.fail(f"CI=true needs a PostgreSQL server: {error}", pytrace=False)
        pytest.skip(str(error))


@pytest.fixture
def schema(postgres_url: str) -> Iterator[str]:
    name = f"t_{uuid.uuid4().hex[:16]}"
    yield name
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


@pytest.fixture
def store(postgres_url: str, schema: str) -> Iterator[PostgresStore]:
    with PostgresStore.connect(postgres_url, schema=schema, max_size=4) as opened:
        with opened.unit_of_work():
            write_world(opened)
        yield opened


@pytest.fixture
def other(postgres_url: str, schema: str, store: PostgresStore) -> Iterator[PostgresStore]:
    """The same schema through a pool of its own (as another process would)."""
    with PostgresStore.connect(postgres_url, schema=schema, max_size=2) as opened:
        yield opened


def assert_same_as_uncached(index: AccessIndex, store: PostgresStore) -> None:
    for user in [*MEMBERS, "sam"]:
        for team in ("acme", "beta", "c1", "c2", "c3", "d1"):
            for permission in Permission:
                assert check(store, user, permission, team, JUNE) == index.check(
                    user, permission, team, JUNE
                ), (user, permission, team)
        assert teams(store, user, "team.view", JUNE) == index.teams(user, "team.view", JUNE)
    for team in ("acme", "c1", "c2", "d1"):
        assert who(store, team, "team.view", JUNE) == index.who(team, "team.view", JUNE)


def test_an_index_over_postgres_decides_as_the_uncached_check(store: PostgresStore) -> None:
    index = AccessIndex(store)
    assert store.revision() == index.revision
    assert_same_as_uncached(index, store)


def test_a_revocation_through_another_pool_is_never_honoured_at_least_as_fresh_as_it(
    store: PostgresStore, other: PostgresStore
) -> None:
    index = AccessIndex(store)
    assert index.check("alice", "team.view", "c1", JUNE).allowed
    revoke_grant(other, "g1", at=at("2026-05-01"), by=SYSTEM)
    revision = other.revision()
    assert index.check("alice", "team.view", "c1", JUNE).allowed  # its own revision
    denied = index.check("alice", "team.view", "c1", JUNE, at_least=revision)
    assert not denied.allowed
    assert "grant g1 was revoked at 2026-05-01T00:00:00Z by system" == denied.explanation
    assert_same_as_uncached(index, store)


def test_an_index_catching_up_while_others_write_ends_where_the_store_is(
    store: PostgresStore, other: PostgresStore
) -> None:
    index = AccessIndex(store)
    failures: list[BaseException] = []

    def churn() -> None:
        try:
            for n in range(60):
                grant = Grant(
                    id=f"churn{n}",
                    partner_id="acme",
                    client_id=("c1", "c2", "c3", "*")[n % 4],
                    advisor_id=("adam", "alice", "*")[n % 3],
                    role="advisor_admin",
                    granted_at=at("2026-03-01"),
                    granted_by="system",
                )
                grant_access(other, grant, at=grant.granted_at, by=SYSTEM)
                if n % 2:
                    revoke_grant(other, grant.id, at=at("2026-05-01"), by=SYSTEM)
        except BaseException as error:  # pragma: no cover - reported below
            failures.append(error)

    writer = threading.Thread(target=churn)
    writer.start()
    while writer.is_alive():
        index.check("adam", "team.edit", "c1", JUNE, at_least=store.revision())
    writer.join()
    assert [] == failures
    assert store.revision() == index.refresh()
    assert_same_as_uncached(index, store)
