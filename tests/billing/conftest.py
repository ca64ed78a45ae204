"""The billing world of ``tests.billing.world``, in either store."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from partnercore.memory import InMemoryStore
from partnercore.sqlite import SqliteStore
from partnercore.store import Store
from tests.billing.world import build


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    """The world, in memory or in a SQLite database."""
    if request.param == "memory":
        yield build(InMemoryStore())
        return
    with SqliteStore(":memory:") as opened:
        yield build(opened)
