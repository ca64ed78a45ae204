"""Where the processes of a test meet: one store, named so that a spawned process can open it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import NamedTuple

from partnercore.sqlite import SqliteStore
from partnercore.store import Store


class Shared(NamedTuple):
    """A SQLite file (``location`` is its path) or a PostgreSQL schema (``location`` is the
    server's URL): picklable, so each process opens its own connection to the one store."""

    kind: str
    location: str
    schema: str = ""

    @contextmanager
    def open(self) -> Iterator[Store]:
        if self.kind == "sqlite":
            with SqliteStore(self.location, synchronous="normal") as store:
                yield store
            return
        from partnercore.postgres import PostgresStore

        with PostgresStore.connect(self.location, schema=self.schema, max_size=1) as store:
            yield store
