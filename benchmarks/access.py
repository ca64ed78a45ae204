"""Access-check speed: the uncached check and the access index, on a large world.

A world of PARTNERS partners x 20 clients (default 200 partners: 4,000 client teams and 9,200
users; ``--partners N`` for another size, ``--quick`` for 50), one partner admin and 5
advisors per partner, 2 members per client, and a mix of per-client, all-clients, expired and
revoked grants, partner-operated and client-run clients, a few suspended and archived
clients, consent revocations and transfers, written through the services into an in-memory
store.

Measured as CPU time (``time.process_time_ns``: what other processes on a shared machine do
is not counted) per call: the calls are timed in chunks of CHUNK calls in a row, each chunk's
time divided by its calls, and the median over the chunks reported, in microseconds:

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

Calls compared are timed in 3 rounds taking turns, chunk by chunk (so that a slow spell of a
shared machine hits them alike); the round with the lowest median is reported, and every
round's median is printed too.

Times depend on the machine and on what else runs on it; two counts do not:

- the Python function calls one check makes (``cProfile``), for each way of checking;
- with ``--callgrind``: the machine instructions one check executes, counted by valgrind's
  callgrind (each way of checking in a run of its own, this script started again with
  ``--calls NAME``: the world built, the index warmed, then only the calls of NAME counted).
  Each run builds the world under valgrind: use ``--quick`` (the counts hardly depend on the
  world's size).

``--against SRC`` also measures the code in ``SRC`` (another checkout's ``src`` folder, say
the code before a change) in the same process, taking turns with this tree's code: a copy of
it is loaded under another name (``partnercore_against``) with its own world, built alike.

Run: ``python benchmarks/access.py [--partners N | --quick] [--sqlite] [--against SRC]
[--callgrind]``.
"""

from __future__ import annotations

import atexit
import cProfile
import os
import pstats
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import types
from collections import Counter, deque
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from itertools import starmap
from pathlib import Path
from typing import Any

from partnercore import PartnercoreError
from partnercore.events import SYSTEM
from partnercore.memory import InMemoryStore
from partnercore.store import Store
from partnercore.tenancy import (
    ALL,
    AccessIndex,
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
CHUNK = 100
START = datetime(2026, 1, 1, tzinfo=UTC)
YEAR = timedelta(days=365)


def build(rng: random.Random, ports: Store) -> dict[str, list[str]]:
    """Write the world into ``ports``; for each kind of user the list of their ids. Teams,
    users and memberships are set up by SYSTEM (as a host's import would), grants,
    suspensions, archives and consent changes by the users who may, transfers by SYSTEM."""
    users: dict[str, list[str]] = {"admin": [], "all_clients": [], "advisor": [], "client": []}
    for p in range(PARTNERS):
        partner = f"p{p}"
        admin, advisors = _partner_staff(ports, p, users)
        clients = _clients(ports, partner, users)
        for grant in _grants(rng, partner, admin, advisors, clients):
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


def _join(ports: Store, user: str, team: str, role: str, until: datetime | None = None) -> None:
    add_user(ports, User(user, f"{user}@example.com"), at=START, by=SYSTEM)
    membership = Membership(
        user_id=user, team_id=team, role=role, active_from=START, active_until=until
    )
    add_membership(ports, membership, at=START, by=SYSTEM)


def _partner_staff(ports: Store, p: int, users: dict[str, list[str]]) -> tuple[str, list[str]]:
    """Partner ``p{p}``, its admin and its advisors (one leaves in July)."""
    partner = f"p{p}"
    create_partner(ports, partner, f"Partner {p}", at=START, by=SYSTEM)
    admin = f"{partner}-admin"
    _join(ports, admin, partner, "partner_admin")
    users["admin"].append(admin)
    advisors = [f"{partner}-a{a}" for a in range(ADVISORS_PER_PARTNER)]
    for a, advisor in enumerate(advisors):
        _join(ports, advisor, partner, "advisor", START + timedelta(days=200) if a == 4 else None)
    return admin, advisors


def _clients(ports: Store, partner: str, users: dict[str, list[str]]) -> list[str]:
    """The partner's clients, each with a client_admin and a member."""
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
            _join(ports, member, client, role)
            users["client"].append(member)
    return clients


def _grants(
    rng: random.Random, partner: str, admin: str, advisors: list[str], clients: list[str]
) -> list[Grant]:
    """a0: an all-clients grant; a1: per-client grants, some expiring; a2: per-client grants,
    some revoked; a3: an expired all-clients grant and a read-only per-client grant; a4:
    per-client grants, then leaves the partner; every advisor: one "*"-advisor grant."""
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
    return grants


Arguments = list[tuple[Any, ...]]
Calls = tuple[Callable[..., object], Arguments]


def chunk_time(function: Callable[..., object], arguments: Arguments) -> float:
    """CPU nanoseconds per call of ``function`` on each of ``arguments``, in a row."""
    clock = time.process_time_ns
    began = clock()
    for args in arguments:
        function(*args)
    return (clock() - began) / len(arguments)


class Measured:
    """Calls timed in rounds (per round: the time per call of each chunk): the round with the
    lowest median (other processes slow some rounds down) and every round's median."""

    def __init__(self) -> None:
        self.rounds: list[list[float]] = []

    @property
    def median(self) -> float:
        """Microseconds per call: the median chunk of the best round."""
        return min(statistics.median(samples) for samples in self.rounds) / 1000

    def __str__(self) -> str:
        medians = " / ".join(f"{statistics.median(m) / 1000:.2f}" for m in self.rounds)
        return f"median {self.median:.2f} us (round medians {medians} us)"


def interleaved(rounds: int = ROUNDS, chunk: int = CHUNK, **calls: Calls) -> dict[str, Measured]:
    """Each function timed on its arguments in ``rounds`` rounds, the functions taking turns
    chunk by chunk (in an order that rotates), so that a slow spell of the machine hits them
    alike."""
    measured = {name: Measured() for name in calls}
    names = list(calls)
    size = max(len(arguments) for _, arguments in calls.values())
    for n in range(rounds):
        samples: dict[str, list[float]] = {name: [] for name in names}
        order = names[n % len(names) :] + names[: n % len(names)]
        for start in range(0, size, chunk):
            for name in order:
                function, arguments = calls[name]
                if arguments[start : start + chunk]:
                    samples[name].append(chunk_time(function, arguments[start : start + chunk]))
        for name in names:
            measured[name].rounds.append(samples[name])
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


Check = tuple[str, Permission, str, datetime]
Lookup = tuple[str, Permission, datetime]


class Queries:
    """The random queries every measurement asks: checks, and lookups of three kinds."""

    def __init__(self, rng: random.Random, users: dict[str, list[str]]) -> None:
        self.rng = rng
        self.users = users
        every_user = [u for kind in users.values() for u in kind]
        permissions = list(Permission)
        self.checks = [self.random_check() for _ in range(CHECKS)]
        self.teams_all: list[Lookup] = [
            (rng.choice(users["all_clients"]), Permission.TEAM_VIEW, self.instant())
            for _ in range(LOOKUPS)
        ]
        self.teams_any: list[Lookup] = [
            (rng.choice(every_user), rng.choice(permissions), self.instant())
            for _ in range(LOOKUPS)
        ]
        self.who: list[Lookup] = [
            (
                f"p{rng.randrange(PARTNERS)}-c{rng.randrange(CLIENTS_PER_PARTNER)}",
                rng.choice(permissions),
                self.instant(),
            )
            for _ in range(LOOKUPS)
        ]

    def instant(self) -> datetime:
        return START + timedelta(seconds=self.rng.randrange(int(YEAR.total_seconds())))

    def random_check(self) -> Check:
        """A kind of user (client member, partner admin, advisor with per-client grants,
        advisor with an all-clients grant), one of them, and half the time a team they work
        in (their client; a client of their partner), otherwise any team of their partner or,
        one time in five, of any partner; a permission and an instant in the year."""
        rng = self.rng
        kind = rng.choice(sorted(self.users))
        user = rng.choice(self.users[kind])
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
        permission = rng.choice(list(Permission))
        return user, permission, team, self.instant()


SEED = 20261115
#: Calls counted by ``--callgrind`` for each way of checking.
CALLGRIND_CALLS = 10_000


class Against:
    """The code in another ``src`` folder, loaded in this process under another name: its
    own copy of this benchmark (``module``), its world, its index, and the checks drawn for
    this tree with its own permission members."""

    def __init__(self, src: str, drawn: list[Check]) -> None:
        self.src = src
        self.module = _load_against(src)
        self.ports = self.module.InMemoryStore()
        self.module.build(random.Random(SEED), self.ports)
        self.index = self.module.AccessIndex(self.ports)
        permission = self.module.Permission
        self.drawn = [(u, permission(p.value), t, a) for u, p, t, a in drawn]
        for d in self.drawn:  # the first time each is asked: computed now
            self.index.check(*d)

    def ways(self) -> dict[str, Calls]:
        return {
            "uncached_against": (partial(self.module.check, self.ports), self.drawn),
            "index_against": (self.index.check, self.drawn),
        }


def _load_against(src: str) -> Any:
    """This benchmark on the package in ``src``, copied to a temporary folder and renamed
    ``partnercore_against`` (its imports too), so that both run in one process."""
    folder = tempfile.mkdtemp(prefix="partnercore-against-")
    atexit.register(shutil.rmtree, folder, True)
    target = Path(folder) / "partnercore_against"
    shutil.copytree(Path(src) / "partnercore", target, ignore=shutil.ignore_patterns("__pycache__"))
    for path in target.rglob("*.py"):
        path.write_text(re.sub(r"\bpartnercore\b", "partnercore_against", path.read_text()))
    sys.path.insert(0, folder)
    source = re.sub(r"\bpartnercore\b", "partnercore_against", Path(__file__).read_text())
    module = types.ModuleType("access_against")
    module.__file__ = __file__
    sys.modules[module.__name__] = module
    exec(compile(source, __file__, "exec"), module.__dict__)
    return module


def _option(name: str) -> str | None:
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else None


def main() -> None:
    if "--callgrind" in sys.argv:
        count_instructions()
        return
    rng = random.Random(SEED)
    began = time.perf_counter()
    ports = InMemoryStore()
    users = build(rng, ports)
    built = time.perf_counter() - began
    queries = Queries(rng, users)
    src = _option("--against")
    calls = _option("--calls")
    if calls is not None:  # (under callgrind: see count_instructions)
        index = AccessIndex(ports)
        for d in queries.checks[:CALLGRIND_CALLS]:  # the first time each is asked
            index.check(*d)
        wanted = src is not None and calls.endswith("_against")
        against = Against(str(src), queries.checks[:CALLGRIND_CALLS]) if wanted else None
        function, arguments = check_ways(ports, index, queries.checks, against)[calls]
        deque(starmap(function, arguments[:CALLGRIND_CALLS]), maxlen=0)
        return
    grant_count = sum(len(ports.grants.for_partner(p.id)) for p in ports.teams.partners())
    print(
        f"world: {PARTNERS:,} partners x {CLIENTS_PER_PARTNER} clients "
        f"({PARTNERS * CLIENTS_PER_PARTNER:,} client teams), "
        f"{sum(len(kind) for kind in users.values()):,} users, "
        f"{grant_count:,} grants, revision {ports.revision():,}; built in {built:.1f} s"
    )
    began = time.perf_counter()
    index = AccessIndex(ports)
    build_took = time.perf_counter() - began
    print(f"index build: {build_took:.2f} s ({index!r})")
    # the first time each decision is asked, the index computes it: a round of its own
    cold = interleaved(
        1,
        check=(index.check, queries.checks),
        teams_all=(index.teams, queries.teams_all),
        teams_any=(index.teams, queries.teams_any),
        who=(index.who, queries.who),
    )
    against = Against(src, queries.checks) if src is not None else None
    compare_checks(ports, index, queries.checks, cold["check"], against)
    compare_lookups(ports, index, queries, cold)
    measure_memory(ports, queries)
    catch_up(rng, ports, index, queries.checks)
    if "--sqlite" in sys.argv:
        sqlite_part(queries.checks)


def check_ways(
    ports: Store,
    index: AccessIndex,
    drawn: list[Check],
    against: Against | None,
    floor: PlainFloor | None = None,
) -> dict[str, Calls]:
    """Each way of checking, with the checks it is given: the uncached check, the index, the
    plain-dict floor, and (``--against``) the other code's uncached check and index."""
    ways: dict[str, Calls] = {
        "uncached": (partial(check, ports), drawn),
        "index": (index.check, drawn),
        "floor": ((floor or PlainFloor(index, drawn)).looked_up, drawn),
    }
    if against is not None:
        ways.update(against.ways())
    return ways


class PlainFloor:
    """The floor of any index in Python: one dict lookup per check (no instant, no
    decision), in a dict as large as the index (a key per permission of every pair it
    compiled)."""

    def __init__(self, index: AccessIndex, drawn: list[Check]) -> None:
        floor: dict[tuple[str, str, Permission], bool] = {}
        for key in index._pairs:
            user, team = key.split("\x1f")
            for permission in Permission:
                floor[(user, team, permission)] = False
        for user, permission, team, _ in drawn:
            floor[(user, team, permission)] = True

        def looked_up(user: str, permission: Permission, team: str, at: datetime) -> object:
            return floor.get((user, team, permission))

        self.looked_up = looked_up
        self.size = len(floor)


def calls_per_check(function: Callable[..., object], arguments: Arguments) -> str:
    """The function calls one check makes (``cProfile``, over the given checks): Python
    functions, and built-in ones."""
    profile = cProfile.Profile()
    profile.runcall(deque, starmap(function, arguments), 0)
    listed: Any = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    python = builtin = 0
    for (filename, _, name), (_, calls, *_) in listed.items():
        if "deque" in name or "_lsprof" in name:  # (the profiling itself)
            continue
        if filename == "~":
            builtin += calls
        else:
            python += calls
    return (
        f"{python / len(arguments):.1f} Python function calls and "
        f"{builtin / len(arguments):.1f} built-in ones per check"
    )


def count_instructions() -> None:
    """Each way of checking counted by callgrind, in a run of its own (see the docstring)."""
    if shutil.which("valgrind") is None:
        sys.exit("--callgrind needs valgrind (callgrind is one of its tools)")
    names = ["uncached", "index", "floor"]
    if _option("--against") is not None:
        names += ["uncached_against", "index_against"]
    rest = [arg for arg in sys.argv[1:] if arg != "--callgrind"]
    for name in names:
        with tempfile.TemporaryDirectory() as folder:
            done = subprocess.run(
                [
                    "valgrind", "--tool=callgrind", "--toggle-collect=starmap_next",
                    f"--callgrind-out-file={folder}/out", sys.executable, __file__,
                    *rest, "--calls", name,
                ],
                capture_output=True, text=True, check=True,
                env={**os.environ, "PYTHONHASHSEED": "0"},  # (the same counts run after run)
            )  # fmt: skip
        found = re.search(r"Collected : (\d+)", done.stderr)
        assert found is not None, done.stderr
        print(
            f"callgrind: {name}: {int(found.group(1)) / CALLGRIND_CALLS:,.0f} instructions "
            f"per check ({CALLGRIND_CALLS:,} checks)"
        )


def compare_checks(
    ports: Store,
    index: AccessIndex,
    drawn: list[Check],
    cold: Measured,
    against: Against | None,
) -> None:
    """The uncached check, the index and a plain-dict floor (and the other code's uncached
    check and index), in interleaved rounds; then the calls one check makes."""
    floor = PlainFloor(index, drawn)
    ways = check_ways(ports, index, drawn, against, floor)

    def explained(user: str, permission: Permission, team: str, at: datetime) -> str:
        return check(ports, user, permission, team, at).explanation

    checks = interleaved(ROUNDS, CHUNK, **ways)
    decided = [check(ports, *d) for d in drawn]
    rules = Counter(str(d.rule) for d in decided)
    allowed = sum(1 for d in decided if d.allowed)
    same = sum(1 for d, one in zip(drawn, decided, strict=True) if index.check(*d) == one)
    written = interleaved(1, explained=(explained, drawn))["explained"]
    fast, slow, low = checks["index"].median, checks["uncached"].median, checks["floor"].median
    print(f"uncached check: {CHECKS:,} random checks, {allowed:,} allowed; {checks['uncached']}")
    print("  deciding rules: " + ", ".join(f"{r} {n:,}" for r, n in sorted(rules.items())))
    print(f"  the same checks, each reading its explanation: {written}")
    print(
        f"index check: {checks['index']}: {slow / fast:.1f}x faster than uncached; "
        f"the first time each is asked: median {cold.median:.2f} us; "
        f"{same:,} of {CHECKS:,} decisions equal to the uncached ones"
    )
    print(
        f"  floor: one lookup in a plain dict of {floor.size:,} "
        f"(user, team, permission) keys: {checks['floor']}; the index check takes "
        f"{fast / low:.2f}x that ({fast / low:.0%} of the floor)"
    )
    if against is not None:
        for name in ("uncached", "index"):
            other = checks[f"{name}_against"]
            print(
                f"{name} check of {against.src} (same run, taking turns): {other}; this "
                f"tree's takes {checks[name].median / other.median:.2f}x that"
            )
        same = sum(
            1
            for d, o in zip(drawn, against.drawn, strict=True)
            if _fields(check(ports, *d)) == _fields(against.module.check(against.ports, *o))
        )
        print(f"  {same:,} of {CHECKS:,} decisions equal to those of {against.src}")
    sample = drawn[:10_000]
    print(f"calls: uncached check: {calls_per_check(ways['uncached'][0], sample)}")
    print(f"calls: index check: {calls_per_check(index.check, sample)}")
    if against is not None:
        for name in ("uncached", "index"):
            function, arguments = ways[f"{name}_against"]
            calls = calls_per_check(function, arguments[:10_000])
            print(f"calls: {name} check of {against.src}: {calls}")


def _fields(decision: Any) -> tuple[bool, str, str, str | None]:
    """A decision as plain values (to compare decisions of two copies of the code)."""
    return (decision.allowed, str(decision.rule), decision.explanation, decision.via)


def compare_lookups(
    ports: Store, index: AccessIndex, queries: Queries, cold: dict[str, Measured]
) -> None:
    """``teams()`` and ``who()``: uncached against the index, on the same lookups."""
    for title, name, lookups, uncached_call, index_call in [
        ("teams() for an advisor with an all-clients grant", "teams_all", queries.teams_all,
         teams, index.teams),
        ("teams() for a random user and permission", "teams_any", queries.teams_any, teams,
         index.teams),
        ("who() for a random client and permission", "who", queries.who, who, index.who),
    ]:  # fmt: skip
        pair = interleaved(
            chunk=20,
            uncached=(partial(uncached_call, ports), lookups),
            index=(index_call, lookups),
        )
        answers = [index_call(*q) for q in lookups]
        assert [uncached_call(ports, *q) for q in lookups] == answers
        sizes = statistics.mean(len(r) for r in answers)
        print(
            f"{title} ({sizes:.1f} answers each): uncached {pair['uncached']}; index "
            f"{pair['index']}: {pair['uncached'].median / pair['index'].median:.0f}x faster; "
            f"the first time each is asked: median {cold[name].median:.2f} us"
        )


def measure_memory(ports: Store, queries: Queries) -> None:
    """The memory of an index (``tracemalloc`` slows everything down: a second index)."""
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    measured = AccessIndex(ports)
    after_build = tracemalloc.get_traced_memory()[0] - before
    for d in queries.checks:
        measured.check(*d)
    for q in queries.teams_all + queries.teams_any:
        measured.teams(*q)
    for t in queries.who:
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


def catch_up(rng: random.Random, ports: Store, index: AccessIndex, drawn: list[Check]) -> None:
    """Random writes, the time the index takes to catch up with them, and the feed."""
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


def sqlite_part(drawn: list[Check]) -> None:
    from partnercore.sqlite import SqliteStore  # (only here: the rest needs no SQLite)

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
            uncached=(partial(check, store), sample), index=(index.check, sample)
        )
        uncached, indexed = measured["uncached"], measured["index"]
        assert [check(store, *d) for d in sample] == [index.check(*d) for d in sample]
        print(f"sqlite: the world written in {built:.1f} s (one unit of work)")
        print(f"sqlite uncached check: {SQLITE_CHECKS:,} checks; {uncached}")
        print(
            f"sqlite index build: {build_took:.2f} s; index check {indexed}: "
            f"{uncached.median / indexed.median:.0f}x faster than uncached through SQLite"
        )
        store.close()


if __name__ == "__main__":
    main()
