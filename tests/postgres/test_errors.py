"""Errors raised by psycopg become the library's own, and never escape raw."""

from __future__ import annotations

import threading
from pathlib import Path

import psycopg
import pytest
from psycopg import errors as pg

from partnercore import (
    ConflictError,
    PartnercoreError,
    StoreClosedError,
    StoreError,
    ValidationError,
)
from partnercore.postgres import BUSY, Database


def add(db: Database, thing: str, n: int = 0) -> None:
    db.execute("INSERT INTO {schema}.things (id, n) VALUES (%s, %s)", (thing, n))


@pytest.mark.parametrize(
    ("error", "expected", "kind"),
    [
        (pg.UniqueViolation("duplicate key"), ConflictError, ""),
        (pg.ForeignKeyViolation("no such parent"), ConflictError, ""),
        (pg.CheckViolation("check failed"), ConflictError, ""),
        (pg.SerializationFailure("could not serialize"), ConflictError, BUSY),
        (pg.DeadlockDetected("deadlock detected"), ConflictError, BUSY),
        (pg.LockNotAvailable("could not obtain lock"), ConflictError, BUSY),
        (pg.NumericValueOutOfRange("out of range"), ValidationError, None),
        (pg.InFailedSqlTransaction("aborted"), StoreError, None),
        (pg.ReadOnlySqlTransaction("read-only"), StoreError, None),
        (pg.UndefinedTable("no such table"), StoreError, None),
        (pg.InsufficientPrivilege("permission denied"), StoreError, None),
        (pg.DiskFull("no space"), StoreError, None),
        (pg.AdminShutdown("terminating connection"), StoreError, None),
        (psycopg.OperationalError("connection refused"), StoreError, None),
        (psycopg.InterfaceError("the connection is closed"), StoreError, None),
        (pg.SyntaxError("syntax error"), StoreError, None),
    ],
)
def test_each_psycopg_error_becomes_the_nearest_library_error(
    db: Database, error: psycopg.Error, expected: type[PartnercoreError], kind: str | None
) -> None:
    translated = db.translate(error)
    assert (True, False) == (
        isinstance(translated, expected),
        isinstance(translated, psycopg.Error),
    )
    if kind is not None:
        assert isinstance(translated, ConflictError)
        assert kind == translated.kind


def test_a_duplicate_key_is_a_conflict_and_changes_nothing(db: Database) -> None:
    add(db, "a", 1)
    with pytest.raises(ConflictError, match="constraint violated") as caught:
        add(db, "a", 2)
    assert not isinstance(caught.value, psycopg.Error)
    assert [("a", 1)] == db.query("SELECT id, n FROM {schema}.things")


def test_a_lock_that_cannot_be_had_in_time_is_a_retryable_conflict(
    db: Database, postgres_url: str, schema: str
) -> None:
    add(db, "a")
    with psycopg.connect(postgres_url) as holder:
        holder.execute(f'SELECT * FROM "{schema}".things WHERE id = %s FOR UPDATE', ("a",))

        def update() -> None:
            with db.unit_of_work():
                db.execute("SET LOCAL lock_timeout = '50ms'")
                db.execute("UPDATE {schema}.things SET n = 1 WHERE id = %s", ("a",))

        with pytest.raises(ConflictError) as caught:
            update()
        holder.rollback()
    assert BUSY == caught.value.kind
    assert [("a", 0)] == db.query("SELECT id, n FROM {schema}.things")


def test_a_serialization_failure_in_a_host_transaction_is_a_retryable_conflict(
    db: Database, postgres_url: str, schema: str
) -> None:
    add(db, "a")
    with psycopg.connect(postgres_url) as host:
        host.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        theirs = Database.on(host, schema=schema)

        def update_from_an_old_snapshot() -> None:
            with host.transaction():
                theirs.query("SELECT n FROM {schema}.things")  # takes the snapshot
                db.execute("UPDATE {schema}.things SET n = 2 WHERE id = %s", ("a",))
                theirs.execute("UPDATE {schema}.things SET n = 3 WHERE id = %s", ("a",))

        with pytest.raises(ConflictError) as caught:
            update_from_an_old_snapshot()
    assert BUSY == caught.value.kind
    assert [("a", 2)] == db.query("SELECT id, n FROM {schema}.things")


def test_a_deadlock_is_a_retryable_conflict_for_the_victim(db: Database) -> None:
    add(db, "a")
    add(db, "b")
    first_locked = threading.Event()
    second_locked = threading.Event()
    outcomes: list[BaseException | None] = []

    def lock(mine: str, theirs: str, locked: threading.Event, other: threading.Event) -> None:
        try:
            with db.unit_of_work():
                db.execute("SET LOCAL deadlock_timeout = '50ms'")
                db.execute("UPDATE {schema}.things SET n = n + 1 WHERE id = %s", (mine,))
                locked.set()
                other.wait(10)
                db.execute("UPDATE {schema}.things SET n = n + 1 WHERE id = %s", (theirs,))
        except BaseException as error:
            outcomes.append(error)
        else:
            outcomes.append(None)

    threads = [
        threading.Thread(target=lock, args=("a", "b", first_locked, second_locked)),
        threading.Thread(target=lock, args=("b", "a", second_locked, first_locked)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    failures = [outcome for outcome in outcomes if outcome is not None]
    assert 1 == len(failures)
    assert isinstance(failures[0], ConflictError)
    assert BUSY == failures[0].kind
    assert [1, 1] == [row[0] for row in db.query("SELECT n FROM {schema}.things")]


def test_text_holding_a_nul_character_is_a_validation_error(db: Database) -> None:
    with pytest.raises(ValidationError):
        add(db, "a\0b")
    assert [] == db.query("SELECT id FROM {schema}.things")


def test_a_number_out_of_range_is_a_validation_error(db: Database) -> None:
    with pytest.raises(ValidationError):
        add(db, "a", 2**40)


def test_text_that_is_not_valid_unicode_is_a_validation_error(db: Database) -> None:
    with pytest.raises(ValidationError):
        add(db, "a\udc80")


def test_a_server_that_cannot_be_reached_is_a_store_error_naming_it(tmp_path: Path) -> None:
    url = f"postgresql://nobody@/nowhere?host={tmp_path}"
    with pytest.raises(StoreError, match="cannot connect to the database server") as caught:
        Database.connect(url)
    assert not isinstance(caught.value, psycopg.Error)
    assert "nowhere" in str(caught.value)


def test_a_url_that_is_not_one_is_a_validation_error() -> None:
    with pytest.raises(ValidationError, match="url"):
        Database.connect("host='unterminated")


def test_the_password_of_a_url_never_appears_in_an_error(tmp_path: Path) -> None:
    url = f"postgresql://someone:s3cret@/nowhere?host={tmp_path}"
    with pytest.raises(StoreError) as caught:
        Database.connect(url)
    assert "s3cret" not in str(caught.value)


def test_a_pool_with_no_connection_free_in_time_is_a_retryable_conflict(
    postgres_url: str, schema: str
) -> None:
    db = Database.connect(postgres_url, schema=schema, max_size=1, timeout=0.2)
    inside = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with db.unit_of_work():
            inside.set()
            release.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert inside.wait(10)
        with pytest.raises(ConflictError, match="no database connection became free") as caught:
            db.query("SELECT 1")
        assert BUSY == caught.value.kind
    finally:
        release.set()
        thread.join(10)
        db.close()


def test_a_host_connection_closed_under_the_store_is_a_store_error(
    postgres_url: str, schema: str
) -> None:
    host = psycopg.connect(postgres_url)
    db = Database.on(host, schema=schema)
    host.close()
    with pytest.raises(StoreError, match="connection"):
        db.query("SELECT 1")
    with pytest.raises(StoreError, match="closed"):
        Database.on(host, schema=schema)


def test_a_host_transaction_that_already_failed_is_a_store_error_saying_to_roll_back(
    connection: psycopg.Connection[tuple[object, ...]], schema: str
) -> None:
    db = Database.on(connection, schema=schema)
    with pytest.raises(pg.DivisionByZero):
        connection.execute("SELECT 1 / 0")
    with pytest.raises(StoreError, match="roll it back"), db.unit_of_work():
        pass
    connection.rollback()
    assert [(1,)] == db.query("SELECT 1")


def test_a_missing_table_is_a_store_error(db: Database) -> None:
    with pytest.raises(StoreError, match="not a partnercore database"):
        db.query("SELECT * FROM {schema}.nothing_here")


def test_using_a_closed_database_is_a_store_closed_error(db: Database) -> None:
    db.close()
    db.close()  # harmless
    with pytest.raises(StoreClosedError):
        db.query("SELECT 1")
    with pytest.raises(StoreClosedError), db.unit_of_work():
        pass


def test_an_error_raised_by_the_hosts_own_code_inside_a_unit_passes_through_unchanged(
    db: Database, postgres_url: str, schema: str
) -> None:
    with psycopg.connect(postgres_url) as host:
        theirs = Database.on(host, schema=schema)

        def insert_twice() -> None:
            with theirs.unit_of_work():
                theirs.execute("INSERT INTO {schema}.things (id) VALUES ('a')")
                host.execute(f"INSERT INTO \"{schema}\".things (id) VALUES ('a')")

        with pytest.raises(pg.UniqueViolation):
            insert_twice()
        host.rollback()
    assert [] == db.query("SELECT id FROM {schema}.things")


def test_something_that_is_not_a_connection_is_a_validation_error() -> None:
    with pytest.raises(ValidationError, match="connection"):
        Database.on("postgresql://localhost/db")  # type: ignore[arg-type]
