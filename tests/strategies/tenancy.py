"""Random tenancy worlds built through the services."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial

import attrs
from hypothesis import strategies as st

from partnercore import PartnercoreError
from partnercore.events import SYSTEM, Actor
from partnercore.memory import InMemoryStore
from partnercore.tenancy import (
    ALL,
    Grant,
    GrantRole,
    Membership,
    Role,
    TenancyStore,
    User,
    add_membership,
    add_user,
    archive_team,
    create_client,
    create_partner,
    end_membership,
    grant_access,
    reactivate_team,
    restore_partner_access,
    revoke_grant,
    revoke_partner_access,
    suspend_team,
    transfer_client,
)

#: Tenancy worlds start here; every operation happens on a whole day after it, so probing
#: whole days hits every boundary (a grant's start and expiry, a transfer, ...) exactly.
TENANCY_T0 = datetime(2026, 1, 1, tzinfo=UTC)
TENANCY_DAYS = 20


def tenancy_day(n: int) -> datetime:
    """The instant ``n`` days after :data:`TENANCY_T0`."""
    return TENANCY_T0 + timedelta(days=n)


def tenancy_snapshot(store: TenancyStore, teams: tuple[str, ...], users: tuple[str, ...]) -> object:
    """Everything the store holds about these teams and users, read through its
    repositories, and every event it holds."""
    return (
        [store.teams.find(t) for t in teams],
        [store.users.find(u) for u in users],
        [t.id for t in store.teams.partners()],
        [[c.id for c in store.teams.clients_of(t)] for t in teams],
        [store.memberships.for_team(t) for t in teams],
        [store.memberships.for_user(u) for u in users],
        [list(store.grants.for_partner(t)) for t in teams],
        [list(store.grants.for_all_clients(t)) for t in teams],
        [[list(store.grants.for_client(p, c)) for c in teams] for p in teams],
        [list(store.consents.for_client(t)) for t in teams],
        [list(store.history.for_team(t)) for t in teams],
        store.events.since(0),
        store.revision(),
    )


@attrs.frozen
class TenancyWorld:
    """A store built by random operations, with what was rejected along the way."""

    store: InMemoryStore
    partners: tuple[str, ...]
    clients: tuple[str, ...]
    users: tuple[str, ...]
    rejected: tuple[str, ...]  #: operations the services refused, with the error
    changed_by_rejected: tuple[str, ...]  #: refused operations that changed the store anyway

    @property
    def teams(self) -> tuple[str, ...]:
        return self.partners + self.clients


@st.composite
def tenancy_worlds(
    draw: st.DrawFn,
    *,
    max_partners: int = 3,
    max_clients: int = 3,
    max_users: int = 6,
    max_operations: int = 20,
    watch_rejections: bool = False,
) -> TenancyWorld:
    """A random partner world built through the services: partners and clients of every
    kind, created on different days (a client never before its partner; some attempts to do
    that are refused), memberships that fit (and some that do not, or start before their
    team exists), grants of every shape (per client, ``"*"`` clients, ``"*"`` advisors,
    expiring, revoked, some dated before their partner or client exists), then a timeline of
    membership ends, revocations, transfers, status changes and consent changes, some of
    them invalid. Teams, users, memberships and grants are set up by ``SYSTEM``; the
    timeline's changes are made by ``SYSTEM`` or by any user (often one without the right,
    who is refused), consent changes often by a client admin of the client.

    With ``watch_rejections`` every operation the services refuse is checked to have left
    the store as it was (slower: the store is read before each operation)."""
    store = InMemoryStore()
    partners = tuple(f"p{i}" for i in range(draw(st.integers(1, max_partners))))
    users = tuple(f"u{i}" for i in range(draw(st.integers(1, max_users))))
    # every client id the world may hold, so a refused creation is watched too
    watched = partners + tuple(f"{p}c{i}" for p in partners for i in range(max_clients))
    rejected: list[str] = []
    changed: list[str] = []

    def attempt(description: str, operation: Callable[[], object]) -> bool:
        before = tenancy_snapshot(store, watched, users) if watch_rejections else None
        try:
            operation()
        except PartnercoreError as error:
            rejected.append(f"{description}: {error}")
            if watch_rejections and tenancy_snapshot(store, watched, users) != before:
                changed.append(description)
            return False
        return True

    # Teams are created in the first half of the timeline, each on its own day (often day 0).
    creation_days = st.just(0) | st.integers(0, TENANCY_DAYS // 2)
    created: dict[str, int] = {}
    clients: list[str] = []
    for p in partners:
        created[p] = draw(creation_days)
        create_partner(store, p, f"Partner {p}", at=tenancy_day(created[p]), by=SYSTEM)
    for p in partners:
        for i in range(draw(st.integers(0, max_clients))):
            client = f"{p}c{i}"
            day = draw(creation_days)
            create = partial(
                create_client,
                store,
                client,
                f"Client {client}",
                partner_id=p,
                operated_by=draw(st.sampled_from(["client", "partner"])),
                billing_model=draw(st.sampled_from(["reseller", "non_reseller"])),
                by=SYSTEM,
            )
            if day >= created[p]:
                create(at=tenancy_day(day))
            elif not attempt(f"create {client} at day {day}", partial(create, at=tenancy_day(day))):
                # refused, as it should be: created on the partner's day or later instead
                day = draw(st.integers(created[p], TENANCY_DAYS // 2))
                create(at=tenancy_day(day))
            created[client] = day
            clients.append(client)
    for user in users:
        add_user(store, User(user, f"{user}@example.com"), at=TENANCY_T0, by=SYSTEM)
    teams = partners + tuple(clients)

    def starts(*team_ids: str) -> st.SearchStrategy[int]:
        """Any day, or a day once all of ``team_ids`` exist."""
        first = max((created[t] for t in team_ids if t in created), default=0)
        return st.integers(0, TENANCY_DAYS) | st.integers(first, TENANCY_DAYS)

    days = st.integers(0, TENANCY_DAYS)
    lengths = st.one_of(st.none(), st.integers(1, TENANCY_DAYS))
    memberships: list[str] = []
    for _ in range(draw(st.integers(0, max_operations))):
        user = draw(st.sampled_from(users))
        team = draw(st.sampled_from(teams))
        fitting = [Role.PARTNER_ADMIN, Role.ADVISOR] if team in partners else [
            Role.CLIENT_ADMIN, Role.MEMBER, Role.VIEWER
        ]  # fmt: skip
        role = draw(st.sampled_from(fitting) | st.sampled_from(list(Role)))
        start, length = draw(starts(team)), draw(lengths)
        membership = Membership(
            user_id=user,
            team_id=team,
            role=role,
            active_from=tenancy_day(start),
            active_until=None if length is None else tenancy_day(start + length),
        )
        memberships.append(membership.id)
        add = partial(add_membership, store, membership, at=membership.active_from, by=SYSTEM)
        attempt(f"add {membership.id}", add)
    grant_ids: list[str] = []

    def staff(partner: str) -> list[str]:
        return [m.user_id for m in store.memberships.for_team(partner)]

    anywhere = st.sampled_from([ALL, *clients])
    anyone = st.sampled_from([ALL, *users])

    for n in range(draw(st.integers(0, max_operations))):
        partner = draw(st.sampled_from(partners))
        own = [c for c in clients if c.startswith(f"{partner}c")]
        client = draw(st.sampled_from([ALL, *own]) if draw(st.integers(0, 3)) else anywhere)
        start, expiry, revoked = draw(starts(partner, client)), draw(lengths), draw(lengths)
        grant = Grant(
            id=f"g{n}",
            partner_id=partner,
            client_id=client,
            advisor_id=draw(
                st.sampled_from([ALL, *staff(partner)]) if draw(st.booleans()) else anyone
            ),
            role=draw(st.sampled_from(list(GrantRole))),
            granted_at=tenancy_day(start),
            expires_at=None if expiry is None else tenancy_day(start + expiry),
            revoked_at=None if revoked is None else tenancy_day(start + revoked),
            granted_by=draw(st.sampled_from(users)),
        )
        grant_ids.append(grant.id)
        add_grant = partial(grant_access, store, grant, at=grant.granted_at, by=SYSTEM)
        attempt(f"grant {grant.id}", add_grant)
    events: list[tuple[int, str, Callable[[], object]]] = []
    actors: st.SearchStrategy[Actor] = st.sampled_from([SYSTEM, *users])
    for _ in range(draw(st.integers(0, max_operations))):
        day = draw(days)
        at = tenancy_day(day)
        by = draw(st.just(SYSTEM) | actors)
        kind = draw(
            st.sampled_from(
                ["end", "revoke", "transfer", "suspend", "archive", "reactivate",
                 "revoke_consent", "restore_consent", "revoke_consent"]
            )
        )  # fmt: skip
        if kind == "end" and memberships:
            m_id = draw(st.sampled_from(memberships))
            end = partial(end_membership, store, m_id, at=at, by=by)
            events.append((day, f"end {m_id} by {by}", end))
        elif kind == "revoke" and grant_ids:
            g_id = draw(st.sampled_from(grant_ids))
            revoke = partial(revoke_grant, store, g_id, at=at, by=by)
            events.append((day, f"revoke {g_id} by {by}", revoke))
        elif kind == "transfer" and clients:
            c, p = draw(st.sampled_from(clients)), draw(st.sampled_from(partners))
            move = partial(transfer_client, store, c, p, at=at, by=by)
            events.append((day, f"transfer {c} to {p} by {by}", move))
        elif kind in ("suspend", "archive", "reactivate"):
            team = draw(st.sampled_from(teams))
            change = {"suspend": suspend_team, "archive": archive_team}.get(kind, reactivate_team)
            events.append(
                (day, f"{kind} {team} by {by}", partial(change, store, team, at=at, by=by))
            )
        elif kind in ("revoke_consent", "restore_consent") and clients:
            c = draw(st.sampled_from(clients))
            admins = [m for m in store.memberships.for_team(c) if m.role is Role.CLIENT_ADMIN]
            if draw(st.booleans()) and admins:  # often an admin, while a member
                admin = draw(st.sampled_from(admins))
                by = admin.user_id
                first = (admin.active_from - TENANCY_T0).days
                until = admin.active_until or tenancy_day(TENANCY_DAYS + 1)
                day = draw(st.integers(first, max(first, (until - TENANCY_T0).days - 1)))
                at = tenancy_day(day)
            consent = revoke_partner_access if kind == "revoke_consent" else restore_partner_access
            events.append((day, f"{kind} {c} by {by}", partial(consent, store, c, at=at, by=by)))
    for c in clients:  # a client_admin revokes (and maybe restores) while a member
        admins = [m for m in store.memberships.for_team(c) if m.role is Role.CLIENT_ADMIN]
        if draw(st.booleans()) and admins:
            admin = draw(st.sampled_from(admins))
            first = (admin.active_from - TENANCY_T0).days
            until = admin.active_until or tenancy_day(TENANCY_DAYS + 1)
            last = (until - TENANCY_T0).days - 1
            day = draw(st.integers(first, max(first, last)))
            revoke = partial(revoke_partner_access, store, c, at=tenancy_day(day), by=admin.user_id)
            events.append((day, f"revoke_consent {c} by {admin.user_id}", revoke))
            if draw(st.booleans()):
                day = draw(st.integers(day, max(day, last)))
                restore = partial(
                    restore_partner_access, store, c, at=tenancy_day(day), by=admin.user_id
                )
                events.append((day, f"restore_consent {c} by {admin.user_id}", restore))
    for day, description, operation in sorted(events, key=lambda e: e[0]):
        attempt(f"{description} at day {day}", operation)
    return TenancyWorld(
        store=store,
        partners=partners,
        clients=tuple(clients),
        users=users,
        rejected=tuple(rejected),
        changed_by_rejected=tuple(changed),
    )
