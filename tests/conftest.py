"""Shared test configuration: hypothesis profiles; the PostgreSQL server and a fresh schema
per test, for the PostgreSQL and concurrency tests."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

from tests.postgres._server import Unavailable, ci, server_url, stop_started

settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile(
    "ci", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


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
    import psycopg

    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
