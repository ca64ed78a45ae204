"""Several processes writing one SQLite file through the command line, black box.

Each worker is one process running ``partnercore`` commands read from its standard input,
so that every round starts its commands at once (not two interpreters starting up).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from partnercore.billing import Invoice, LineKind
from partnercore.cli import main
from partnercore.events import LicenseChanged
from partnercore.scenario import loads
from partnercore.sqlite import SqliteStore
from partnercore.time import BillingPeriod

DATA = Path(__file__).resolve().parent.parent / "data"
WORLD = DATA / "world.toml"

# Runs each line of standard input (a JSON list of arguments) as a command; prints the exit
# status and what went to standard error.
WORKER = """
import contextlib, io, json, sys
from partnercore.cli import main
for line in sys.stdin:
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        status = main(json.loads(line))
    print(json.dumps([status, err.getvalue()]), flush=True)
"""


class Workers:
    def __init__(self, count: int) -> None:
        self.processes = [
            subprocess.Popen(
                [sys.executable, "-c", WORKER],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(count)
        ]

    def run(self, *commands: list[str]) -> list[tuple[int, str]]:
        """Each command on its own worker, all at once; their (status, stderr)."""
        for process, command in zip(self.processes, commands, strict=False):
            assert process.stdin is not None
            process.stdin.write(json.dumps(command) + "\n")
            process.stdin.flush()
        outcomes = []
        for process, _ in zip(self.processes, commands, strict=False):
            assert process.stdout is not None
            status, err = json.loads(process.stdout.readline())
            outcomes.append((int(status), str(err)))
        return outcomes

    def close(self) -> None:
        for process in self.processes:
            assert process.stdin is not None
            process.stdin.close()
            process.wait(timeout=60)
            assert process.stderr is not None
            assert "" == process.stderr.read()
            process.stderr.close()
            assert process.stdout is not None
            process.stdout.close()


@pytest.fixture
def workers() -> Iterator[Workers]:
    started = Workers(3)
    try:
        yield started
    finally:
        started.close()


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = str(tmp_path / "world.db")
    assert 0 == main(["import", str(WORLD), "--db", path])
    return path


def revision(db: str) -> int:
    with SqliteStore(db, read_only=True) as store:
        return store.revision()


def visits(db: str) -> int:
    """dave's memberships in c2 (one per downgrade file applied)."""
    with SqliteStore(db, read_only=True) as store:
        return len(store.memberships.between("dave", "c2"))


def usage(db: str, client: str, month: str) -> Decimal:
    with SqliteStore(db, read_only=True) as store:
        totals = store.usage.totals(BillingPeriod.parse(month), [client])
    return sum((t.quantity for t in totals), Decimal(0))


# c3's licence is free from 1 December: an upgrade then a downgrade are both valid, a
# downgrade first is refused (it is not full). Each file also records usage, and the
# downgrade's a membership applied before its licence event.
UPGRADE = """
[[license_events]]
team = "c3"
event = "upgrade"
at = 2026-12-{day:02d}T00:00:00Z
by = "paula"

[[usage]]
team = "c1"
metric = "assessments"
quantity = {quantity}
at = 2026-12-{day:02d}T00:00:00Z
"""

DOWNGRADE = """
[[memberships]]
user = "dave"
team = "c2"
role = "viewer"
from = 2026-12-{day:02d}T01:00:00Z
until = 2026-12-{day:02d}T02:00:00Z
by = "paula"

[[license_events]]
team = "c3"
event = "downgrade"
at = 2026-12-{day:02d}T01:00:00Z
by = "paula"

[[usage]]
team = "c2"
metric = "assessments"
quantity = {quantity}
at = 2026-12-{day:02d}T01:00:00Z
"""


def test_two_concurrent_apply_files_never_lose_a_write(
    db: str, tmp_path: Path, workers: Workers
) -> None:
    days = range(2, 8)
    for day in days:
        upgrade, downgrade = tmp_path / f"up-{day}.toml", tmp_path / f"down-{day}.toml"
        upgrade.write_text(UPGRADE.format(day=day, quantity=day), encoding="utf-8")
        downgrade.write_text(DOWNGRADE.format(day=day, quantity=10 * day), encoding="utf-8")
        before = revision(db)
        up, down = workers.run(
            ["apply", str(upgrade), "--db", db], ["apply", str(downgrade), "--db", db]
        )
        assert (0, "") == up
        if down[0] != 0:  # the downgrade ran first: refused, and nothing of its file kept
            assert (2, 1) == (down[0], down[1].count("\n"))
            assert "license_events[0].event" in down[1]
            assert (before + 2, sum(10 * d for d in days if d < day), day - 2) == (
                revision(db),
                usage(db, "c2", "2026-12"),
                visits(db),
            )
            assert [(0, "")] == workers.run(["apply", str(downgrade), "--db", db])
        assert (before + 5, day - 1) == (revision(db), visits(db))
    assert sum(days) == usage(db, "c1", "2026-12")
    assert sum(10 * d for d in days) == usage(db, "c2", "2026-12")
    with SqliteStore(db, read_only=True) as store:
        changes = [e.change for e in store.events.about("c3") if isinstance(e, LicenseChanged)]
    assert ["upgrade", "downgrade"] * len(days) == changes[-2 * len(days) :]


# Usage of c1 in November, arriving while November is being finalised.
LATE = """
[[usage]]
team = "c1"
metric = "assessments"
quantity = 7
at = 2026-11-25T00:00:00Z
"""


def stored_invoices(db: str, period: str) -> list[Invoice]:
    with SqliteStore(db, read_only=True) as store:
        found = [
            invoice
            for partner in ("acme", "beacon")
            for invoice in store.invoices.for_partner(partner, period)
        ]
    return sorted(found, key=lambda invoice: invoice.id)


def adjustments(invoices: list[Invoice]) -> list[tuple[str, str | None, Decimal]]:
    return [
        (client, line.original_period, line.quantity)
        for invoice in invoices
        for client, line in invoice.client_lines()
        if line.kind is LineKind.ADJUSTMENT
    ]


def test_concurrent_finalisations_with_late_usage_store_one_complete_run(
    db: str, tmp_path: Path, workers: Workers
) -> None:
    text = WORLD.read_text(encoding="utf-8")
    without = sorted(loads(text).bill("2026-11").invoices, key=lambda invoice: invoice.id)
    with_late = sorted(loads(text + LATE).bill("2026-11").invoices, key=lambda i: i.id)
    assert without != with_late
    late = tmp_path / "late.toml"
    late.write_text(LATE, encoding="utf-8")
    finalise = ["finalise", "--period", "2026-11", "--at", "2026-12-01T02:00:00Z"]
    seen: set[str] = set()
    for round in range(5):
        copy = str(tmp_path / f"round-{round}.db")
        shutil.copyfile(db, copy)
        first, usage_added, second = workers.run(
            [*finalise, "--db", copy], ["apply", str(late), "--db", copy], [*finalise, "--db", copy]
        )
        assert (0, "") == usage_added
        stored = stored_invoices(copy, "2026-11")
        assert stored in (without, with_late)  # one complete run, never a mix of two
        seen.add("with" if stored == with_late else "without")
        for status, err in (first, second):
            if status:  # the loser: a conflict, and nothing of its run stored
                assert (2, 1) == (status, err.count("\n"))
                assert "was finalised with different results" in err
        assert 0 in (first[0], second[0])

        again = workers.run([*finalise, "--db", copy])[0]
        if stored == with_late:  # every usage was in the stored run: a no-op
            assert (0, "") == again
        else:  # the usage came after November was stored: it is December's
            assert (2, True) == (again[0], "finalised with different results" in again[1])
        assert stored == stored_invoices(copy, "2026-11")
        december = ["finalise", "--period", "2026-12", "--at", "2027-01-01T02:00:00Z"]
        assert [(0, "")] == workers.run([*december, "--db", copy])
        expected = [] if stored == with_late else [("c1", "2026-11", Decimal(7))]
        assert expected == adjustments(stored_invoices(copy, "2026-12"))
    assert seen  # (which runs won varies from round to round)
