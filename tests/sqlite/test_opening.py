"""Opening files: foreign, damaged, empty, locked and read-only files get the library's errors."""

from __future__ import annotations

import pickle
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import attrs
import pytest

from partnercore import (
    ConflictError,
    NotFoundError,
    PartnercoreError,
    StoreError,
    ValidationError,
)
from partnercore.billing import UsageRecord
from partnercore.licensing import License
from partnercore.sqlite import SCHEMA_VERSION, SqliteStore
from partnercore.sqlite._database import Database
from partnercore.sqlite._migrations import MIGRATIONS
from partnercore.sqlite._schema import migrate
from partnercore.tenancy import Team, User
from partnercore.time import BillingPeriod
from tests.sqlite.folders import read_only_folder

T0 = datetime(2026, 1, 1, tzinfo=UTC)
ODD = "\ud800x"  # a lone surrogate: no UTF-8 text can hold it


def files(folder: Path) -> dict[str, bytes]:
    """Every file in ``folder`` with its bytes: what a test checks was left untouched."""
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def raw(path: Path, *statements: str) -> None:
    """Run ``statements`` on ``path`` with plain sqlite3, as another program would."""
    connection = sqlite3.connect(path)
    try:
        for statement in statements:
            connection.execute(statement)
        connection.commit()
    finally:
        connection.close()


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "store.db"


@pytest.fixture
def filled(path: Path) -> Path:
    """A store holding a partner, a user and a licence, closed again."""
    with SqliteStore(path) as store:
        store.teams.add(Team.partner("p1", "Partner One", created_at=T0))
        store.users.add(User("u1", "u1@example.com"))
        store.licenses.add(License.open("c1", T0))
    return path


def refusal(open_store: Callable[[], object]) -> StoreError:
    with pytest.raises(StoreError) as caught:
        open_store()
    return caught.value


# -- files that are not partnercore databases -----------------------------------------------


def test_a_file_written_by_another_program_is_refused_and_left_as_it_was(path: Path) -> None:
    raw(path, "CREATE TABLE teams (name TEXT)", "INSERT INTO teams VALUES ('theirs')")
    before = files(path.parent)

    error = refusal(lambda: SqliteStore(path))

    expected = "not a partnercore database: it holds tables of something else (teams)"
    assert (str(path), expected) == (error.path, error.reason)
    assert before == files(path.parent)


def test_a_schema_table_of_another_shape_is_refused(path: Path) -> None:
    raw(path, "CREATE TABLE partnercore_schema (name TEXT)")

    error = refusal(lambda: SqliteStore(path))

    assert "not a partnercore database: its partnercore_schema table has another shape" == (
        error.reason
    )


def test_a_table_of_another_shape_is_refused_for_reading_and_for_writing(filled: Path) -> None:
    raw(filled, "DROP TABLE memberships", "CREATE TABLE memberships (id TEXT)")
    expected = "not a partnercore database: its memberships table has another shape"

    assert expected == refusal(lambda: SqliteStore(filled)).reason
    assert expected == refusal(lambda: SqliteStore(filled, read_only=True)).reason


def test_a_damaged_page_is_reported_as_a_damaged_database(filled: Path) -> None:
    connection = sqlite3.connect(filled)
    (root,) = connection.execute(
        "SELECT rootpage FROM sqlite_master WHERE name = 'users'"
    ).fetchone()
    connection.close()
    with filled.open("r+b") as file:
        file.seek((root - 1) * 4096)
        file.write(b"\x0f" * 4096)

    with SqliteStore(filled) as store, pytest.raises(StoreError) as caught:
        store.users.find("u1")

    assert (str(filled), "the database is damaged: database disk image is malformed") == (
        caught.value.path,
        caught.value.reason,
    )


def test_a_record_holding_bad_json_is_reported_as_damage(filled: Path) -> None:
    raw(filled, "UPDATE users SET record = '{\"id\": \"u1\",' WHERE id = 'u1'")

    with SqliteStore(filled) as store, pytest.raises(StoreError) as caught:
        store.users.get("u1")

    assert "the database is damaged: a stored User record is not valid JSON" == caught.value.reason


def test_a_record_of_the_wrong_shape_is_reported_as_damage(filled: Path) -> None:
    raw(filled, "UPDATE licenses SET record = '{\"team_id\": 7}' WHERE team_id = 'c1'")

    with SqliteStore(filled) as store, pytest.raises(StoreError) as caught:
        store.licenses.get("c1")

    assert caught.value.reason.startswith("the database is damaged: a stored License record is")


def test_text_that_is_not_utf_8_is_reported_as_damage(filled: Path) -> None:
    raw(filled, "UPDATE users SET record = CAST(x'7b22ff' AS TEXT) WHERE id = 'u1'")

    with SqliteStore(filled) as store, pytest.raises(StoreError) as caught:
        store.users.get("u1")

    assert "the database is damaged: a stored text is not valid UTF-8" == caught.value.reason


def test_a_store_error_is_an_os_error_that_survives_pickling() -> None:
    error = pickle.loads(pickle.dumps(StoreError("/tmp/x.db", "the database is damaged: x")))
    assert ("/tmp/x.db", "the database is damaged: x", "/tmp/x.db: the database is damaged: x") == (
        error.path,
        error.reason,
        str(error),
    )
    assert isinstance(error, OSError)
    assert isinstance(error, PartnercoreError)


# -- reading without writing ----------------------------------------------------------------


def test_a_read_only_store_reads_and_leaves_the_folder_exactly_as_it_was(filled: Path) -> None:
    before = files(filled.parent)

    with SqliteStore(filled, read_only=True) as store:
        assert ("Partner One", 1, True) == (
            store.teams.get("p1").name,
            store.licenses.get("c1").version,
            store.read_only,
        )

    assert before == files(filled.parent)


def test_a_read_only_store_refuses_every_write_and_writes_nothing(filled: Path) -> None:
    before = files(filled.parent)

    with SqliteStore(filled, read_only=True) as store:
        with pytest.raises(StoreError, match="cannot write: the store was opened read-only"):
            store.users.add(User("u2", "u2@example.com"))
        with pytest.raises(StoreError, match="opened read-only"), store.unit_of_work():
            pass

    assert before == files(filled.parent)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "not a partnercore database: the file is empty"),
        (b"just some text " * 100, "not a partnercore database: not a SQLite database file"),
    ],
    ids=["empty", "text"],
)
def test_opening_a_file_read_only_never_writes_a_schema_into_it(
    path: Path, content: bytes, reason: str
) -> None:
    path.write_bytes(content)

    assert reason == refusal(lambda: SqliteStore(path, read_only=True)).reason
    assert {"store.db": content} == files(path.parent)


def test_opening_a_missing_file_read_only_creates_nothing(path: Path) -> None:
    assert refusal(lambda: SqliteStore(path, read_only=True)).reason.startswith(
        "cannot open the file"
    )
    assert {} == files(path.parent)


def test_a_store_of_an_older_schema_is_not_migrated_when_opened_read_only(path: Path) -> None:
    db = Database(path)
    migrate(db, MIGRATIONS[:4])
    db.close()
    before = files(path.parent)

    error = refusal(lambda: SqliteStore(path, read_only=True))

    older = f"written by an older partnercore (schema version 4 of {SCHEMA_VERSION}): "
    assert older + "open it for writing once to bring it up to date" == error.reason
    assert before == files(path.parent)
    with SqliteStore(path) as store:  # opening it for writing brings it up to date
        assert SCHEMA_VERSION == store.schema_version


def test_a_store_in_a_folder_nobody_may_write_is_read(filled: Path, tmp_path: Path) -> None:
    # Reading a file in write-ahead-log mode needs a -shm file SQLite cannot create there.
    folder = tmp_path / "read-only"
    folder.mkdir()
    stored = folder / "store.db"
    stored.write_bytes(filled.read_bytes())
    before = files(folder)

    with read_only_folder(folder), SqliteStore(stored, read_only=True) as store:
        assert "Partner One" == store.teams.get("p1").name

    assert before == files(folder)


# -- locks while opening --------------------------------------------------------------------


@pytest.fixture
def locked(path: Path) -> Iterator[sqlite3.Connection]:
    """Another connection holding an exclusive lock on a fresh file."""
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN EXCLUSIVE")
    yield holder
    holder.close()


def test_a_file_locked_for_longer_than_the_timeout_is_a_retryable_conflict(
    path: Path, locked: sqlite3.Connection
) -> None:
    with pytest.raises(ConflictError) as caught:
        SqliteStore(path, timeout=0.2)
    assert (False, True) == (
        isinstance(caught.value, StoreError | ValidationError),
        "the database is busy" in str(caught.value),
    )


def test_a_lock_released_within_the_timeout_is_waited_for(
    path: Path, locked: sqlite3.Connection
) -> None:
    release = threading.Timer(0.3, locked.rollback)
    release.start()
    try:
        with SqliteStore(path, timeout=20) as store:
            store.users.add(User("u1", "u1@example.com"))
            assert ["u1"] == [store.users.get("u1").id]
    finally:
        release.join()


OPEN_AND_ADD = """
import sys
from partnercore.sqlite import SqliteStore
from partnercore.tenancy import User
sys.stdin.readline()
with SqliteStore(sys.argv[1]) as store:
    store.users.add(User(sys.argv[2], sys.argv[2] + "@example.com"))
print("ok", flush=True)
"""


def test_processes_opening_a_fresh_file_at_once_all_succeed(path: Path) -> None:
    names = [f"u{n}" for n in range(4)]
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", OPEN_AND_ADD, str(path), name],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in names
    ]
    for process in processes:  # all started (imports done): let them open the file at once
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    results = [process.communicate(timeout=120) for process in processes]

    assert [("ok\n", "")] * len(names) == results
    with SqliteStore(path) as store:
        assert names == [u for u in names if store.users.find(u) is not None]


# -- text that is not Unicode ---------------------------------------------------------------


def test_looking_up_text_holding_a_lone_surrogate_finds_nothing(filled: Path) -> None:
    period = BillingPeriod(2026, 1)
    with SqliteStore(filled) as store:
        tenancy = content = store
        assert (None, None, None, None, None, None) == (
            tenancy.teams.find(ODD),
            tenancy.users.find(ODD),
            tenancy.grants.find(ODD),
            store.licenses.find(ODD),
            store.price_books.find(ODD),
            content.items.find(ODD),
        )
        assert ([], [], [], [], [], [], (), {}, {}) == (
            tenancy.teams.clients_of(ODD),
            list(tenancy.memberships.between(ODD, "p1")),
            list(tenancy.grants.for_client("p1", ODD)),
            list(tenancy.history.for_team(ODD)),
            store.usage.totals(period, [ODD, "c1"]),
            store.invoices.for_partner("p1", ODD),
            store.licenses.for_organisation(ODD),
            store.licenses.for_teams([ODD]),
            tenancy.history.for_teams([ODD]),
        )
        with pytest.raises(NotFoundError):
            tenancy.teams.get(ODD)


def test_a_record_holding_a_lone_surrogate_is_refused_and_nothing_is_stored(
    filled: Path,
) -> None:
    with attrs.validators.disabled():  # as if a record type let the text through
        team = Team.partner("p2", f"Partner {ODD}", created_at=T0)
        usage = UsageRecord(client_id=ODD, metric="m", quantity="1", at=T0)
    before = files(filled.parent)

    with SqliteStore(filled) as store:
        with pytest.raises(ValidationError, match="not valid Unicode"):
            store.teams.add(team)
        with pytest.raises(ValidationError, match="not valid Unicode"):
            store.usage.add(usage)
        assert ["p1"] == [team.id for team in store.teams.partners()]
        assert [] == store.usage.records(ODD)

    assert before == files(filled.parent)


# -- a full disk ----------------------------------------------------------------------------


def fill_the_disk(monkeypatch: pytest.MonkeyPatch, pages: int) -> None:
    """Every database file opened from now on may grow by ``pages`` pages only, then SQLite
    reports a full disk (SQLITE_FULL), as it would on a full file system."""
    connect = sqlite3.connect

    def capped(*args: object, **options: object) -> sqlite3.Connection:
        connection: sqlite3.Connection = connect(*args, **options)  # type: ignore[call-overload]
        if options.get("uri"):
            (used,) = connection.execute("PRAGMA page_count").fetchone()
            connection.execute(f"PRAGMA max_page_count = {used + pages}")
        return connection

    monkeypatch.setattr(sqlite3, "connect", capped)


def add_many_users(store: SqliteStore) -> None:
    with store.unit_of_work():
        for n in range(2000):
            store.users.add(User(f"u{n}", f"u{n}@example.com", name="x" * 100))


def test_a_full_disk_is_a_store_error_and_the_failed_unit_writes_nothing(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    SqliteStore(path).close()
    fill_the_disk(monkeypatch, 5)
    with SqliteStore(path) as store:
        with pytest.raises(StoreError) as caught:
            add_many_users(store)
        assert None is store.users.find("u0")
    assert (str(path), "cannot write: the disk is full (database or disk is full)") == (
        caught.value.path,
        caught.value.reason,
    )
