"""PostgreSQL benchmark: billing from a PostgreSQL store, access checks and ``apply`` through it.

1. Billing: the world of ``benchmarks/billing.py`` (1,000 partners, 20,000 clients, 1,000,000
   usage records by default) built once in memory and once in a PostgreSQL store (loaded in
   one unit of work, usage written with ``COPY``: loading is not measured). Then one period
   is billed from each, raw usage included (the PostgreSQL store sums it with ``GROUP BY``
   over ``numeric``), the best of three runs each; both runs must give the same document.
   Printed: both times and their ratio (acceptance: PostgreSQL within 3 x the in-memory
   run).
2. Access checks: ``check`` through the PostgreSQL store's ports (each check reads
   memberships, teams, grants, consent and history with a query each), the median and 95th
   percentile microseconds of random checks, against the same checks in memory.
3. ``apply`` throughput: ``world.toml`` imported into a fresh schema, then files of changes
   (usage, memberships) applied through ``apply_changes``: one file of many rows in one unit
   of work (rows per second), and many one-row files, each its own unit (units per second).

Run: ``python benchmarks/postgres.py --url postgresql://...`` (default:
``PARTNERCORE_TEST_POSTGRES``, else a throwaway server as the tests start one). ``--records``
and ``--partners`` shrink the world. Each run uses fresh schemas, dropped at the end.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from billing import PERIOD, build_world
from partnercore.billing import bill_period
from partnercore.memory import InMemoryStore
from partnercore.postgres import PostgresStore
from partnercore.scenario import apply_changes, import_scenario, read_changes, read_document
from partnercore.scenario import build_world as build_scenario
from partnercore.tenancy import Permission, User, check

WORLD = Path(__file__).resolve().parent.parent / "tests" / "data" / "world.toml"


def best_of(runs: int, function: Callable[[], object]) -> tuple[float, float, object]:
    """The lowest wall and CPU seconds of ``runs`` calls, and the last result."""
    walls, cpus, result = [], [], None
    for _ in range(runs):
        gc.collect()
        cpu, start = time.process_time(), time.perf_counter()
        result = function()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus), result


def server_url(given: str | None) -> str:
    if given:
        return given
    from tests.postgres._server import server_url as test_server

    return test_server()


def drop(url: str, schema: str) -> None:
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def billing(url: str, partners: int, clients: int, records: int) -> None:
    started = time.perf_counter()
    memory_world = build_world(partners, clients, records, 2025, None)
    memory = memory_world["billing"]
    assert isinstance(memory, InMemoryStore)
    built = time.perf_counter() - started
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    try:
        with PostgresStore.connect(url, schema=schema, max_size=2) as store:
            started = time.perf_counter()
            build_world(partners, clients, records, 2025, store)  # type: ignore[arg-type]
            loaded = time.perf_counter() - started
            with store.database.unit_of_work():
                store.database.execute("ANALYZE")
            print(
                f"world: {partners:,} partners, {partners * clients:,} clients, "
                f"{records:,} usage records; built in memory in {built:.1f} s, "
                f"loaded into PostgreSQL in {loaded:.1f} s (not measured)"
            )
            memory_wall, memory_cpu, memory_run = best_of(3, lambda: bill_period(memory, PERIOD))
            pg_wall, pg_cpu, pg_run = best_of(3, lambda: bill_period(store, PERIOD))
            same = json.dumps(memory_run.to_dict()) == json.dumps(pg_run.to_dict())  # type: ignore[attr-defined]
            assert same, "billing from PostgreSQL must give the in-memory run"
            print("billing one period, raw usage summed by the store (best of 3):")
            print("                          wall      cpu (this process)")
            print(f"  in memory:         {memory_wall:7.3f} s {memory_cpu:7.3f} s")
            print(f"  PostgreSQL:        {pg_wall:7.3f} s {pg_cpu:7.3f} s")
            print(
                f"  PostgreSQL / memory: {pg_wall / memory_wall:5.2f} x   (acceptance <= 3 x); "
                "equal runs: yes"
            )
            access(store, memory, partners, clients)
    finally:
        drop(url, schema)


def access(store: PostgresStore, memory: InMemoryStore, partners: int, clients: int) -> None:
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
        for target in (memory, store):
            for user in users:
                target.users.add(User(user, f"{user}@example.com"))

    def timings(ports: object) -> tuple[float, float, int]:
        micros, allowed = [], 0
        for user, team, permission in checks:
            start = time.perf_counter()
            decision = check(ports, user, permission, team, at)  # type: ignore[arg-type]
            micros.append((time.perf_counter() - start) * 1e6)
            allowed += bool(decision.allowed)
        micros.sort()
        return statistics.median(micros), micros[int(len(micros) * 0.95)], allowed

    memory_median, memory_p95, memory_allowed = timings(memory)
    pg_median, pg_p95, pg_allowed = timings(store)
    assert memory_allowed == pg_allowed, "the same checks must give the same decisions"
    print(f"access checks ({len(checks):,} random, {pg_allowed:,} allowed):")
    print(f"  in memory:   median {memory_median:8.1f} us, p95 {memory_p95:8.1f} us")
    print(f"  PostgreSQL:  median {pg_median:8.1f} us, p95 {pg_p95:8.1f} us")


def changes(rows: int, offset: int) -> str:
    parts = ["format = 1\n"]
    start = datetime(2026, 12, 1, tzinfo=UTC)
    for n in range(rows):
        at = (start + timedelta(seconds=offset + n)).strftime("%Y-%m-%dT%H:%M:%SZ")
        parts.append(
            f'[[usage]]\nteam = "c1"\nmetric = "assessments"\nquantity = "1.5"\nat = {at}\n'
        )
    return "\n".join(parts)


def apply_throughput(url: str, rows: int, units: int) -> None:
    text = WORLD.read_text(encoding="utf-8")
    big, small = (
        read_changes(changes(rows, 0)),
        [read_changes(changes(1, rows + n)) for n in range(units)],
    )
    memory = build_scenario(InMemoryStore(), read_document(text))
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    try:
        with PostgresStore.connect(url, schema=schema, max_size=2) as store:
            import_scenario(store, text)
            print(f"apply ({WORLD.name} imported; usage rows of one client):")
            for name, target in (("in memory", memory), ("PostgreSQL", store)):

                def one_unit(target: object = target) -> None:
                    with target.unit_of_work():  # type: ignore[attr-defined]
                        apply_changes(target, big)  # type: ignore[arg-type]

                wall, _, _ = best_of(1, one_unit)
                start = time.perf_counter()
                for document in small:
                    with target.unit_of_work():  # type: ignore[attr-defined]
                        apply_changes(target, document)  # type: ignore[arg-type]
                each = time.perf_counter() - start
                print(
                    f"  {name:11s} one file of {rows:,} rows: {rows / wall:9,.0f} rows/s; "
                    f"{units:,} one-row files: {units / each:7,.0f} units/s"
                )
    finally:
        drop(url, schema)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("PARTNERCORE_TEST_POSTGRES"))
    parser.add_argument("--partners", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=20, help="clients per partner")
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--apply-rows", type=int, default=2000)
    parser.add_argument("--apply-units", type=int, default=200)
    args = parser.parse_args(argv)
    url = server_url(args.url)
    billing(url, args.partners, args.clients, args.records)
    apply_throughput(url, args.apply_rows, args.apply_units)
    print(f"load average at the end: {os.getloadavg()[0]:.2f} (2 cores)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
