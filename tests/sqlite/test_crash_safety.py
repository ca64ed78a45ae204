"""A process killed in the middle of a unit of work leaves all of the unit or none of it."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from partnercore.sqlite import SqliteStore

# Opens a partner and a client with its licence, membership and events in one unit of work,
# ending the process (os._exit or SIGKILL) after ``stop`` writes, or never. ``pause`` stops
# at that point and waits to be killed from outside. ``bulk`` appends that many events first,
# so the unit is larger than SQLite's page cache and spills to the WAL file.
UNIT = """
import os, signal, sys, time
from datetime import UTC, datetime
from partnercore.licensing import License
from partnercore.sqlite import SqliteStore
from partnercore.events import PartnerCreated
from partnercore.tenancy import Membership, Team, User

path, stop, how, bulk = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
at = datetime(2026, 1, 1, tzinfo=UTC)
store = SqliteStore(path)
t = store


def entry(n):
    return PartnerCreated(at=at, by="system", team_id="p1", name=f"bulk {n} " + "x" * 200)


writes = [
    lambda: t.teams.add(Team.partner("p1", "Partner One", created_at=at)),
    lambda: t.teams.add(Team.client("c1", "Client One", parent_id="p1", operated_by="client",
                                    billing_model="reseller", created_at=at)),
    lambda: t.users.add(User("carol", "carol@c1.example")),
    lambda: t.memberships.add(Membership(user_id="carol", team_id="c1",
                                         role="client_admin", active_from=at)),
    lambda: store.licenses.add(License.open("c1", at)),
    lambda: store.licenses.save(store.licenses.get("c1").upgrade(at)),
    lambda: store.events.append([entry("last")]),
]


def end():
    if how == "pause":
        print("paused", flush=True)
        time.sleep(60)
    if how == "exit":
        os._exit(3)
    os.kill(os.getpid(), signal.SIGKILL)


with store.unit_of_work():
    for n in range(bulk):
        store.events.append([entry(n)])
    for done, write in enumerate(writes):
        if done == stop:
            end()
        with store.unit_of_work():  # a nested unit joins the outer one
            write()
    if stop == len(writes):
        end()
if stop > len(writes):
    end()
"""

WRITES = 7


def run(path: Path, stop: int, how: str, bulk: int = 0) -> int:
    process = subprocess.run(
        [sys.executable, "-c", UNIT, str(path), str(stop), how, str(bulk)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in process.stderr, process.stderr
    return process.returncode


def contents(path: Path) -> dict[str, int]:
    with SqliteStore(path) as store:
        db = store._db
        assert "ok" == db.pragma("integrity_check")
        counts = {
            table: int(db.query(f"SELECT count(*) FROM {table}")[0][0])
            for table in ("teams", "users", "memberships", "licenses", "events")
        }
        license = store.licenses.find("c1")
        counts["license_version"] = 0 if license is None else license.version
    return counts


NOTHING = {
    "teams": 0,
    "users": 0,
    "memberships": 0,
    "licenses": 0,
    "events": 0,
    "license_version": 0,
}
EVERYTHING = {
    "teams": 2,
    "users": 1,
    "memberships": 1,
    "licenses": 1,
    "events": 1,
    "license_version": 2,
}


@pytest.mark.parametrize("how", ["exit", "kill"])
@pytest.mark.parametrize("stop", [0, 1, 4, WRITES])
def test_a_process_ended_inside_a_unit_of_work_leaves_none_of_it(
    tmp_path: Path, stop: int, how: str
) -> None:
    path = tmp_path / "store.db"
    SqliteStore(path).close()
    returncode = run(path, stop, how)
    assert (3 if how == "exit" else -signal.SIGKILL) == returncode
    assert NOTHING == contents(path)


@pytest.mark.parametrize("how", ["exit", "kill"])
def test_a_process_ended_after_its_unit_of_work_committed_leaves_all_of_it(
    tmp_path: Path, how: str
) -> None:
    path = tmp_path / "store.db"
    run(path, WRITES + 1, how)
    assert EVERYTHING == contents(path)


def test_a_process_killed_from_outside_while_inside_a_unit_leaves_none_of_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "store.db"
    process = subprocess.Popen(
        [sys.executable, "-c", UNIT, str(path), "4", "pause", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert "paused\n" == process.stdout.readline()
    process.kill()
    assert -signal.SIGKILL == process.wait(timeout=60)
    process.stdout.close()
    assert NOTHING == contents(path)


def test_a_unit_larger_than_the_page_cache_killed_before_commit_leaves_none_of_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "store.db"
    run(path, 5, "kill", bulk=30_000)
    assert path.with_name("store.db-wal").stat().st_size > 8 * 1024 * 1024
    assert NOTHING == contents(path)


def test_after_a_crash_the_store_takes_new_units_of_work(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    run(path, 3, "kill")
    run(path, WRITES + 1, "exit")
    assert EVERYTHING == contents(path)
