"""The store: opening, re-opening, and the unit of work."""

from __future__ import annotations

import pickle
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from partnercore import (
    ConflictError,
    PartnercoreError,
    StoreClosedError,
    StoreError,
    ValidationError,
)
from partnercore.licensing import License
from partnercore.sqlite import SqliteStore, connect
from partnercore.tenancy import Team, User

T0 = datetime(2026, 1, 1, tzinfo=UTC)


class Boom(Exception):
    pass


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "store.db"


@pytest.fixture
def store(path: Path) -> Iterator[SqliteStore]:
    with SqliteStore(path) as opened:
        yield opened


def user(user_id: str) -> User:
    return User(user_id, f"{user_id}@example.com")


def fail_after_adding(store: SqliteStore, *users: str, nested: bool = False) -> None:
    """Add ``users`` in a unit of work (each in a nested one if asked), then raise Boom."""
    with store.unit_of_work():
        for user_id in users:
            if nested:
                with store.unit_of_work():
                    store.users.add(user(user_id))
            else:
                store.users.add(user(user_id))
        raise Boom


def stored_users(path: Path) -> list[str]:
    """The users another connection sees."""
    with SqliteStore(path) as other:
        return [u for u in ("u1", "u2", "u3") if other.users.find(u) is not None]


def test_records_outlive_the_store_that_wrote_them(path: Path) -> None:
    with connect(path) as store:
        store.teams.add(Team.partner("p1", "Partner One", created_at=T0))
        store.licenses.add(License.open("c1", T0))
    with connect(path) as store:
        assert "Partner One" == store.teams.get("p1").name
        assert 1 == store.licenses.get("c1").version


def test_writes_inside_a_unit_of_work_are_seen_by_others_only_once_it_ends(
    store: SqliteStore, path: Path
) -> None:
    with store.unit_of_work():
        store.users.add(user("u1"))
        store.users.add(user("u2"))
        assert [] == stored_users(path)
        assert "u1" == store.users.get("u1").id
    assert ["u1", "u2"] == stored_users(path)


def test_an_exception_leaving_a_unit_of_work_undoes_all_of_it(
    store: SqliteStore, path: Path
) -> None:
    def add_both() -> None:
        with store.unit_of_work():
            store.users.add(user("u1"))
            store.licenses.add(License.open("c1", T0))
            raise Boom

    with pytest.raises(Boom):
        add_both()
    assert (None, None) == (store.users.find("u1"), store.licenses.find("c1"))
    assert [] == stored_users(path)


def test_a_failing_write_inside_a_unit_rolls_back_the_writes_before_it(
    store: SqliteStore,
) -> None:
    store.users.add(user("u1"))

    def add_again() -> None:
        with store.unit_of_work():
            store.users.add(user("u2"))
            store.users.add(user("u1"))

    with pytest.raises(ConflictError):
        add_again()
    assert None is store.users.find("u2")


def test_a_nested_unit_joins_the_outer_one(store: SqliteStore, path: Path) -> None:
    seen_inside: list[list[str]] = []

    def nested_then_fail() -> None:
        with store.unit_of_work():
            with store.unit_of_work():
                store.users.add(user("u1"))
            seen_inside.append(stored_users(path))
            raise Boom

    with pytest.raises(Boom):
        nested_then_fail()
    assert ([[]], []) == (seen_inside, stored_users(path))


def test_an_exception_caught_inside_the_outer_unit_undoes_only_the_inner_one(
    store: SqliteStore, path: Path
) -> None:
    with store.unit_of_work():
        store.users.add(user("u1"))
        with pytest.raises(Boom):
            fail_after_adding(store, "u2")
        store.users.add(user("u3"))
    assert ["u1", "u3"] == stored_users(path)


def test_a_unit_of_work_can_follow_a_failed_one(store: SqliteStore, path: Path) -> None:
    with pytest.raises(Boom):
        fail_after_adding(store, "u1", "u3", nested=True)
    with store.unit_of_work():
        store.users.add(user("u2"))
    assert ["u2"] == stored_users(path)


def test_a_second_writer_waits_then_reports_a_busy_database_as_a_conflict(
    store: SqliteStore, path: Path
) -> None:
    with SqliteStore(path, timeout=0.05) as impatient, store.unit_of_work():
        store.users.add(user("u1"))
        with pytest.raises(ConflictError, match="busy"):
            impatient.users.add(user("u2"))
    assert ["u1"] == stored_users(path)


def test_wrong_arguments_are_validation_errors(path: Path) -> None:
    with pytest.raises(ValidationError, match="synchronous"):
        SqliteStore(path, synchronous="off")
    with pytest.raises(ValidationError, match="timeout"):
        SqliteStore(path, timeout=-1)
    with pytest.raises(StoreError, match="cannot open the file"):
        SqliteStore(path / "missing" / "store.db")


def test_adding_something_of_the_wrong_type_is_a_validation_error(store: SqliteStore) -> None:
    with pytest.raises(ValidationError, match="expected a User"):
        store.users.add("u1")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="expected a License"):
        store.licenses.save(user("u1"))  # type: ignore[arg-type]


def test_looking_up_something_that_is_not_an_id_finds_nothing(store: SqliteStore) -> None:
    assert None is store.teams.find(["p1"])  # type: ignore[arg-type]
    assert () == store.licenses.for_organisation(7)  # type: ignore[arg-type]
    assert [] == store.memberships.for_team(None)  # type: ignore[arg-type]


def test_the_store_names_its_file(store: SqliteStore, path: Path) -> None:
    assert (str(path), f"SqliteStore({str(path)!r})") == (store.path, repr(store))


def test_threads_sharing_a_store_keep_their_units_of_work_whole(store: SqliteStore) -> None:
    def add_users(thread: int) -> None:
        for unit in range(5):
            with store.unit_of_work():
                for n in range(3):
                    store.users.add(user(f"t{thread}-{unit}-{n}"))

    threads = [threading.Thread(target=add_users, args=(t,)) for t in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert 4 * 5 * 3 == len(store.users)


def closed_store_uses(store: SqliteStore) -> list[tuple[str, Callable[[], object]]]:
    return [
        ("read", lambda: store.teams.find("p1")),
        ("write", lambda: store.users.add(user("u1"))),
        ("count", lambda: len(store.price_books)),
        ("unit of work", lambda: store.unit_of_work().__enter__()),
        ("licences", lambda: store.licenses.get("c1")),
        ("content", lambda: store.items.find("iso")),
    ]


def test_using_a_closed_store_is_a_store_closed_error(path: Path) -> None:
    store = SqliteStore(path)
    store.close()
    for name, use in closed_store_uses(store):
        with pytest.raises(StoreClosedError) as caught:
            use()
        assert (name, str(path)) == (name, caught.value.path)
    assert f"the store {str(path)!r} is closed: open it again to use it" == str(caught.value)


def test_a_closed_store_is_never_reported_as_a_retryable_conflict(path: Path) -> None:
    store = SqliteStore(path)
    store.close()
    with pytest.raises(StoreClosedError) as caught:
        store.users.add(user("u1"))
    assert (False, True) == (
        isinstance(caught.value, ConflictError),
        isinstance(caught.value, PartnercoreError),
    )


def test_closing_a_store_twice_is_harmless(path: Path) -> None:
    store = SqliteStore(path)
    store.close()
    store.close()
    with SqliteStore(path) as reopened:
        reopened.users.add(user("u1"))
    assert ["u1"] == stored_users(path)


def close_inside_a_unit_of_work(store: SqliteStore) -> None:
    with store.unit_of_work():
        store.users.add(user("u1"))
        store.close()


def test_closing_a_store_inside_its_unit_of_work_keeps_none_of_it(path: Path) -> None:
    with pytest.raises(StoreClosedError):
        close_inside_a_unit_of_work(SqliteStore(path))
    assert [] == stored_users(path)


def test_a_store_closed_error_survives_pickling() -> None:
    error = pickle.loads(pickle.dumps(StoreClosedError("/tmp/x.db")))
    assert ("/tmp/x.db", "the store '/tmp/x.db' is closed: open it again to use it") == (
        error.path,
        str(error),
    )
