"""Access-check speed on a large in-memory world.

A world of 1,000 partners x 20 clients (20,000 client teams), one partner admin and 5
advisors per partner, 2 members per client, and a mix of per-client, all-clients, expired
and revoked grants, partner-operated and client-run clients, a few suspended and archived
clients, consent revocations and transfers. Times 100,000 random checks (and the same checks
reading the explanation, which a decision writes when it is first read) and 1,000 reverse
lookups of each kind, each call on its own, and prints the median (and 95th percentile)
microseconds. Every measurement is repeated in 3 rounds and the round with the lowest median
is reported (other processes on a shared machine slow some rounds down); every round's
median is printed too.

Run: ``python benchmarks/access.py`` (add ``--quick`` for a 100-partner world).
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from partnercore.events import SYSTEM
from partnercore.memory import InMemoryStore
from partnercore.tenancy import (
    ALL,
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
    grant_access,
    revoke_partner_access,
    suspend_team,
    teams,
    transfer_client,
    who,
)

PARTNERS = 100 if "--quick" in sys.argv else 1_000
CLIENTS_PER_PARTNER = 20
ADVISORS_PER_PARTNER = 5
CHECKS = 100_000
LOOKUPS = 1_000
ROUNDS = 3
START = datetime(2026, 1, 1, tzinfo=UTC)
YEAR = timedelta(days=365)


def build(rng: random.Random) -> tuple[InMemoryStore, dict[str, list[str]]]:
    """The world, and for each kind of user the list of their ids. Teams, users and
    memberships are set up by SYSTEM (as a host's import would), grants, suspensions,
    archives and consent changes by the users who may, transfers by SYSTEM."""
    ports = InMemoryStore()
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
    return ports, users


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


def rounds(calls: list[Callable[[], object]]) -> tuple[list[int], list[object], str]:
    """The same calls timed in ROUNDS rounds: the samples of the round with the lowest
    median (other processes on the machine slow some rounds down), the results, and every
    round's median for the record."""
    measured = [timed(calls) for _ in range(ROUNDS)]
    best = min(measured, key=lambda m: statistics.median(m[0]))
    medians = " / ".join(f"{median_us(m[0]):.2f}" for m in measured)
    return best[0], best[1], f"round medians {medians} us"


def main() -> None:
    rng = random.Random(20261115)
    began = time.perf_counter()
    ports, users = build(rng)
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

    def checking(
        user: str, permission: Permission, team: str, at: datetime
    ) -> Callable[[], object]:
        return lambda: check(ports, user, permission, team, at)

    def explaining(
        user: str, permission: Permission, team: str, at: datetime
    ) -> Callable[[], object]:
        return lambda: check(ports, user, permission, team, at).explanation

    drawn = [random_check() for _ in range(CHECKS)]
    began = time.perf_counter()
    check_samples, decisions, check_rounds = rounds([checking(*d) for d in drawn])
    checks_took = (time.perf_counter() - began) / ROUNDS
    decided = [d for d in decisions if isinstance(d, Decision)]
    allowed = sum(1 for d in decided if d.allowed)
    rules = Counter(str(d.rule) for d in decided)
    # the explanation is written when first read: the same checks, each reading it
    explained_samples, _, explained_rounds = rounds([explaining(*d) for d in drawn])

    def lookup_all_clients() -> Callable[[], object]:
        user = rng.choice(users["all_clients"])
        at = random_instant()
        return lambda: teams(ports, user, Permission.TEAM_VIEW, at)

    def lookup_any() -> Callable[[], object]:
        user = rng.choice(every_user)
        permission = rng.choice(permissions)
        at = random_instant()
        return lambda: teams(ports, user, permission, at)

    def lookup_who() -> Callable[[], object]:
        team = f"p{rng.randrange(PARTNERS)}-c{rng.randrange(CLIENTS_PER_PARTNER)}"
        permission = rng.choice(permissions)
        at = random_instant()
        return lambda: who(ports, team, permission, at)

    all_clients_samples, reached, all_clients_rounds = rounds(
        [lookup_all_clients() for _ in range(LOOKUPS)]
    )
    any_samples, _, any_rounds = rounds([lookup_any() for _ in range(LOOKUPS)])
    who_samples, _, who_rounds = rounds([lookup_who() for _ in range(LOOKUPS)])
    mean_reached = statistics.mean(len(r) for r in reached if isinstance(r, list))
    grant_count = sum(len(ports.grants.for_partner(p.id)) for p in ports.teams.partners())

    print(
        f"world: {PARTNERS:,} partners x {CLIENTS_PER_PARTNER} clients "
        f"({PARTNERS * CLIENTS_PER_PARTNER:,} client teams), {len(every_user):,} users, "
        f"{grant_count:,} grants; built in {built:.1f} s"
    )
    print(
        f"check: {CHECKS:,} random checks in {checks_took:.2f} s, {allowed:,} allowed; "
        f"median {median_us(check_samples):.2f} us, p95 {p95_us(check_samples):.2f} us "
        f"(target median <= 5 us: {median_us(check_samples) / 5:.2f} of budget; {check_rounds})"
    )
    print("  deciding rules: " + ", ".join(f"{r} {n:,}" for r, n in sorted(rules.items())))
    print(
        f"  the same checks, each reading its explanation: median "
        f"{median_us(explained_samples):.2f} us, p95 {p95_us(explained_samples):.2f} us "
        f"({explained_rounds})"
    )
    print(
        f"teams() for an advisor with an all-clients grant: {LOOKUPS:,} lookups, "
        f"{mean_reached:.1f} teams each; median {median_us(all_clients_samples):.1f} us, "
        f"p95 {p95_us(all_clients_samples):.1f} us "
        f"(target median <= 100 us: {median_us(all_clients_samples) / 100:.2f} of budget; "
        f"{all_clients_rounds})"
    )
    print(
        f"teams() for a random user and permission: {LOOKUPS:,} lookups; "
        f"median {median_us(any_samples):.1f} us, p95 {p95_us(any_samples):.1f} us ({any_rounds})"
    )
    print(
        f"who() for a random client and permission: {LOOKUPS:,} lookups; "
        f"median {median_us(who_samples):.1f} us, p95 {p95_us(who_samples):.1f} us ({who_rounds})"
    )


if __name__ == "__main__":
    main()
