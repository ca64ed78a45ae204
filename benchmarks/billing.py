"""Billing benchmark: one period for 1,000 partners, 20,000 clients and 1,000,000 usage records.

Prints the time to aggregate the raw usage into totals, the time to bill the period with
the usage already aggregated (the best of three runs, with the raw records no longer held in
the process, as when a warehouse aggregates them; one run with them still held is shown too),
the peak memory of the process, and the ratio of the billing time to a floor: a bare loop
summing the same records by client and metric. Wall and CPU seconds are both shown: the
machine is shared, and the load average at the end says how busy it was.

    python benchmarks/billing.py [--partners 1000] [--clients 20] [--records 1000000]
                                 [--store memory|sqlite] [--db PATH]
                                 [--pricing unit|tiered|both]

Every 50th client was transferred to the next partner two days after the period: billing
still bills it with the partner it had at the period's end, found through the team history
(the partner's transfers out, each client's history), so the results are those of a world
without transfers.

``--store sqlite`` keeps the world in a SQLite store (a temporary file unless ``--db``):
the aggregation is then one ``GROUP BY`` per time zone, run by SQLite. Measured on the 2-core
machine (shared, load about 3): aggregating the 1,000,000 records into 60,000 totals takes
0.9 s of CPU (1.0 to 1.4 s wall) in SQLite, against 1.15 s of CPU in memory.

Targets on a 2-core machine: billing <= 1.5 s; aggregation + billing <= 4 s;
peak memory <= 1 GiB; billing <= 5 x the floor.

``--pricing tiered`` bills the same world with the pricing models of §5.1: in each price
book a third of the metrics (``reports``) is tier-priced (graduated, volume or package,
one model per book), and every book has partner tiers, so each partner's referral rate
follows its trailing revenue over the twelve periods before the billed one (licences held
since January 2024: eleven or twelve months of licence charges per client to add up).
``--pricing both`` bills the world per unit with fixed rates, then switches its price books
and accounts to the tiered ones and bills it again, and prints the ratio of the two
billing times (target <= 1.5 x).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import attrs

from partnercore.billing import (
    BillingAccount,
    PriceBook,
    UsageRecord,
    UsageTotal,
    bill_period,
)
from partnercore.licensing import License
from partnercore.memory import InMemoryStore, InMemoryUsage, InMemoryUsageTotals
from partnercore.sqlite import SqliteStore
from partnercore.tenancy import Membership, Team, Transfer
from partnercore.time import BillingPeriod

PERIOD = "2025-10"
ZONES = ("UTC", "Europe/Paris", "America/New_York", "Asia/Tokyo")
METRICS = ("assessments", "reports", "api_calls")
POLICIES = (
    {"seat_policy": "any_time", "proration": "daily"},
    {"seat_policy": "prorated_daily", "proration": "exact", "referral_base": "usage_only"},
    {"seat_policy": "period_end", "proration": "exact", "referral_settlement": "net_on_invoice"},
)


TIERED = (
    {
        "model": "graduated",
        "tiers": [
            {"up_to": 10, "unit_price": "1.50", "flat_fee": "2.00"},
            {"up_to": 50, "unit_price": "1.25"},
            {"unit_price": "1.00", "flat_fee": "5.00"},
        ],
    },
    {
        "model": "volume",
        "tiers": [
            {"up_to": 20, "unit_price": "1.40"},
            {"up_to": 100, "unit_price": "1.10", "flat_fee": "3.00"},
            {"unit_price": "0.90", "flat_fee": "10.00"},
        ],
    },
    {"model": "package", "size": 25, "package_price": "30.00"},
)
PARTNER_TIERS = (
    {"name": "silver", "from_trailing_revenue": "0", "referral_rate": "0.15"},
    {"name": "gold", "from_trailing_revenue": "40000.00", "referral_rate": "0.20"},
    {"name": "platinum", "from_trailing_revenue": "60000.00", "referral_rate": "0.25"},
)


def price_book(index: int, tiered: bool) -> PriceBook:
    """Book ``index``: its policies, per-unit prices, and (tiered) a tier model for
    ``reports`` and partner tiers."""
    usage = {"assessments": "5.00", "reports": "1.25", "api_calls": "0.0125"}
    if not tiered:
        return PriceBook.of(
            f"book-{index}",
            "USD",
            advisor_monthly_fee="50.00",
            full_license_monthly_fee="400.00",
            usage=usage,
            **POLICIES[index],
        )
    del usage["reports"]
    return PriceBook.of(
        f"book-{index}",
        "USD",
        advisor_monthly_fee="50.00",
        full_license_monthly_fee="400.00",
        usage=usage,
        usage_tiers={"reports": TIERED[index]},
        partner_tiers=PARTNER_TIERS,
        **POLICIES[index],
    )


def use_pricing(
    billing: InMemoryStore | SqliteStore, partners: int, *, tiered: bool = True
) -> None:
    """Switch every price book to its tiered (or per-unit) version, and every account to
    partner tiers (or the fixed rate)."""
    for index in range(len(POLICIES)):
        billing.price_books.save(price_book(index, tiered=tiered))
    rate = None if tiered else Decimal("0.20")
    for p in range(partners):
        billing.accounts.save(BillingAccount(f"p{p:04d}", f"book-{p % len(POLICIES)}", rate))


def build_world(
    partners: int,
    clients_per_partner: int,
    records: int,
    seed: int,
    store: SqliteStore | None = None,
) -> dict[str, object]:
    if store is not None:  # the same world, written in one transaction
        with store.unit_of_work():
            return _build_world(partners, clients_per_partner, records, seed, store)
    return _build_world(partners, clients_per_partner, records, seed, None)


def _build_world(
    partners: int,
    clients_per_partner: int,
    records: int,
    seed: int,
    store: SqliteStore | None,
) -> dict[str, object]:
    rng = random.Random(seed)
    year, month = int(PERIOD[:4]), int(PERIOD[5:])
    billing: InMemoryStore | SqliteStore = InMemoryStore() if store is None else store
    teams, memberships, licenses = billing.teams, billing.memberships, billing.licenses
    history = billing.history
    for index in range(len(POLICIES)):
        billing.price_books.add(price_book(index, tiered=False))
    created = datetime(2024, 1, 1, tzinfo=UTC)
    client_ids: list[str] = []
    client_zone: dict[str, str] = {}
    for p in range(partners):
        pid = f"p{p:04d}"
        zone = ZONES[p % len(ZONES)]
        teams.add(Team.partner(pid, f"Partner {p}", created_at=created, timezone=zone))
        billing.accounts.add(BillingAccount(pid, f"book-{p % len(POLICIES)}", Decimal("0.20")))
        period = BillingPeriod(year, month, zone)
        for a in range(5):
            start = created if a < 4 else period.start + timedelta(days=rng.randrange(28))
            until = None if a != 3 else period.start + timedelta(days=rng.randrange(1, 28))
            role = "partner_admin" if a == 0 else "advisor"
            memberships.add(
                Membership(
                    user_id=f"{pid}-u{a}",
                    team_id=pid,
                    role=role,
                    active_from=start,
                    active_until=until,
                )
            )
        for c in range(clients_per_partner):
            cid = f"{pid}-c{c:02d}"
            model = "reseller" if c % 2 == 0 else "non_reseller"
            teams.add(
                Team.client(
                    cid,
                    f"Client {c} of {p}",
                    parent_id=pid,
                    operated_by="partner",
                    billing_model=model,
                    created_at=created,
                )
            )
            license = License.open(cid, created, billing_timezone=zone)
            kind = c % 5
            if kind in (0, 1, 2):
                license = license.upgrade(created + timedelta(days=1))
            elif kind == 3:
                license = license.upgrade(
                    period.start + timedelta(seconds=rng.randrange(2_000_000))
                )
            licenses.add(license)
            client_ids.append(cid)
            client_zone[cid] = zone
    # Every 50th client moves to the next partner after the period (in every zone).
    moved_at = BillingPeriod(year, month, "UTC").end + timedelta(days=2)
    for index in range(0, len(client_ids), 50):
        client = teams.get(client_ids[index])
        assert client.parent_id is not None
        target = f"p{(int(client.parent_id[1:]) + 1) % partners:04d}"
        history.add(
            Transfer(
                client_id=client.id,
                from_partner=client.parent_id,
                to_partner=target,
                at=moved_at,
                by="ops",
            )
        )
        teams.save(attrs.evolve(client, parent_id=target))
    # Raw usage, all inside the period of each client's partner: plain rows, as a host's
    # event table would hold them. The store gets them as validated UsageRecords.
    rows: list[tuple[str, str, int, datetime]] = []
    periods = {zone: BillingPeriod(year, month, zone) for zone in ZONES}
    spans = {zone: int((p.end - p.start).total_seconds()) for zone, p in periods.items()}
    for _ in range(records):
        cid = client_ids[rng.randrange(len(client_ids))]
        zone = client_zone[cid]
        at = periods[zone].start + timedelta(seconds=rng.randrange(spans[zone]))
        rows.append((cid, METRICS[rng.randrange(3)], rng.randrange(1, 10), at))
    billing.usage.extend(
        UsageRecord(client_id=cid, metric=metric, quantity=quantity, at=at)
        for cid, metric, quantity, at in rows
    )
    return {
        "teams": teams,
        "history": history,
        "memberships": memberships,
        "licenses": licenses,
        "billing": billing,
        "records": rows,
        "client_zone": client_zone,
    }


def aggregate(world: dict[str, object]) -> list[UsageTotal]:
    """Every usage total of the period, per time zone of the partners."""
    billing = world["billing"]
    assert isinstance(billing, InMemoryStore | SqliteStore)
    client_zone = world["client_zone"]
    assert isinstance(client_zone, dict)
    by_zone: dict[str, list[str]] = {}
    for cid, zone in client_zone.items():
        by_zone.setdefault(zone, []).append(cid)
    year, month = int(PERIOD[:4]), int(PERIOD[5:])
    totals: list[UsageTotal] = []
    for zone, ids in sorted(by_zone.items()):
        totals.extend(billing.usage.totals(BillingPeriod(year, month, zone), ids))
    return totals


def floor(rows: list[tuple[str, str, int, datetime]]) -> dict[tuple[str, str], int]:
    """The floor: a bare loop summing the same records by client and metric."""
    sums: dict[tuple[str, str], int] = {}
    for client, metric, quantity, _ in rows:
        key = (client, metric)
        sums[key] = sums.get(key, 0) + quantity
    return sums


class Aggregated:
    """The store's repositories, with usage totals aggregated elsewhere (a warehouse, SQL)
    instead of its raw usage: what billing reads."""

    def __init__(self, store: InMemoryStore | SqliteStore, usage: InMemoryUsageTotals) -> None:
        self.teams = store.teams
        self.memberships = store.memberships
        self.history = store.history
        self.licenses = store.licenses
        self.price_books = store.price_books
        self.accounts = store.accounts
        self.invoices = store.invoices
        self.numbers = store.numbers
        self.issued_invoices = store.issued_invoices
        self.credit_notes = store.credit_notes
        self.usage = usage


CPU: dict[str, float] = {}


def timed(function: object, *args: object, label: str = "") -> tuple[float, object]:
    """Wall-clock seconds of one call (CPU seconds are kept in ``CPU[label]``)."""
    assert callable(function)
    gc.collect()
    cpu = time.process_time()
    start = time.perf_counter()
    result = function(*args)
    elapsed = time.perf_counter() - start
    CPU[label] = time.process_time() - cpu
    return elapsed, result


def peak_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / 1024 if sys.platform == "darwin" else peak / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=20, help="clients per partner")
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--store", choices=("memory", "sqlite"), default="memory")
    parser.add_argument("--db", help="the SQLite file for --store sqlite (default: a temporary)")
    parser.add_argument(
        "--pricing",
        choices=("unit", "tiered", "both"),
        default="unit",
        help="per-unit prices and fixed rates, tiered metrics and partner tiers, or both",
    )
    args = parser.parse_args(argv)

    store = None
    if args.store == "sqlite":
        folder = tempfile.mkdtemp(prefix="partnercore-bench-")
        store = SqliteStore(args.db or os.path.join(folder, "billing.db"), synchronous="normal")
    started = time.perf_counter()
    world = build_world(args.partners, args.clients, args.records, args.seed, store)
    if args.pricing == "tiered":
        use_pricing(world["billing"], args.partners)  # type: ignore[arg-type]
    setup = time.perf_counter() - started
    records = world["records"]
    assert isinstance(records, list)
    billing = world["billing"]
    assert isinstance(billing, InMemoryStore | SqliteStore)

    aggregation, totals = timed(aggregate, world, label="aggregate")
    assert isinstance(totals, list)
    ports = Aggregated(billing, InMemoryUsageTotals(totals))
    floor_time, sums = timed(floor, records, label="floor")
    assert isinstance(sums, dict)
    # Billing with the million raw records still held in this process (the in-memory store
    # and the floor's rows): every full garbage collection walks them.
    held_time, held = timed(bill_period, ports, PERIOD, label="held")
    # Each run is kept as its JSON text only, so that runs measured later do not have
    # the earlier runs' objects in their heap.
    documents = [json.dumps(held.to_dict())]  # type: ignore[attr-defined]
    del held
    # Usage aggregated elsewhere (a warehouse, SQL): the raw records are not in this process.
    world["records"] = records = []
    if isinstance(billing, InMemoryStore):
        billing.usage = InMemoryUsage()
    # The best of three runs (the first after the records were freed also pays for fresh
    # memory pages); every run must give the same document.
    walls: list[float] = []
    cpus: list[float] = []
    for _ in range(3):
        wall, run = timed(bill_period, ports, PERIOD, label="bill")
        walls.append(wall)
        cpus.append(CPU["bill"])
        documents.append(json.dumps(run.to_dict()))  # type: ignore[attr-defined]
        invoice_count, referral_count = len(run.invoices), len(run.referrals)  # type: ignore[attr-defined]
        lines = sum(len(i.lines) + sum(len(g.lines) for g in i.clients) for i in run.invoices)  # type: ignore[attr-defined]
        del run
    assert len(set(documents)) == 1, "billing twice must give equal runs"
    billing_time, CPU["bill"] = min(walls), min(cpus)
    record_count = args.records
    tiered_walls: list[float] = []
    tiered_cpus: list[float] = []
    tiers: dict[str, int] = {}
    if args.pricing == "both":
        # Per unit and tiered alternately, three times each: the machine is shared, and
        # its load changes from one second to the next.
        tiered_documents = []
        for _ in range(3):
            use_pricing(billing, args.partners)
            wall, run = timed(bill_period, ports, PERIOD, label="tiered")
            tiered_walls.append(wall)
            tiered_cpus.append(CPU["tiered"])
            tiered_documents.append(json.dumps(run.to_dict()))  # type: ignore[attr-defined]
            tiers = {}
            for statement in run.referrals:  # type: ignore[attr-defined]
                tiers[statement.tier] = tiers.get(statement.tier, 0) + 1
            del run
            use_pricing(billing, args.partners, tiered=False)
            wall, run = timed(bill_period, ports, PERIOD, label="unit")
            walls.append(wall)
            cpus.append(CPU["unit"])
            documents.append(json.dumps(run.to_dict()))  # type: ignore[attr-defined]
            del run
        assert len(set(tiered_documents)) == 1, "billing twice must give equal runs"
        assert len(set(documents)) == 1, "billing twice must give equal runs"
        billing_time, CPU["bill"] = min(walls), min(cpus)

    clients = args.partners * args.clients
    print(
        f"world: {args.partners:,} partners, {clients:,} clients (half reseller), "
        f"{record_count:,} usage records over {len(METRICS)} metrics, period {PERIOD}"
    )
    pricing = {
        "unit": "per unit, fixed referral rates",
        "tiered": "reports tier-priced, partner tiers (trailing twelve periods)",
        "both": "per unit with fixed rates, then tiered with partner tiers",
    }[args.pricing]
    print(f"pricing: {pricing}")
    where = "in memory" if store is None else f"SQLite store {store.path}"
    print(f"store: {where}; setup (not measured): {setup:.1f} s")
    print(f"usage totals: {len(totals):,} (floor sums: {len(sums):,})")
    print(
        f"invoices: {invoice_count:,} with {lines:,} lines; referral statements: {referral_count:,}"
    )
    cpu = CPU
    print("                                   wall      cpu")
    print(f"aggregate usage:                {aggregation:7.3f} s {cpu['aggregate']:7.3f} s")
    print(
        f"bill the period (aggregated):   {billing_time:7.3f} s {cpu['bill']:7.3f} s"
        "   (target <= 1.5 s)"
    )
    runs = ", ".join(f"{wall:.3f}" for wall in walls)
    print(f"  the {len(walls)} runs (equal results): {runs} s")
    print(f"bill, raw records in memory:    {held_time:7.3f} s {cpu['held']:7.3f} s")
    both, both_cpu = aggregation + billing_time, cpu["aggregate"] + cpu["bill"]
    print(f"aggregate + bill:               {both:7.3f} s {both_cpu:7.3f} s   (target <= 4 s)")
    print(f"floor (sum by client, metric):  {floor_time:7.3f} s {cpu['floor']:7.3f} s")
    print(
        f"billing / floor:                {billing_time / floor_time:7.2f} x "
        f"{cpu['bill'] / cpu['floor']:7.2f} x   (target <= 5 x)"
    )
    if tiered_walls:
        tiered_time, tiered_cpu = min(tiered_walls), min(tiered_cpus)
        print(
            f"bill, tiered + partner tiers:   {tiered_time:7.3f} s {tiered_cpu:7.3f} s"
            f"   ({', '.join(f'{w:.3f}' for w in tiered_walls)} s)"
        )
        print(
            f"tiered / per unit:              {tiered_time / billing_time:7.2f} x "
            f"{tiered_cpu / CPU['bill']:7.2f} x   (target <= 1.5 x)"
        )
        print(f"partner tiers reached:          {dict(sorted(tiers.items()))}")
    print(f"peak memory (max RSS):          {peak_mib():7.0f} MiB            (target <= 1024 MiB)")
    print(f"load average at the end:        {os.getloadavg()[0]:7.2f} (2 cores)")
    if store is not None:
        store.close()
        if not args.db:
            shutil.rmtree(os.path.dirname(store.path), ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
