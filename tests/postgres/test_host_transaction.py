"""A host's transaction shared with partnercore: the host writes a row of its own table and
calls two partnercore services on the same connection (``PostgresStore.on``); rolling back
leaves nothing of either, committing keeps both (seen from another connection)."""

# Assertions read ``expected == actual``.

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import psycopg
import pytest

from partnercore.events import SYSTEM
from partnercore.licensing import open_license
from partnercore.postgres import PostgresStore
from partnercore.tenancy import create_client, create_partner

AT = datetime(2026, 3, 1, 9, tzinfo=UTC)


@pytest.fixture
def host_table(postgres_url: str, schema: str) -> Iterator[str]:
    """The host's own table, ``<schema>_host.orders`` (dropped after the test)."""
    name = f"{schema}_host"
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{name}"')
        admin.execute(f'CREATE TABLE "{name}".orders (id text PRIMARY KEY, client_id text)')
    yield f'"{name}".orders'
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


def order_and_client(
    connection: psycopg.Connection[tuple[object, ...]], store: PostgresStore, table: str
) -> None:
    """The host's row, then two partnercore services, on the host's connection."""
    connection.execute(f"INSERT INTO {table} (id, client_id) VALUES ('order-1', 'c1')")
    create_client(
        store, "c1", "Client One", partner_id="p1", operated_by="client",
        billing_model="reseller", at=AT, by=SYSTEM,
    )  # fmt: skip
    open_license(store, "c1", at=AT, by=SYSTEM)


def seen_elsewhere(url: str, schema: str, table: str) -> tuple[object, ...]:
    """What another connection sees: the host's orders, client c1, its licence, the events."""
    with PostgresStore.connect(url, schema=schema, max_size=1) as other:
        with psycopg.connect(url, autocommit=True) as reader:
            orders = [row[0] for row in reader.execute(f"SELECT id FROM {table}").fetchall()]
        return (
            orders,
            other.teams.find("c1") is not None,
            other.licenses.find("c1") is not None,
            [event.kind for event in other.events.since(0)],
        )


@pytest.fixture
def opened(
    postgres_url: str, schema: str, connection: psycopg.Connection[tuple[object, ...]]
) -> PostgresStore:
    """A store on the host's connection, with partner p1 committed."""
    store = PostgresStore.on(connection, schema=schema)
    create_partner(store, "p1", "Partner One", at=AT, by=SYSTEM)
    connection.commit()
    return store


def test_a_host_transaction_that_rolls_back_leaves_nothing_of_either(
    postgres_url: str,
    schema: str,
    host_table: str,
    connection: psycopg.Connection[tuple[object, ...]],
    opened: PostgresStore,
) -> None:
    with connection.transaction():
        order_and_client(connection, opened, host_table)
        raise psycopg.Rollback
    assert ([], False, False, ["partner_created"]) == seen_elsewhere(
        postgres_url, schema, host_table
    )
    assert (None, None) == (opened.teams.find("c1"), opened.licenses.find("c1"))


def test_a_host_error_leaving_its_transaction_leaves_nothing_of_either(
    postgres_url: str,
    schema: str,
    host_table: str,
    connection: psycopg.Connection[tuple[object, ...]],
    opened: PostgresStore,
) -> None:
    def declined() -> None:
        with connection.transaction():
            order_and_client(connection, opened, host_table)
            raise RuntimeError("payment declined")

    with pytest.raises(RuntimeError, match="payment declined"):
        declined()
    assert ([], False, False, ["partner_created"]) == seen_elsewhere(
        postgres_url, schema, host_table
    )


def test_a_host_transaction_that_commits_keeps_both(
    postgres_url: str,
    schema: str,
    host_table: str,
    connection: psycopg.Connection[tuple[object, ...]],
    opened: PostgresStore,
) -> None:
    with connection.transaction():
        order_and_client(connection, opened, host_table)
        # not committed yet: another connection sees nothing of either
        assert ([], False, False, ["partner_created"]) == seen_elsewhere(
            postgres_url, schema, host_table
        )
    assert (
        ["order-1"],
        True,
        True,
        ["partner_created", "client_created", "license_changed"],
    ) == seen_elsewhere(postgres_url, schema, host_table)
