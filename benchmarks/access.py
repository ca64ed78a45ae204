"""Access-check speed: the uncached check and the access index, on a large world.

A world of PARTNERS partners x 20 clients (default 200 partners: 4,000 client teams and 9,200
users; ``--partners N`` for another size, ``--quick`` for 50), one partner admin and 5
advisors per partner, 2 members per client, and a mix of per-client, all-clients, expired and
revoked grants, partner-operated and client-run clients, a few suspended and archived
clients, consent revocations and transfers, written through the services into an in-memory
store.

Measured, each call timed on its own, as the median (and 95th percentile) microseconds:

- the access index: its build time; ``check`` on 100,000 random checks, ``teams`` and ``who``
  on 1,000 lookups of each kind, first the time each answer takes the first time it is asked
  (the index computes it then), then against the uncached call on the same queries; and a
  plain-dict floor (one lookup per check in a dict as large as the index: what no index in
  Python beats);
- the uncached check reading the explanation too (a decision writes it when first read);
- the index's memory (``tracemalloc``: after the build, and after answering every query
  above); then 1,000 random writes through the services (grants, revocations, membership ends
  and starts, consent changes, suspensions, transfers), the time ``refresh()`` takes to catch
  up with them (after which a sample of decisions is compared with the uncached check's), and
  the time the access-change feed takes over them;
- with ``--sqlite``: the same world in a SQLite file: the index built from it, and the
  uncached check through it against the index.

Calls compared are timed in 3 rounds taking turns (so that a slow spell of a shared machine
hits them alike); the round with the lowest median is reported, and every round's median is
printed too.

Run: ``python benchmarks/access.py [--partners N | --quick] [--sqlite]``.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from partnercore import PartnercoreError
from partnercore.events import SYSTEM
from partnercore.memory import InMemoryStore
from partnercore.sqlite import SqliteStore
from partnercore.store import Store
from partnercore.tenancy import (
    ALL,
    AccessIndex,
    Decision,
    Grant,
    Membership,
    Permission,
    User,
    add_membership,
    add_user,
    archive_team,
    check,
    create_client,
    create_partner,
    end_membership,
    grant_access,
    reactivate_team,
    restore_partner_access,
    revoke_grant,
    revoke_partner_access,
    suspend_team,
    teams,
    transfer_client,
    who,
)


def _partners() -> int:
    if "--partners" in sys.argv:
        return int(sys.argv[sys.argv.index("--partners") + 1])
    return 50 if "--quick" in sys.argv else 200


PARTNERS = _partners()
CLIENTS_PER_PARTNER = 20
ADVISORS_PER_PARTNER = 5
CHECKS = 100_000
LOOKUPS = 1_000
WRITES = 1_000
SQLITE_CHECKS = 5_000
ROUNDS = 3
START = datetime(2026, 1, 1, tzinfo=UTC)
YEAR = timedelta(days=365)


def build(rng: random.Random, ports: Store) -> dict[str, list[str]]:
    """Write the world into ``ports``; for each kind of user the list of their ids. Teams,
    users and memberships are set up by SYSTEM (as a host's import would), grants,
    suspensions, archives and consent changes by the users who may, transfers by SYSTEM."""
    users: dict[str, list[str]] = {"admin": [], "all_clients": [], "advisor": [], "client": []}
    for p in range(PARTNERS):
        partner = f"p{p}"
        create_partner(ports, partner, f"Partner {p}", at=START, by=SYSTEM)
        admin = f"{partner}-admin"
        add_user(ports, User(admin, f"{admin}@example.com"), at=START, by=SYSTEM)
        add_membership(
            ports,
            Membership(user_id=admin, team_id=partner, role="partner_admin", active_from=START),
            at=START,
            by=SYSTEM,
        )
        users["admin"].append(admin)
        advisors = [f"{partner}-a{a}" for a in range(ADVISORS_PER_PARTNER)]
        for a, advisor in enumerate(advisors):
            add_user(ports, User(advisor, f"{advisor}@example.com"), at=START, by=SYSTEM)
            until = START + timedelta(days=200) if a == 4 else None  # one leaves in July
            add_membership(
                ports,
                Membership(
                    user_id=advisor,
                    team_id=partner,
                    role="advisor",
                    active_from=START,
                    active_until=until,
                ),
                at=START,
                by=SYSTEM,
            )
        clients = [f"{partner}-c{c}" for c in range(CLIENTS_PER_PARTNER)]
        for c, client in enumerate(clients):
            create_client(
                ports,
                client,
                f"Client {c} of {partner}",
                partner_id=partner,
                operated_by="partner" if c % 2 else "client",
                billing_model="reseller" if c % 3 else "non_reseller",
                at=START,
                by=SYSTEM,
            )
            for role in ("client_admin", "member"):
                member = f"{client}-{role}"
                add_user(ports, User(member, f"{member}@example.com"), at=START, by=SYSTEM)
                add_membership(
                    ports,
                    Membership(user_id=member, team_id=client, role=role, active_from=START),
                    at=START,
                    by=SYSTEM,
                )
                users["client"].append(member)
        # a0: an all-clients grant; a1: per-client grants, some expiring; a2: per-client grants,
        # some revoked; a3: an expired all-clients grant and a read-only per-client grant;
        # a4: per-client grants, then leaves the partner; every advisor: one "*"-advisor grant.
        grants = [
            Grant(id=f"{partner}-g-all", partner_id=partner, client_id=ALL,
                  advisor_id=advisors[0], role="advisor", granted_at=START, granted_by=admin),
            Grant(id=f"{partner}-g-old", partner_id=partner, client_id=ALL,
                  advisor_id=advisors[3], role="advisor_admin", granted_at=START,
                  expires_at=START + timedelta(days=30), granted_by=admin),
            Grant(id=f"{partner}-g-team", partner_id=partner, client_id=clients[0],
                  advisor_id=ALL, role="advisor_readonly", granted_at=START, granted_by=admin),
        ]  # fmt: skip
        for c in range(0, CLIENTS_PER_PARTNER, 3):
            grants.append(
                Grant(id=f"{partner}-g1-{c}", partner_id=partner, client_id=clients[c],
                      advisor_id=advisors[1], role="advisor", granted_at=START,
                      expires_at=START + rng.choice([timedelta(days=90), YEAR]),
                      granted_by=admin)
            )  # fmt: skip
            grants.append(
                Grant(id=f"{partner}-g2-{c}", partner_id=partner, client_id=clients[c + 1],
                      advisor_id=advisors[2], role="advisor_admin", granted_at=START,
                      revoked_at=START + timedelta(days=120) if c % 2 else None,
                      granted_by=admin)
            )  # fmt: skip
            grants.append(
                Grant(id=f"{partner}-g4-{c}", partner_id=partner, client_id=clients[c],
                      advisor_id=advisors[4], role="advisor", granted_at=START,
                      granted_by=admin)
            )  # fmt: skip
        grants.append(
            Grant(id=f"{partner}-g3", partner_id=partner, client_id=clients[5],
                  advisor_id=advisors[3], role="advisor_readonly",
                  granted_at=START + timedelta(days=10), granted_by=admin)
        )  # fmt: skip
        for grant in grants:
            grant_access(ports, grant, at=grant.granted_at, by=admin)
        users["all_clients"].append(advisors[0])
        users["advisor"].extend(advisors[1:])
        # some change: a suspended client, an archived one, a consent revocation
        suspend_team(ports, clients[7], at=START + timedelta(days=60), by=admin)
        archive_team(ports, clients[9], at=START + timedelta(days=90), by=admin)
        revoke_partner_access(
            ports, clients[2], at=START + timedelta(days=100), by=f"{clients[2]}-client_admin"
        )
    for p in range(0, PARTNERS, 10):  # one client of every tenth partner moves on
        transfer_client(
            ports, f"p{p}-c19", f"p{(p + 1) % PARTNERS}", at=START + timedelta(days=150),
            by=SYSTEM,
        )  # fmt: skip
    return users


def median_us(samples: list[int]) -> float:
    return statistics.median(samples) / 1000


def p95_us(samples: list[int]) -> float:
    return statistics.quantiles(samples, n=20)[-1] / 1000


def timed(calls: list[Callable[[], object]]) -> tuple[list[int], list[object]]:
    """Each call timed on its own (nanoseconds), and the results."""
    clock = time.perf_counter_ns
    samples = []
    results = []
    for call in calls:
        began = clock()
        result = call()
        samples.append(clock() - began)
        results.append(result)
    return samples, results


class Measured:
    """Calls timed in rounds: the round with the lowest median (other processes slow some
    rounds down) and every round's median."""

    def __init__(self) -> None:
        self.rounds: list[tuple[list[int], list[object]]] = []

    def add(self, round_: tuple[list[int], list[object]]) -> None:
        self.rounds.append(round_)

    @property
    def best(self) -> tuple[list[int], list[object]]:
        return min(self.rounds, key=lambda m: statistics.median(m[0]))

    @property
    def results(self) -> list[object]:
        return self.best[1]

    @property
    def median(self) -> float:
        return median_us(self.best[0])

    @property
    def first(self) -> float:
        return median_us(self.rounds[0][0])

    def __str__(self) -> str:
        medians = " / ".join(f"{median_us(m[0]):.2f}" for m in self.rounds)
        return (
            f"median {self.median:.2f} us, p95 {p95_us(self.best[0]):.2f} us "
            f"(round medians {medians} us)"
        )


def interleaved(rounds: int = ROUNDS, **calls: list[Callable[[], object]]) -> dict[str, Measured]:
    """Each list of calls timed in ``rounds`` rounds, the lists taking turns (in an order
    that rotates), so that a slow spell of the machine hits them alike."""
    measured = {name: Measured() for name in calls}
    names = list(calls)
    for n in range(rounds):
        for name in names[n % len(names) :] + names[: n % len(names)]:
            measured[name].add(timed(calls[name]))
    return measured


def random_writes(rng: random.Random, store: Store, count: int) -> int:
    """``count`` random writes through the services (by SYSTEM), late in the year; the
    number the services accepted (a few are refused: a grant revoked twice, say)."""
    partners = [t.id for t in store.teams.partners()]
    accepted = 0
    for n in range(count):
        partner = rng.choice(partners)
        clients = [c.id for c in store.teams.clients_of(partner)]
        client = rng.choice(clients) if clients else None
        at = START + timedelta(days=200 + n * 150 / count, minutes=n)
        kind = rng.choice(["grant", "revoke", "end", "join", "consent", "status", "transfer"])
        try:
            if kind == "grant" or client is None:
                grant = Grant(
                    id=f"w{n}", partner_id=partner, client_id=client or ALL,
                    advisor_id=f"{partner}-a{rng.randrange(ADVISORS_PER_PARTNER)}",
                    role=rng.choice(["advisor", "advisor_admin", "advisor_readonly"]),
                    granted_at=at, expires_at=at + timedelta(days=30), granted_by="system",
                )  # fmt: skip
                grant_access(store, grant, at=at, by=SYSTEM)
            elif kind == "revoke":
                live = [g for g in store.grants.for_partner(partner) if g.revoked_at is None]
                revoke_grant(store, rng.choice(live).id, at=at, by=SYSTEM)
            elif kind == "end":
                staff = [
                    m for m in store.memberships.for_team(partner)
                    if m.active_until is None and m.role.value == "advisor"
                ]  # fmt: skip
                end_membership(store, rng.choice(staff).id, at=at, by=SYSTEM)
            elif kind == "join":
                user = f"{partner}-new{n}"
                add_user(store, User(user, f"{user}@example.com"), at=at, by=SYSTEM)
                joined = Membership(user_id=user, team_id=partner, role="advisor", active_from=at)
                add_membership(store, joined, at=at, by=SYSTEM)
            elif kind == "consent":
                revoked = store.consents.for_client(client)
                if revoked and revoked[-1].partner_access.value == "revoked":
                    restore_partner_access(store, client, at=at, by=SYSTEM)
                else:
                    revoke_partner_access(store, client, at=at, by=SYSTEM)
            elif kind == "status":
                status = store.teams.get(client).status.value
                change = suspend_team if status == "active" else reactivate_team
                change(store, client, at=at, by=SYSTEM)
            else:
                to = rng.choice(partners)
                transfer_client(store, client, to, at=at, by=SYSTEM)
        except (PartnercoreError, IndexError):
            continue
        accepted += 1
    return accepted


def main() -> None:
    rng = random.Random(20261115)
    began = time.perf_counter()
    ports = InMemoryStore()
    users = build(rng, ports)
    built = time.perf_counter() - began
    every_user = [u for kind in users.values() for u in kind]
    permissions = list(Permission)

    def random_instant() -> datetime:
        return START + timedelta(seconds=rng.randrange(int(YEAR.total_seconds())))

    kinds = sorted(users)

    def random_check() -> tuple[str, Permission, str, datetime]:
        # a kind of user (client member, partner admin, advisor with per-client grants,
        # advisor with an all-clients grant), one of them, and half the time a team they work
        # in (their client; a client of their partner), otherwise any team of their partner or,
        # one time in five, of any partner; a permission and an instant in the year
        kind = rng.choice(kinds)
        user = rng.choice(users[kind])
        home = user.split("-")[0]
        if rng.random() < 0.5:
            if kind == "client":
                team = user.rsplit("-", 1)[0]
            else:
                team = f"{home}-c{rng.randrange(CLIENTS_PER_PARTNER)}"
        else:
            partner = home if rng.random() < 0.8 else f"p{rng.randrange(PARTNERS)}"
            roll = rng.randrange(CLIENTS_PER_PARTNER + 1)
            team = partner if roll == CLIENTS_PER_PARTNER else f"{partner}-c{roll}"
        permission = rng.choice(permissions)
        return user, permission, team, random_instant()

    drawn = [random_check() for _ in range(CHECKS)]
    all_clients_lookups = [
        (rng.choice(users["all_clients"]), Permission.TEAM_VIEW, random_instant())
        for _ in range(LOOKUPS)
    ]
    any_lookups = [
        (rng.choice(every_user), rng.choice(permissions), random_instant()) for _ in range(LOOKUPS)
    ]
    who_lookups = [
        (
            f"p{rng.randrange(PARTNERS)}-c{rng.randrange(CLIENTS_PER_PARTNER)}",
            rng.choice(permissions),
            random_instant(),
        )
        for _ in range(LOOKUPS)
    ]
    grant_count = sum(len(ports.grants.for_partner(p.id)) for p in ports.teams.partners())
    print(
        f"world: {PARTNERS:,} partners x {CLIENTS_PER_PARTNER} clients "
        f"({PARTNERS * CLIENTS_PER_PARTNER:,} client teams), {len(every_user):,} users, "
        f"{grant_count:,} grants, revision {ports.revision():,}; built in {built:.1f} s"
    )

    # -- the uncached check, the index and a plain-dict floor, in interleaved rounds ---------
    began = time.perf_counter()
    index = AccessIndex(ports)
    build_took = time.perf_counter() - began
    print(f"index build: {build_took:.2f} s ({index!r})")
    # the first time each decision is asked, the index computes it: a round of its own
    cold = interleaved(
        1,
        check=[lambda d=d: index.check(*d) for d in drawn],
        teams_all=[lambda q=q: index.teams(*q) for q in all_clients_lookups],
        teams_any=[lambda q=q: index.teams(*q) for q in any_lookups],
        who=[lambda q=q: index.who(*q) for q in who_lookups],
    )
    # the floor of any index in Python: one dict lookup per check (no instant, no decision),
    # in a dict as large as the index (a key per permission of every pair it compiled)
    floor: dict[tuple[str, str, Permission], bool] = {}
    for key in index._pairs:
        user, team = key.split("\x1f")
        for permission in permissions:
            floor[(user, team, permission)] = False
    for user, permission, team, _ in drawn:
        floor[(user, team, permission)] = True
    checks = interleaved(
        uncached=[lambda d=d: check(ports, *d) for d in drawn],
        index=[lambda d=d: index.check(*d) for d in drawn],
        floor=[lambda d=d: floor.get((d[0], d[2], d[1])) for d in drawn],
    )
    uncached, indexed, looked_up = checks["uncached"], checks["index"], checks["floor"]
    decided = [d for d in uncached.results if isinstance(d, Decision)]
    rules = Counter(str(d.rule) for d in decided)
    allowed = sum(1 for d in decided if d.allowed)
    same = sum(1 for a, b in zip(uncached.results, indexed.results, strict=True) if a == b)
    explained = interleaved(1, explained=[lambda d=d: check(ports, *d).explanation for d in drawn])
    print(f"uncached check: {CHECKS:,} random checks, {allowed:,} allowed; {uncached}")
    print("  deciding rules: " + ", ".join(f"{r} {n:,}" for r, n in sorted(rules.items())))
    print(f"  the same checks, each reading its explanation: {explained['explained']}")
    print(
        f"index check: {indexed}: {uncached.median / indexed.median:.1f}x faster than uncached; "
        f"the first time each is asked: median {cold['check'].median:.2f} us; "
        f"{same:,} of {CHECKS:,} decisions equal to the uncached ones"
    )
    print(
        f"  floor: one lookup in a plain dict of {len(floor):,} (user, team, permission) keys: "
        f"{looked_up}; the index check takes {indexed.median / looked_up.median:.1f}x that"
    )
    for title, name, lookups, uncached_call, index_call in [
        ("teams() for an advisor with an all-clients grant", "teams_all", all_clients_lookups,
         teams, index.teams),
        ("teams() for a random user and permission", "teams_any", any_lookups, teams,
         index.teams),
        ("who() for a random client and permission", "who", who_lookups, who, index.who),
    ]:  # fmt: skip
        pair = interleaved(
            uncached=[lambda q=q, f=uncached_call: f(ports, *q) for q in lookups],
            index=[lambda q=q, f=index_call: f(*q) for q in lookups],
        )
        assert pair["uncached"].results == pair["index"].results
        sizes = statistics.mean(len(r) for r in pair["index"].results if isinstance(r, list))
        print(
            f"{title} ({sizes:.1f} answers each): uncached {pair['uncached']}; index "
            f"{pair['index']}: {pair['uncached'].median / pair['index'].median:.0f}x faster; "
            f"the first time each is asked: median {cold[name].median:.2f} us"
        )

    # memory, measured on a second index (tracemalloc slows everything down)
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    measured = AccessIndex(ports)
    after_build = tracemalloc.get_traced_memory()[0] - before
    for d in drawn:
        measured.check(*d)
    for q in all_clients_lookups + any_lookups:
        measured.teams(*q)
    for t in who_lookups:
        measured.who(*t)
    after_use = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    del measured
    mib = 1024 * 1024
    print(
        f"index memory: {after_build / mib:.1f} MiB after the build "
        f"({after_build / PARTNERS / 1024:.0f} KiB per partner), {after_use / mib:.1f} MiB after "
        f"answering the queries above ({after_use / PARTNERS / 1024:.0f} KiB per partner)"
    )

    # catching up after writes
    revision = ports.revision()
    accepted = random_writes(rng, ports, WRITES)
    events = ports.revision() - revision
    began = time.perf_counter()
    index.refresh()
    catch_up = time.perf_counter() - began
    sample = rng.sample(drawn, 5_000)
    late = [(u, p, t, START + timedelta(days=200) + (a - START) / 2) for u, p, t, a in sample]
    for d in sample + late:
        assert check(ports, *d) == index.check(*d), d
    began = time.perf_counter()
    changed = index.changes(revision, at=START + timedelta(days=300))
    feed_took = time.perf_counter() - began
    print(
        f"catch-up: {WRITES:,} random writes ({accepted:,} accepted, {events:,} events): "
        f"refresh() took {catch_up * 1000:.0f} ms ({catch_up / max(events, 1) * 1e6:.0f} us per "
        f"event); then {len(sample) * 2:,} decisions equal to the uncached ones"
    )
    print(
        f"feed: changes() over those {events:,} events at one instant: {len(changed):,} "
        f"changes in {feed_took * 1000:.0f} ms"
    )
    # -- SQLite -----------------------------------------------------------------------------
    if "--sqlite" in sys.argv:
        sqlite_part(drawn)


def sqlite_part(drawn: list[tuple[str, Permission, str, datetime]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "world.db")
        store = SqliteStore(path, synchronous="normal")
        began = time.perf_counter()
        with store.unit_of_work():
            build(random.Random(20261115), store)
        built = time.perf_counter() - began
        sample = drawn[:SQLITE_CHECKS]
        began = time.perf_counter()
        index = AccessIndex(store)
        build_took = time.perf_counter() - began
        for d in sample:  # the first time each is asked
            index.check(*d)
        measured = interleaved(
            uncached=[lambda d=d: check(store, *d) for d in sample],
            index=[lambda d=d: index.check(*d) for d in sample],
        )
        uncached, indexed = measured["uncached"], measured["index"]
        assert uncached.results == indexed.results
        print(f"sqlite: the world written in {built:.1f} s (one unit of work)")
        print(f"sqlite uncached check: {SQLITE_CHECKS:,} checks; {uncached}")
        print(
            f"sqlite index build: {build_took:.2f} s; index check {indexed}: "
            f"{uncached.median / indexed.median:.0f}x faster than uncached through SQLite"
        )
        store.close()


if __name__ == "__main__":
    main()
