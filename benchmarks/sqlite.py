"""SQLite benchmark: billing from a SQLite store, and access checks through its ports.

1. Billing: the world of ``benchmarks/billing.py`` (1,000 partners, 20,000 clients, 1,000,000
   usage records by default) built once in memory and once in a SQLite file (loaded in one
   unit of work: loading is not measured). One period is billed from each, twice:
   - raw usage summed by the store (SQLite with its ``GROUP BY``, memory in Python);
   - usage already aggregated (the totals held in memory for both, as when a warehouse
     aggregates them): what remains is reading teams, histories, licences, accounts and
     memberships through the store.
   Each is billed three times: the first run from a store just opened (nothing decoded
   yet), then the best of the next two (the SQLite store answers repeated lookups from its
   cache of decoded records while nothing changes). Every run must give the same document.
   Printed: CPU seconds (this process) and wall seconds, and the ratios SQLite / memory
   (acceptance: the best run within 1.5 x).
2. Access checks: 2,000 random ``check`` calls through the SQLite store's ports against the
   same checks in memory: the median and 95th percentile microseconds, first asked and asked
   again (acceptance: within 10 x of in-memory).

Run: ``python benchmarks/sqlite.py [--partners 1000] [--clients 20] [--records 1000000]``.
Compare two versions of the library in one sitting by running it with ``PYTHONPATH`` set to
each in turn; CPU times are the figures to compare on a shared machine.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from billing import PERIOD, Aggregated, aggregate, build_world
from partnercore.billing import bill_period
from partnercore.memory import InMemoryStore, InMemoryUsageTotals
from partnercore.sqlite import SqliteStore
from partnercore.tenancy import Permission, User, check


def timed(function: Callable[[], object]) -> tuple[float, float, object]:
    """Wall and CPU seconds of one call, and its result."""
    gc.collect()
    cpu, start = time.process_time(), time.perf_counter()
    result = function()
    return time.perf_counter() - start, time.process_time() - cpu, result


def runs(function: Callable[[], object]) -> tuple[tuple[float, float], tuple[float, float], str]:
    """(wall, cpu) of the first run, the best (wall, cpu) of the next two, and the document."""
    first_wall, first_cpu, result = timed(function)
    document = json.dumps(result.to_dict())  # type: ignore[attr-defined]
    del result
    walls, cpus = [], []
    for _ in range(2):
        wall, cpu, result = timed(function)
        walls.append(wall)
        cpus.append(cpu)
        assert document == json.dumps(result.to_dict()), "billing twice must give equal runs"  # type: ignore[attr-defined]
        del result
    return (first_wall, first_cpu), (min(walls), min(cpus)), document


def billing(path: str, partners: int, clients: int, records: int) -> None:
    started = time.perf_counter()
    memory_world = build_world(partners, clients, records, 2025, None)
    memory = memory_world["billing"]
    assert isinstance(memory, InMemoryStore)
    built = time.perf_counter() - started
    started = time.perf_counter()
    with SqliteStore(path, synchronous="normal") as loading:
        build_world(partners, clients, records, 2025, loading)
    loaded = time.perf_counter() - started
    print(
        f"world: {partners:,} partners, {partners * clients:,} clients, {records:,} usage "
        f"records; built in memory in {built:.1f} s, written to SQLite in {loaded:.1f} s "
        "(not measured)"
    )
    totals = aggregate(memory_world)
    del memory_world
    print("billing one period: the first run, then the best of two more")
    print("                                     first: cpu     wall |  best: cpu     wall")
    figures = {}
    with SqliteStore(path, synchronous="normal") as store:
        for label, memory_ports, sqlite_ports in (
            ("raw usage", memory, store),
            (
                "usage aggregated",
                Aggregated(memory, InMemoryUsageTotals(totals)),  # type: ignore[arg-type]
                Aggregated(store, InMemoryUsageTotals(totals)),  # type: ignore[arg-type]
            ),
        ):
            if label == "usage aggregated":  # a store just opened: nothing decoded yet
                store.close()
                store = SqliteStore(path, synchronous="normal")
                sqlite_ports = Aggregated(store, InMemoryUsageTotals(totals))  # type: ignore[arg-type]
            results = {}
            for name, ports in (("memory", memory_ports), ("SQLite", sqlite_ports)):
                first, best, document = runs(lambda ports=ports: bill_period(ports, PERIOD))  # type: ignore[arg-type]
                results[name] = (first, best, document)
                print(
                    f"  {label + ', ' + name + ':':32s} {first[1]:7.3f} s {first[0]:7.3f} s |"
                    f" {best[1]:7.3f} s {best[0]:7.3f} s"
                )
            assert results["memory"][2] == results["SQLite"][2], "SQLite must bill as memory"
            figures[label] = results
            (m_first, m_best, _), (s_first, s_best, _) = results["memory"], results["SQLite"]
            print(
                f"  {label + ', SQLite / memory:':32s} {s_first[1] / m_first[1]:7.2f} x"
                f" {s_first[0] / m_first[0]:7.2f} x | {s_best[1] / m_best[1]:7.2f} x"
                f" {s_best[0] / m_best[0]:7.2f} x   (acceptance <= 1.5 x); equal runs: yes"
            )
        access(store, memory, partners, clients)
        store.close()


def access(store: SqliteStore, memory: InMemoryStore, partners: int, clients: int) -> None:
    rng = random.Random(7)
    at = datetime(2025, 10, 15, 12, tzinfo=UTC)
    checks = []
    for _ in range(2000):
        p = rng.randrange(partners)
        user = f"p{p:04d}-u{rng.randrange(5)}"
        team = f"p{p:04d}-c{rng.randrange(clients):02d}" if rng.random() < 0.8 else f"p{p:04d}"
        checks.append((user, team, rng.choice(list(Permission))))
    users = sorted({user for user, _, _ in checks})  # the billing world holds no users
    with store.unit_of_work():
        for user in users:
            store.users.add(User(user, f"{user}@example.com"))
    for user in users:
        memory.users.add(User(user, f"{user}@example.com"))

    def timings(ports: object) -> tuple[float, float, int]:
        micros, allowed = [], 0
        for user, team, permission in checks:
            start = time.perf_counter()
            decision = check(ports, user, permission, team, at)  # type: ignore[arg-type]
            micros.append((time.perf_counter() - start) * 1e6)
            allowed += bool(decision.allowed)
        micros.sort()
        return statistics.median(micros), micros[int(len(micros) * 0.95)], allowed

    memory_first = timings(memory)
    sqlite_first = timings(store)
    memory_again = timings(memory)
    sqlite_again = timings(store)
    assert memory_first[2] == sqlite_first[2] == sqlite_again[2], "the same decisions"
    print(f"access checks ({len(checks):,} random, {sqlite_first[2]:,} allowed):")
    for label, (median, p95, _) in (
        ("in memory", memory_first),
        ("SQLite, first asked", sqlite_first),
        ("in memory, again", memory_again),
        ("SQLite, asked again", sqlite_again),
    ):
        print(f"  {label + ':':22s} median {median:8.1f} us, p95 {p95:8.1f} us")
    print(
        f"  SQLite / memory (median): first {sqlite_first[0] / memory_first[0]:.1f} x, "
        f"again {sqlite_again[0] / memory_again[0]:.1f} x   (acceptance <= 10 x)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=20, help="clients per partner")
    parser.add_argument("--records", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="partnercore-bench-") as folder:
        billing(os.path.join(folder, "world.db"), args.partners, args.clients, args.records)
    print(f"load average at the end: {os.getloadavg()[0]:.2f} (2 cores)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
