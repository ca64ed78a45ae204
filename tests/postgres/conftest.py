"""Fixtures for the PostgreSQL tests: one server per session, a fresh schema per test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest

from partnercore.postgres import Database, PostgresStore
from tests.postgres._server import Unavailable, ci, server_url, stop_started


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The test server's URL: ``PARTNERCORE_TEST_POSTGRES``, or a throwaway server started for
    the session (stopped at its end). Skips when there is none, fails under ``CI=true``."""
    try:
        url = server_url()
    except Unavailable as error:
        if ci():
            pytest.fail(f"CI=true needs a PostgreSQL server: {error}", pytrace=False)
        pytest.skip(str(error))
    yield url
    stop_started()


@pytest.fixture
def schema(postgres_url: str) -> Iterator[str]:
    """A fresh schema name (dropped with everything in it after the test)."""
    name = f"t_{uuid.uuid4().hex[:16]}"
    yield name
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


@pytest.fixture
def connection(postgres_url: str) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    """A host's connection (not in autocommit mode, psycopg's default)."""
    with psycopg.connect(postgres_url) as host:
        yield host


@pytest.fixture
def db(postgres_url: str, schema: str) -> Iterator[Database]:
    """A pooled database in a fresh schema, with a ``things`` table to write to."""
    database = Database.connect(postgres_url, schema=schema, max_size=4)
    database.execute("CREATE SCHEMA {schema}")
    database.execute("CREATE TABLE {schema}.things (id text PRIMARY KEY, n integer)")
    yield database
    database.close()


@pytest.fixture
def store(postgres_url: str, schema: str) -> Iterator[PostgresStore]:
    """A pooled store in a fresh schema."""
    with PostgresStore.connect(postgres_url, schema=schema, max_size=4) as opened:
        yield opened
