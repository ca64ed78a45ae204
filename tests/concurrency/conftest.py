"""The store each concurrency test shares between its processes: a SQLite file, then a
PostgreSQL schema (skipped without a server, a failure under ``CI=true``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.concurrency._shared import Shared


@pytest.fixture(params=["sqlite", "postgres"])
def shared(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Shared]:
    if request.param == "sqlite":
        yield Shared("sqlite", str(tmp_path / "store.db"))
        return
    url: str = request.getfixturevalue("postgres_url")
    schema: str = request.getfixturevalue("schema")
    yield Shared("postgres", url, schema)
