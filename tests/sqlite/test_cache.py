"""The SQLite store's cache of decoded lookups: it answers repeated lookups without reading
the tables again, and never gives what the file no longer holds."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import attrs
import pytest

from partnercore import ValidationError
from partnercore.licensing import License
from partnercore.sqlite import SqliteStore
from partnercore.sqlite._database import Database
from partnercore.tenancy import Membership, Team

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _client() -> Team:
    return Team.client(
        "c1", "C1", parent_id="p1", operated_by="partner", billing_model="reseller", created_at=T0
    )


@pytest.fixture(autouse=True, params=[True, False], ids=["wal-index", "data_version"])
def how_changes_are_seen(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Every test runs with commits seen through the wal-index header, then through
    ``PRAGMA data_version`` alone."""
    monkeypatch.setattr(Database, "wal_index", request.param)
    return bool(request.param)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    path = tmp_path / "store.db"
    with SqliteStore(path) as store:
        store.teams.add(Team.partner("p1", "Before", created_at=T0))
        store.licenses.add(License.open("p1", T0))
    return path


@pytest.fixture
def stores(path: Path) -> Iterator[tuple[SqliteStore, SqliteStore]]:
    with SqliteStore(path) as one, SqliteStore(path) as two:
        yield one, two


def _statements(store: SqliteStore, read: object) -> list[str]:
    run: list[str] = []
    store._db._connection.set_trace_callback(run.append)
    try:
        assert callable(read)
        read()
    finally:
        store._db._connection.set_trace_callback(None)
    return run


def test_a_lookup_asked_again_reads_no_table(
    stores: tuple[SqliteStore, SqliteStore], how_changes_are_seen: bool
) -> None:
    store = stores[0]
    store.teams.find("p1")
    store.licenses.for_teams(["p1", "nobody"])
    checks = [] if how_changes_are_seen else ["PRAGMA data_version"] * 3
    assert checks == [
        *_statements(store, lambda: store.teams.find("p1")),
        *_statements(store, lambda: store.licenses.for_teams(["p1", "nobody"])),
        *_statements(store, lambda: store.licenses.find("nobody")),
    ]


def test_what_another_connection_commits_is_seen_at_once(
    stores: tuple[SqliteStore, SqliteStore],
) -> None:
    one, two = stores
    before = (one.teams.get("p1").name, one.licenses.get("p1").version, one.teams.clients_of("p1"))
    two.teams.save(attrs.evolve(two.teams.get("p1"), name="After"))
    two.licenses.save(two.licenses.get("p1").upgrade(T0))
    with two.unit_of_work():
        two.teams.add(_client())
    after = (one.teams.get("p1").name, one.licenses.get("p1").version, one.teams.clients_of("p1"))
    assert (("Before", 1, []), ("After", 2, ["c1"])) == (
        before,
        (after[0], after[1], [team.id for team in after[2]]),
    )


def test_what_another_process_commits_is_seen_at_once(path: Path) -> None:
    script = (
        "import sys, attrs\n"
        "from partnercore.sqlite import SqliteStore\n"
        "with SqliteStore(sys.argv[1]) as store:\n"
        "    store.teams.save(attrs.evolve(store.teams.get('p1'), name=sys.argv[2]))\n"
    )
    seen = []
    with SqliteStore(path) as store:
        seen.append(store.teams.get("p1").name)
        for name in ("Elsewhere", "Again"):
            subprocess.run([sys.executable, "-c", script, str(path), name], check=True, timeout=120)
            seen.append(store.teams.get("p1").name)
    assert ["Before", "Elsewhere", "Again"] == seen


def test_a_unit_of_work_rolled_back_leaves_nothing_of_its_writes_in_the_cache(
    stores: tuple[SqliteStore, SqliteStore],
) -> None:
    store = stores[0]
    store.memberships.between("u1", "p1")
    seen_inside: list[object] = []

    def write_then_fail() -> None:
        with store.unit_of_work():
            store.teams.save(attrs.evolve(store.teams.get("p1"), name="Undone"))
            store.memberships.add(
                Membership(user_id="u1", team_id="p1", role="advisor", active_from=T0)
            )
            seen_inside.extend(
                [store.teams.get("p1").name, len(store.memberships.between("u1", "p1"))]
            )
            raise RuntimeError("undo")

    with pytest.raises(RuntimeError):
        write_then_fail()
    assert (["Undone", 1], "Before", ()) == (
        seen_inside,
        store.teams.get("p1").name,
        tuple(store.memberships.between("u1", "p1")),
    )


def test_a_savepoint_undone_leaves_nothing_of_its_writes_in_the_cache(
    stores: tuple[SqliteStore, SqliteStore],
) -> None:
    store = stores[0]
    seen_inside: list[str] = []

    def write_then_fail() -> None:
        with store.unit_of_work():
            store.teams.save(attrs.evolve(store.teams.get("p1"), name="Undone"))
            seen_inside.append(store.teams.get("p1").name)
            raise RuntimeError("undo")

    with store.unit_of_work():
        with pytest.raises(RuntimeError):
            write_then_fail()
        after = store.teams.get("p1").name
    assert (["Undone"], "Before") == (seen_inside, after)


def test_lists_given_out_are_the_callers_to_keep(stores: tuple[SqliteStore, SqliteStore]) -> None:
    store = stores[0]
    store.teams.add(_client())
    store.teams.clients_of("p1").clear()
    store.teams.partners().clear()
    assert (["c1"], ["p1"]) == (
        [team.id for team in store.teams.clients_of("p1")],
        [team.id for team in store.teams.partners()],
    )


def test_a_cache_of_size_zero_reads_the_tables_every_time(path: Path) -> None:
    with SqliteStore(path, cache_size=0) as store:
        store.teams.find("p1")
        again = _statements(store, lambda: store.teams.find("p1"))
    assert ["SELECT record FROM teams WHERE id = 'p1'"] == again


def test_the_cache_never_holds_more_than_its_size(path: Path) -> None:
    with SqliteStore(path, cache_size=3) as store:
        sizes = []
        for n in range(10):
            store.teams.find(f"t{n}")
            sizes.append(len(store._db._cache))
    assert 3 >= max(sizes)


@pytest.mark.parametrize("size", [-1, 1.5, "10", True, None])
def test_a_cache_size_that_is_not_a_whole_number_is_refused(path: Path, size: object) -> None:
    with pytest.raises(ValidationError) as caught:
        SqliteStore(path, cache_size=size)  # type: ignore[arg-type]
    assert "cache_size" == caught.value.problems[0].path


def test_a_record_read_again_after_a_write_is_not_decoded_again(
    stores: tuple[SqliteStore, SqliteStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    one, two = stores
    first = one.teams.get("p1")
    decoded: list[str] = []
    decode = one._db._decode

    def counting(text: str, cls: type) -> object:
        decoded.append(cls.__name__)
        return decode(text, cls)

    monkeypatch.setattr(one._db, "_decode", counting)
    two.licenses.save(two.licenses.get("p1").upgrade(T0))  # another record changes
    again = one.teams.get("p1")
    licence = one.licenses.get("p1")
    assert (first, ["License"], 2) == (again, decoded, licence.version)
