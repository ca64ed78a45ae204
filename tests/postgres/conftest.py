"""Fixtures for the PostgreSQL tests (the server and a fresh schema per test are in
``tests/conftest.py``, shared with the concurrency tests)."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from partnercore.postgres import Database, PostgresStore


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
