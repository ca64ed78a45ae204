"""Random writes for the access index's tests, drawn against a world as it is, and what a
call answers, compared whole."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from hypothesis import strategies as st

from partnercore import PartnercoreError
from partnercore.events import SYSTEM, Actor
from partnercore.store import Store
from partnercore.tenancy import (
    ALL,
    Decision,
    Grant,
    GrantRole,
    Membership,
    Role,
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
from tests.strategies.tenancy import TENANCY_DAYS, TenancyWorld, tenancy_day
from tests.tenancy.conftest import MEMBERS, T0, at

# What a decision is, compared whole: allowed, rule, via and explanation (or the error).
Outcome = tuple[Any, ...]


def outcome(ask: Callable[[], object]) -> Outcome:
    """What ``ask()`` answers (a decision compared whole), or the error it raises."""
    try:
        answer = ask()
    except PartnercoreError as error:
        return (type(error).__name__, str(error))
    if isinstance(answer, Decision):
        return (answer.allowed, answer.rule, answer.via, answer.explanation)
    return ("answer", answer)


class Writer:
    """Draws random writes against a world as it is now: grants (expiring, revoked, to
    everyone, on every client), revocations, consent changes, transfers, new and ended
    memberships, status changes, new clients and users; mostly by SYSTEM or an actor who
    may, sometimes by any user (often refused)."""

    def __init__(self, world: TenancyWorld) -> None:
        self.store = world.store
        self.users = [*world.users]
        self.partners = [*world.partners]
        self.clients = [*world.clients]
        self.count = 0

    def grants(self) -> list[Grant]:
        return [g for p in self.partners for g in self.store.grants.for_partner(p)]

    def memberships(self) -> list[Membership]:
        return [m for u in self.users for m in self.store.memberships.for_user(u)]

    def settled(self, team: str) -> datetime:
        """When the team was created or last changed (a change before is refused)."""
        history = self.store.history.for_team(team)
        created = self.store.teams.get(team).created_at
        return max(created, history[-1].at) if history else created

    def draw(self, data: st.DataObject) -> tuple[str, Callable[[], object]]:
        store, draw = self.store, data.draw
        self.count += 1
        n = self.count
        kind = draw(
            st.sampled_from(
                ["grant", "grant", "revoke", "consent", "consent", "transfer", "end", "member",
                 "member", "status", "client", "user"]
            ),
            label="kind",
        )  # fmt: skip
        day = draw(st.integers(0, TENANCY_DAYS), label="day")
        when = tenancy_day(day)
        by: Actor = draw(st.just(SYSTEM) | st.sampled_from([SYSTEM, *self.users]), label="by")
        lengths = st.none() | st.integers(1, TENANCY_DAYS)
        grants, memberships = self.grants(), self.memberships()
        if kind == "revoke" and grants:
            grant = draw(st.sampled_from(grants), label="grant")
            when = max(when, grant.granted_at)
            return f"revoke {grant.id}", partial(revoke_grant, store, grant.id, at=when, by=by)
        client_run = [c for c in self.clients if store.teams.get(c).operated_by.value == "client"]
        if kind == "consent" and client_run:
            client = draw(st.sampled_from(client_run), label="client")
            changes = store.consents.for_client(client)
            when = max([when, self.settled(client)] + [c.at for c in changes])
            admins = [m for m in store.memberships.for_team(client) if m.role is Role.CLIENT_ADMIN]
            actor: Actor = SYSTEM
            if admins and draw(st.booleans()):
                admin = draw(st.sampled_from(admins))
                actor, when = admin.user_id, max(when, admin.active_from)
            revoked = bool(changes) and changes[-1].partner_access.value == "revoked"
            change = restore_partner_access if revoked else revoke_partner_access
            return f"{change.__name__} {client}", partial(change, store, client, at=when, by=actor)
        if kind == "transfer" and self.clients:
            client = draw(st.sampled_from(self.clients), label="client")
            partner = draw(st.sampled_from(self.partners), label="partner")
            when = max(when, self.settled(client), self.settled(partner))
            move = partial(transfer_client, store, client, partner, at=when, by=by)
            return f"transfer {client} to {partner}", move
        if kind == "end" and memberships:
            membership = draw(st.sampled_from(memberships), label="membership")
            when = max(when, membership.active_from + timedelta(days=1))
            end = partial(end_membership, store, membership.id, at=when, by=by)
            return f"end {membership.id}", end
        if kind == "member":
            user = draw(st.sampled_from(self.users), label="user")
            team = draw(st.sampled_from(self.partners + self.clients), label="team")
            fitting = [Role.PARTNER_ADMIN, Role.ADVISOR] if team in self.partners else [
                Role.CLIENT_ADMIN, Role.MEMBER, Role.VIEWER
            ]  # fmt: skip
            created = store.teams.get(team).created_at
            length = draw(lengths)
            start = max(when, created)
            membership = Membership(
                user_id=user,
                team_id=team,
                role=draw(st.sampled_from(fitting)),
                active_from=start,
                active_until=None if length is None else start + timedelta(days=length),
            )
            add = partial(add_membership, store, membership, at=start, by=by)
            return f"add {membership.id}", add
        if kind == "status":
            team = draw(st.sampled_from(self.partners + self.clients), label="team")
            change = draw(st.sampled_from([suspend_team, archive_team, reactivate_team]))
            when = max(when, self.settled(team))
            return f"{change.__name__} {team}", partial(change, store, team, at=when, by=by)
        if kind == "client":
            client = f"n{n}"
            partner = draw(st.sampled_from(self.partners), label="partner")
            create = partial(
                create_client,
                store,
                client,
                f"New {client}",
                partner_id=partner,
                operated_by=draw(st.sampled_from(["client", "partner"])),
                billing_model=draw(st.sampled_from(["reseller", "non_reseller"])),
                at=max(when, store.teams.get(partner).created_at),
                by=by,
            )
            return f"create {client}", create
        if kind == "user":
            user = f"v{n}"
            add_one = partial(
                add_user, store, User(user, f"{user}@example.com"), at=when, by=SYSTEM
            )
            return f"add user {user}", add_one
        # a grant (also what a kind that has nothing to act on yet draws)
        partner = draw(st.sampled_from(self.partners), label="partner")
        own = [c.id for c in store.teams.clients_of(partner)]
        client = draw(st.sampled_from([ALL, *own]) if own else st.just(ALL), label="client")
        staff = [m.user_id for m in store.memberships.for_team(partner)]
        anyone = st.sampled_from([ALL, *self.users])
        advisor = draw(st.sampled_from([ALL, *staff]) | anyone, label="advisor")
        start = max([when, store.teams.get(partner).created_at] + (
            [store.teams.get(client).created_at] if client != ALL else []
        ))  # fmt: skip
        expiry, revoked = draw(lengths), draw(st.none() | lengths)
        grant = Grant(
            id=f"x{n}",
            partner_id=partner,
            client_id=client,
            advisor_id=advisor,
            role=draw(st.sampled_from(list(GrantRole))),
            granted_at=start,
            expires_at=None if expiry is None else start + timedelta(days=expiry),
            revoked_at=None if revoked is None else start + timedelta(days=revoked),
            revoked_by=None if revoked is None else "system",
            granted_by="system" if by is SYSTEM else str(by),
        )
        return f"grant {grant.id}", partial(grant_access, store, grant, at=start, by=by)

    def written(self, description: str) -> None:
        """Remember what a successful write created."""
        word, _, rest = description.partition(" ")
        if description.startswith("add user "):
            self.users.append(description.removeprefix("add user "))
        elif word == "create":
            self.clients.append(rest)


def write_world(store: Store) -> None:
    """The shared tenancy world (tests/tenancy/conftest.py), written into ``store``."""
    create_partner(store, "acme", "Acme Advisory", at=T0, by=SYSTEM)
    create_partner(store, "beta", "Beta Consulting", at=T0, by=SYSTEM)
    for client, partner, operated_by, billing_model in [
        ("c1", "acme", "client", "reseller"),
        ("c2", "acme", "partner", "non_reseller"),
        ("c3", "acme", "client", "non_reseller"),
        ("d1", "beta", "client", "reseller"),
    ]:
        create_client(
            store,
            client,
            f"Client {client}",
            partner_id=partner,
            operated_by=operated_by,
            billing_model=billing_model,
            at=T0,
            by=SYSTEM,
        )
    for user in [*MEMBERS, "sam"]:
        add_user(store, User(user, f"{user}@example.com"), at=T0, by=SYSTEM)
    for user, (team, role) in MEMBERS.items():
        membership = Membership(user_id=user, team_id=team, role=role, active_from=T0)
        add_membership(store, membership, at=T0, by=SYSTEM)
    g1 = Grant(
        id="g1",
        partner_id="acme",
        client_id="c1",
        advisor_id="alice",
        role="advisor",
        granted_at=at("2026-02-01"),
        expires_at=at("2026-11-01"),
        granted_by="paula",
    )
    grant_access(store, g1, at=at("2026-02-01"), by=SYSTEM)
