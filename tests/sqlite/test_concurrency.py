"""Two processes writing the same licence: optimistic concurrency across connections."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from partnercore import StaleWriteError
from partnercore.licensing import License, LicenseState
from partnercore.sqlite import SqliteStore

OPENED = datetime(2026, 3, 1, tzinfo=UTC)

# Loads the licence, says so, waits for "go" on stdin, then saves one event on its copy.
SAVE_ONE = """
import json, sys
from datetime import datetime
from partnercore import StaleWriteError
from partnercore.sqlite import SqliteStore

path, event, at = sys.argv[1], sys.argv[2], datetime.fromisoformat(sys.argv[3])
with SqliteStore(path) as store:
    copy = store.licenses.get("c1")
    print("loaded", copy.version, flush=True)
    sys.stdin.readline()
    changed = getattr(copy, event)(at)
    try:
        saved = store.licenses.save(changed)
    except StaleWriteError as error:
        print(json.dumps({"outcome": "stale", "expected": error.expected,
                          "actual": error.actual}), flush=True)
    else:
        print(json.dumps({"outcome": "won", "version": saved.version}), flush=True)
"""

# Upgrades or downgrades the licence ``rounds`` times, retrying every stale write.
KEEP_SAVING = """
import json, sys
from datetime import timedelta
from partnercore import StaleWriteError
from partnercore.licensing import LicenseState
from partnercore.sqlite import SqliteStore

path, rounds = sys.argv[1], int(sys.argv[2])
won = stale = 0
with SqliteStore(path) as store:
    while won < rounds:
        copy = store.licenses.get("c1")
        at = copy.last_event_at + timedelta(minutes=1)
        if copy.state_at(at) is LicenseState.FULL:
            changed = copy.downgrade(at)
        else:
            changed = copy.upgrade(at, skip_trial=True)
        try:
            store.licenses.save(changed)
        except StaleWriteError:
            stale += 1
        else:
            won += 1
print(json.dumps({"won": won, "stale": stale}), flush=True)
"""


def start(script: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", script, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen[str]) -> str:
    out, err = process.communicate(timeout=60)
    assert 0 == process.returncode, err
    return out


@pytest.fixture
def path(tmp_path: Path) -> Path:
    path = tmp_path / "store.db"
    with SqliteStore(path) as store:
        store.licenses.add(License.open("c1", OPENED))
    return path


def test_of_two_processes_saving_the_same_version_exactly_one_wins(path: Path) -> None:
    upgrading = start(SAVE_ONE, str(path), "upgrade", "2026-03-05T00:00:00+00:00")
    requesting = start(SAVE_ONE, str(path), "request_upgrade", "2026-03-06T00:00:00+00:00")
    processes = (upgrading, requesting)
    for process in processes:
        assert process.stdout is not None
        assert "loaded 1\n" == process.stdout.readline()
    for process in processes:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    outcomes = [json.loads(finish(process)) for process in processes]

    assert [{"outcome": "won", "version": 2}] == [o for o in outcomes if o["outcome"] == "won"]
    expected_stale = {"outcome": "stale", "expected": 1, "actual": 2}
    assert [expected_stale] == [o for o in outcomes if o["outcome"] == "stale"]
    with SqliteStore(path) as store:
        stored = store.licenses.get("c1")
    winner = processes[[o["outcome"] for o in outcomes].index("won")]
    winning_kind = "upgrade" if winner is upgrading else "request_upgrade"
    assert (2, [winning_kind]) == (stored.version, [e.kind.value for e in stored.events])


def test_two_processes_retrying_stale_writes_lose_no_update(path: Path) -> None:
    rounds = 25
    processes = [start(KEEP_SAVING, str(path), str(rounds)) for _ in range(2)]
    results = [json.loads(finish(process)) for process in processes]

    with SqliteStore(path) as store:
        stored = store.licenses.get("c1")
    assert [rounds, rounds] == [r["won"] for r in results]
    assert (1 + 2 * rounds, 2 * rounds) == (stored.version, len(stored.events))
    states = [event.to for event in stored.events]
    assert [LicenseState.FULL, LicenseState.FREE] * rounds == states


def test_a_stale_save_inside_a_unit_of_work_writes_nothing_of_itself(path: Path) -> None:
    with SqliteStore(path) as store:
        stale = store.licenses.get("c1")
        store.licenses.save(stale.upgrade(datetime(2026, 3, 2, tzinfo=UTC)))
        with pytest.raises(StaleWriteError), store.unit_of_work():
            store.licenses.save(stale.request_upgrade(datetime(2026, 3, 3, tzinfo=UTC)))
        assert 2 == store.licenses.get("c1").version
