"""The PostgreSQL connection wrapper: units of work, snapshots, a host's transaction, records."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import psycopg
import pytest

from partnercore import ConflictError, StoreClosedError, StoreError, ValidationError
from partnercore.postgres import Database
from partnercore.tenancy import Team

AT = datetime(2026, 3, 1, tzinfo=UTC)


class Boom(Exception):
    """Raised inside a unit of work to abandon it."""


def ids(db: Database) -> list[str]:
    return [row[0] for row in db.query("SELECT id FROM {schema}.things ORDER BY id")]


def seen_elsewhere(url: str, schema: str) -> list[str]:
    """The ids another connection sees (only what is committed)."""
    with psycopg.connect(url, autocommit=True) as other:
        rows = other.execute(f'SELECT id FROM "{schema}".things ORDER BY id').fetchall()
    return [row[0] for row in rows]


def add(db: Database, thing: str, n: int = 0) -> None:
    db.execute("INSERT INTO {schema}.things (id, n) VALUES (%s, %s)", (thing, n))


def fail_after_adding(db: Database, *things: str, nested: bool = False) -> None:
    """Add ``things`` in a unit of work (each in a nested one if asked), then raise Boom."""
    with db.unit_of_work():
        for thing in things:
            if nested:
                with db.unit_of_work():
                    add(db, thing)
            else:
                add(db, thing)
        raise Boom


# -- units of work on a pool -------------------------------------------------------------


def test_a_unit_of_work_commits_every_write_when_it_ends(
    db: Database, postgres_url: str, schema: str
) -> None:
    with db.unit_of_work():
        add(db, "a")
        add(db, "b")
        assert [] == seen_elsewhere(postgres_url, schema)
    assert ["a", "b"] == seen_elsewhere(postgres_url, schema)


def test_an_exception_leaving_a_unit_of_work_undoes_all_of_it_and_passes_through(
    db: Database, postgres_url: str, schema: str
) -> None:
    with pytest.raises(Boom):
        fail_after_adding(db, "a")
    assert [] == seen_elsewhere(postgres_url, schema)
    assert [] == ids(db)


def test_a_nested_unit_that_fails_undoes_only_its_own_writes(db: Database) -> None:
    with db.unit_of_work():
        add(db, "outer")
        with pytest.raises(Boom):
            fail_after_adding(db, "inner")
        assert ["outer"] == ids(db)
        with db.unit_of_work():
            add(db, "second")
    assert ["outer", "second"] == ids(db)


def test_a_failing_outer_unit_undoes_the_nested_units_that_succeeded(db: Database) -> None:
    with pytest.raises(Boom):
        fail_after_adding(db, "inner", "second", nested=True)
    assert [] == ids(db)


def test_a_write_outside_a_unit_commits_on_its_own(
    db: Database, postgres_url: str, schema: str
) -> None:
    add(db, "alone")
    assert ["alone"] == seen_elsewhere(postgres_url, schema)


def test_a_failed_statement_inside_a_nested_unit_leaves_the_outer_unit_usable(
    db: Database,
) -> None:
    with db.unit_of_work():
        add(db, "a")
        with pytest.raises(ConflictError), db.unit_of_work():
            add(db, "a")  # duplicate key: the savepoint is rolled back, not the transaction
        add(db, "b")
    assert ["a", "b"] == ids(db)


def test_units_of_work_of_two_threads_use_connections_of_their_own(
    db: Database, postgres_url: str, schema: str
) -> None:
    inside = threading.Event()
    release = threading.Event()
    errors: list[BaseException] = []

    def other() -> None:
        try:
            with db.unit_of_work():
                add(db, "theirs")
                inside.set()
                release.wait(10)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    thread = threading.Thread(target=other)
    thread.start()
    assert inside.wait(10)
    with db.unit_of_work():
        add(db, "mine")
    assert ["mine"] == seen_elsewhere(postgres_url, schema)
    release.set()
    thread.join(10)
    assert [] == errors
    assert ["mine", "theirs"] == seen_elsewhere(postgres_url, schema)


def test_reading_sees_one_snapshot_even_when_others_commit_meanwhile(
    db: Database, postgres_url: str, schema: str
) -> None:
    add(db, "before")
    with db.reading():
        first = ids(db)
        with psycopg.connect(postgres_url, autocommit=True) as other:
            other.execute(f'INSERT INTO "{schema}".things (id) VALUES (%s)', ("during",))
        second = ids(db)
    assert (["before"], ["before"]) == (first, second)
    assert ["before", "during"] == ids(db)


def test_reading_refuses_writes(db: Database) -> None:
    with pytest.raises(StoreError, match="read-only"), db.reading():
        add(db, "a")
    assert [] == ids(db)


# -- a host's connection and transaction -------------------------------------------------


@pytest.fixture
def things(postgres_url: str, schema: str) -> None:
    with psycopg.connect(postgres_url, autocommit=True) as setup:
        setup.execute(f'CREATE SCHEMA "{schema}"')
        setup.execute(f'CREATE TABLE "{schema}".things (id text PRIMARY KEY, n integer)')
        setup.execute(f'CREATE TABLE "{schema}".host_rows (id text PRIMARY KEY)')


def host_rows(url: str, schema: str) -> list[str]:
    with psycopg.connect(url, autocommit=True) as other:
        rows = other.execute(f'SELECT id FROM "{schema}".host_rows ORDER BY id').fetchall()
    return [row[0] for row in rows]


@pytest.mark.usefixtures("things")
def test_a_host_transaction_that_rolls_back_leaves_nothing_of_either(
    connection: psycopg.Connection[tuple[object, ...]], postgres_url: str, schema: str
) -> None:
    db = Database.on(connection, schema=schema)
    seen: list[str] = []

    def host_work() -> None:
        with connection.transaction():
            connection.execute(f'INSERT INTO "{schema}".host_rows (id) VALUES (%s)', ("order-1",))
            with db.unit_of_work():
                add(db, "a")
            with db.unit_of_work():
                add(db, "b")
            seen.extend(ids(db))  # the host's transaction sees partnercore's writes
            raise Boom

    with pytest.raises(Boom):
        host_work()
    assert ["a", "b"] == seen
    assert ([], []) == (host_rows(postgres_url, schema), seen_elsewhere(postgres_url, schema))


@pytest.mark.usefixtures("things")
def test_a_host_transaction_that_commits_keeps_both(
    connection: psycopg.Connection[tuple[object, ...]], postgres_url: str, schema: str
) -> None:
    db = Database.on(connection, schema=schema)
    with connection.transaction():
        connection.execute(f'INSERT INTO "{schema}".host_rows (id) VALUES (%s)', ("order-1",))
        with db.unit_of_work():
            add(db, "a")
        assert [] == seen_elsewhere(postgres_url, schema)  # not committed by partnercore
    assert (["order-1"], ["a"]) == (
        host_rows(postgres_url, schema),
        seen_elsewhere(postgres_url, schema),
    )


@pytest.mark.usefixtures("things")
def test_a_unit_that_fails_inside_a_host_transaction_undoes_only_its_writes(
    connection: psycopg.Connection[tuple[object, ...]], postgres_url: str, schema: str
) -> None:
    db = Database.on(connection, schema=schema)
    with connection.transaction():
        connection.execute(f'INSERT INTO "{schema}".host_rows (id) VALUES (%s)', ("order-1",))
        with pytest.raises(Boom):
            fail_after_adding(db, "a")
        add(db, "b")
    assert (["order-1"], ["b"]) == (
        host_rows(postgres_url, schema),
        seen_elsewhere(postgres_url, schema),
    )


@pytest.mark.usefixtures("things")
def test_a_host_transaction_opened_implicitly_is_never_committed_by_partnercore(
    connection: psycopg.Connection[tuple[object, ...]], postgres_url: str, schema: str
) -> None:
    db = Database.on(connection, schema=schema)
    connection.execute(f'INSERT INTO "{schema}".host_rows (id) VALUES (%s)', ("order-1",))
    with db.unit_of_work():
        add(db, "a")
    assert ([], []) == (host_rows(postgres_url, schema), seen_elsewhere(postgres_url, schema))
    connection.rollback()
    assert [] == ids(db)


@pytest.mark.usefixtures("things")
def test_on_an_idle_host_connection_a_unit_commits_on_its_own(
    connection: psycopg.Connection[tuple[object, ...]], postgres_url: str, schema: str
) -> None:
    db = Database.on(connection, schema=schema)
    with db.unit_of_work():
        add(db, "a")
    assert ["a"] == seen_elsewhere(postgres_url, schema)
    assert psycopg.pq.TransactionStatus.IDLE == connection.info.transaction_status


@pytest.mark.usefixtures("things")
def test_on_an_autocommit_host_connection_a_failed_unit_leaves_nothing(
    postgres_url: str, schema: str
) -> None:
    with psycopg.connect(postgres_url, autocommit=True) as host:
        db = Database.on(host, schema=schema)
        with pytest.raises(Boom):
            fail_after_adding(db, "a")
        add(db, "b")
    assert ["b"] == seen_elsewhere(postgres_url, schema)


@pytest.mark.usefixtures("things")
def test_rows_are_tuples_whatever_row_factory_the_host_uses(postgres_url: str, schema: str) -> None:
    with psycopg.connect(postgres_url, autocommit=True, row_factory=psycopg.rows.dict_row) as host:
        db = Database.on(host, schema=schema)
        add(db, "a", 3)
        assert [("a", 3)] == db.query("SELECT id, n FROM {schema}.things")


@pytest.mark.usefixtures("things")
def test_closing_a_database_on_a_host_connection_leaves_the_connection_open(
    connection: psycopg.Connection[tuple[object, ...]], schema: str
) -> None:
    db = Database.on(connection, schema=schema)
    db.close()
    assert (False, (1,)) == (connection.closed, connection.execute("SELECT 1").fetchone())
    with pytest.raises(StoreClosedError):
        ids(db)


# -- records -----------------------------------------------------------------------------


def test_a_record_round_trips_through_jsonb(db: Database) -> None:
    db.execute("CREATE TABLE {schema}.records (record jsonb)")
    team = Team.partner("p1", "Partner One", created_at=AT)
    db.execute("INSERT INTO {schema}.records (record) VALUES (%s)", (db.dump(team),))
    row = db.query_one("SELECT record FROM {schema}.records")
    text = db.query_one("SELECT record::text FROM {schema}.records")
    assert row is not None
    assert text is not None
    assert (team, team) == (db.load(row[0], Team), db.load(text[0], Team))


def test_a_stored_record_that_cannot_be_read_is_a_store_error_naming_the_damage(
    db: Database,
) -> None:
    with pytest.raises(StoreError, match="damaged: a stored Team record is invalid"):
        db.load({"id": "p1"}, Team)
    with pytest.raises(StoreError, match="not valid JSON"):
        db.load("{", Team)


def test_the_schema_name_must_be_a_plain_identifier(postgres_url: str) -> None:
    with pytest.raises(ValidationError, match="schema"):
        Database.connect(postgres_url, schema='x"; DROP TABLE y; --')
