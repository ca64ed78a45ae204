"""The access service (§3): explained decisions under rules R1 to R7, and reverse lookups.

``check`` decides one (user, permission, team, at). It looks up only what the rules need:
the user's memberships in the team and in the team's partner, that partner's grants for the
client, the client's consent changes and the team's history, each by key. Nothing is cached,
so expiry and revocation take effect at decision time; nothing reads the wall clock.

Every lookup happens before the decision is returned; its explanation is then written from
the looked-up (immutable) records only when it is first read (see ``decide_later``), so a
caller that asks only ``allowed`` does not pay for the sentence, and the sentence is the same
whenever it is read, whatever the store holds by then.

How a decision is reached, for a client team C of partner P (P is C's partner *at* ``at``):

0. Before the client's ``created_at`` everything is denied (``Rule.DEFAULT``).
1. ``referral.view`` is denied (R7).
2. Candidates that would allow, in order: R1 (an active membership in C), R2 (an active
   ``partner_admin`` membership in P), R3 implicit (``partner_admin`` on a partner-operated
   C: ``advisor_admin``), R3 (an active grant for the user). The first candidate that
   survives the restrictions decides: R6 (status of C at ``at``) and R4 (consent revoked).
3. Otherwise the denial names the first restriction that removed a candidate (R6, then
   R4), else the most specific reason: a grant that is not active or does not cover the
   permission (R3), a role that does not hold the permission (R1), a partner role without an
   active grant (R3), a membership that is not active at ``at`` (R1/R3), a membership on the
   other side of a partner boundary (R5), and finally deny by default (``Rule.DEFAULT``).

A partner team P: R1 for its members (R7 for ``referral.view``), restricted by R6; nothing
before its ``created_at``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from enum import StrEnum
from typing import Protocol

from partnercore._errors import AccessDeniedError, NotFoundError
from partnercore._fields import to_enum
from partnercore.tenancy._consent import ConsentChange, consent_at
from partnercore.tenancy._decision import Decision, Holder, decide_later
from partnercore.tenancy._grants import ALL, Grant
from partnercore.tenancy._history import StatusChange, TeamChange, Transfer, parent_at, status_at
from partnercore.tenancy._people import Membership
from partnercore.tenancy._permissions import (
    ADVISOR_ADMIN_PERMISSIONS,
    ARCHIVED_KEEPS,
    CLIENT_ROLE_PERMISSIONS,
    CONSENT_REVOKED_KEEPS,
    GRANT_ROLE_PERMISSIONS,
    PARTNER_ROLE_PERMISSIONS,
    PARTNER_ROLES,
    R2_PERMISSIONS,
    SUSPENDED_KEEPS,
    GrantRole,
    Permission,
    Role,
    Rule,
)
from partnercore.tenancy._ports import TenancyReader
from partnercore.tenancy._team import BillingModel, OperatedBy, Team, TeamKind, TeamStatus
from partnercore.time import ensure_aware, format_instant

__all__ = [
    "PERMISSIONS",
    "AccessReader",
    "check",
    "decide",
    "require",
    "teams",
    "to_permission",
    "who",
]


class _TeamLookup(Protocol):
    def find(self, team_id: str) -> Team | None: ...


class _UserLookup(Protocol):
    def find(self, user_id: str) -> object: ...


class _MembershipLookup(Protocol):
    def between(self, user_id: str, team_id: str) -> Sequence[Membership]: ...
    def for_user(self, user_id: str) -> Sequence[Membership]: ...


class _GrantLookup(Protocol):
    def for_client(self, partner_id: str, client_id: str) -> Sequence[Grant]: ...
    def for_all_clients(self, partner_id: str) -> Sequence[Grant]: ...


class _ConsentLookup(Protocol):
    def for_client(self, client_id: str) -> Sequence[ConsentChange]: ...


class _HistoryLookup(Protocol):
    def for_team(self, team_id: str) -> Sequence[TeamChange]: ...


class AccessReader(Protocol):
    """The keyed lookups one decision reads (every :class:`TenancyReader` has them): a
    team by id, whether a user exists, a user's memberships (in one team, and all of them),
    a partner's grants for one client and for every client, a client's consent changes and
    a team's history. The access index decides through its own copy of these."""

    @property
    def teams(self) -> _TeamLookup: ...
    @property
    def users(self) -> _UserLookup: ...
    @property
    def memberships(self) -> _MembershipLookup: ...
    @property
    def grants(self) -> _GrantLookup: ...
    @property
    def consents(self) -> _ConsentLookup: ...
    @property
    def history(self) -> _HistoryLookup: ...


# module constants: looking a member up on its enum class is several times slower
_R1, _R2, _R3, _R4, _R5, _R6, _R7 = Rule.R1, Rule.R2, Rule.R3, Rule.R4, Rule.R5, Rule.R6, Rule.R7
_DEFAULT = Rule.DEFAULT
_REFERRAL_VIEW = Permission.REFERRAL_VIEW
_BILLING_MANAGE = Permission.BILLING_MANAGE
_PARTNER_ADMIN = Role.PARTNER_ADMIN
_ACTIVE = TeamStatus.ACTIVE
_ARCHIVED = TeamStatus.ARCHIVED
_PARTNER = TeamKind.PARTNER
_PARTNER_OPERATED = OperatedBy.PARTNER
_CLIENT_RUN = OperatedBy.CLIENT
_NOTHING: frozenset[Permission] = frozenset()
# plain strings for the explanations (formatting a str-enum member is slower than a lookup)
_TEXT: dict[StrEnum, str] = {
    member: member.value
    for enum in (Permission, Role, GrantRole, TeamStatus, BillingModel)
    for member in enum
}
# plain dicts: the check's lookups (R1 on a client: by billing model, then role)
_CLIENT_ROLE_PERMISSIONS: dict[BillingModel, dict[Role, frozenset[Permission]]] = {
    model: {role: held for (role, of), held in CLIENT_ROLE_PERMISSIONS.items() if of is model}
    for model in BillingModel
}
_PARTNER_ROLE_PERMISSIONS = dict(PARTNER_ROLE_PERMISSIONS)
_R2_PERMISSIONS = dict(R2_PERMISSIONS)
_GRANT_ROLE_PERMISSIONS = dict(GRANT_ROLE_PERMISSIONS)
# a permission given as text (or as a member) to the member: one dict lookup
PERMISSIONS: dict[str, Permission] = {member.value: member for member in Permission}
# the grant roles that give each permission (R3): none for most permissions
_GIVEN_BY: dict[Permission, frozenset[GrantRole]] = {
    perm: frozenset(role for role, given in GRANT_ROLE_PERMISSIONS.items() if perm in given)
    for perm in Permission
}


def check(
    store: TenancyReader, user: str, permission: Permission | str, team: str, at: datetime
) -> Decision:
    """May ``user`` exercise ``permission`` on ``team`` at ``at``? An explained decision.

    Unknown users and teams raise :class:`NotFoundError`; an unknown permission or a naive
    ``at`` raises :class:`ValidationError`.
    """
    if type(at) is not datetime or at.tzinfo is not UTC:
        at = ensure_aware(at)
    perm = permission if type(permission) is Permission else to_permission(permission)
    target = store.teams.find(team)
    if target is None:
        raise NotFoundError("team", team)
    # An unknown user has no memberships: the decision reaches deny by default (or R7 on a
    # client), where the user is looked up; known users are never looked up.
    if target.kind is _PARTNER:
        return _on_partner(store, user, perm, target, at)
    return _on_client(store, user, perm, target, at)


def decide(reader: AccessReader, user: str, perm: Permission, team: Team, at: datetime) -> Decision:
    """:func:`check` for a permission, a team record and a UTC instant already checked."""
    if team.kind is _PARTNER:
        return _on_partner(reader, user, perm, team, at)
    return _on_client(reader, user, perm, team, at)


def require(
    store: TenancyReader, user: str, permission: Permission | str, team: str, at: datetime
) -> Decision:
    """Like :func:`check`, raising :class:`AccessDeniedError` (with the decision) on denial."""
    decision = check(store, user, permission, team, at)
    if not decision.allowed:
        raise AccessDeniedError(
            f"{user} may not {Permission(permission)} on {team}: {decision.explanation}",
            decision=decision,
        )
    return decision


def teams(store: TenancyReader, user: str, permission: Permission | str, at: datetime) -> list[str]:
    """Every team ``user`` can reach with ``permission`` at ``at``, sorted by id.

    Always equal to checking every team one by one: the candidates are the teams the user
    has memberships in, plus the clients (at ``at``) of every partner the user holds a
    partner role in at ``at``; each candidate is then decided by the same code as
    :func:`check`.
    """
    at = ensure_aware(at)
    perm = permission if type(permission) is Permission else to_permission(permission)
    if store.users.find(user) is None:
        raise NotFoundError("user", user)
    memberships = store.memberships.for_user(user)
    member_of = {m.team_id for m in memberships}
    partners = sorted({m.team_id for m in memberships if m.role in PARTNER_ROLES and _holds(m, at)})
    reachable = []
    seen: set[str] = set()
    for partner_id in partners:
        known = (partner_id, store.memberships.between(user, partner_id), member_of)
        clients = store.teams.clients_of(partner_id)
        for transfer in store.history.transfers_from(partner_id):
            moved = store.teams.find(transfer.client_id)
            if moved is not None:
                clients.append(moved)
        for client in clients:
            if client.id not in seen:
                seen.add(client.id)
                if _on_client(store, user, perm, client, at, known).allowed:
                    reachable.append(client.id)
    for team_id in member_of - seen:
        target = store.teams.find(team_id)
        if target is None:
            continue
        if target.kind is _PARTNER:
            decision = _on_partner(store, user, perm, target, at)
        else:
            decision = _on_client(store, user, perm, target, at)
        if decision.allowed:
            reachable.append(team_id)
    reachable.sort()
    return reachable


def who(
    store: TenancyReader, team: str, permission: Permission | str, at: datetime
) -> list[Holder]:
    """Every user who can reach ``team`` with ``permission`` at ``at``, sorted by user id,
    each with the rule and the membership or grant that gives it.

    Always equal to checking every user one by one: the candidates are the team's members
    and, for a client, the members of its partner at ``at``.
    """
    at = ensure_aware(at)
    perm = permission if type(permission) is Permission else to_permission(permission)
    target = store.teams.get(team)
    if at < target.created_at:  # nothing is allowed on a team before it exists
        return []
    users = {m.user_id for m in store.memberships.for_team(team)}
    if target.kind is not _PARTNER:
        partner_id = _parent_at(target, store.history.for_team(team), at)
        users.update(
            m.user_id
            for m in store.memberships.for_team(partner_id)
            if m.role in PARTNER_ROLES and _holds(m, at)
        )
    holders = []
    for user in sorted(users):
        if target.kind is _PARTNER:
            decision = _on_partner(store, user, perm, target, at)
        else:
            decision = _on_client(store, user, perm, target, at)
        if decision.allowed:
            holders.append(Holder(user, decision.rule, decision.via))
    return holders


# Decisions are made with `decide_later`: `allowed`, the rule and `via` at once, and the
# explanation by a pure function (the `_..._text` functions) of values already looked up,
# written only when it is read. No `_..._text` function reads the store.


# -- partner teams -------------------------------------------------------------------------


def _on_partner(
    store: AccessReader, user: str, perm: Permission, team: Team, at: datetime
) -> Decision:
    if at < team.created_at:
        return _before_creation(store, user, team)
    memberships = store.memberships.between(user, team.id)
    membership = None
    for candidate in memberships:  # the first membership active at `at`
        if candidate.active_from <= at:
            until = candidate.active_until
            if until is None or at < until:
                membership = candidate
                break
    if membership is None:
        if memberships:
            return _inactive_denial(user, memberships, team.id, _R1, at)
        return _stranger(store, user, team, team.id, (), at)
    role = membership.role
    if perm is _REFERRAL_VIEW:
        if role is not _PARTNER_ADMIN:
            return decide_later(False, _R7, None, (_referral_role_text, user, role, team.id))
        rule = _R7
    elif perm in _PARTNER_ROLE_PERMISSIONS.get(role, _NOTHING):
        rule = _R1
    else:
        return decide_later(False, _R1, None, (_role_lacks_text, user, role, team.id, perm))
    history = store.history.for_team(team.id)
    status = status_at(team, history, at) if history else team.status
    if status is not _ACTIVE:
        keeps = ARCHIVED_KEEPS if status is _ARCHIVED else SUSPENDED_KEEPS
        if role is not _PARTNER_ADMIN or perm not in keeps:
            return _status_denial(team, history, status, at)
    if rule is _R7:
        return decide_later(True, rule, membership.id, (_referral_text, user, team.id))
    return decide_later(True, rule, membership.id, (_role_holds_text, user, role, team.id, perm))


def _referral_role_text(user: str, role: Role, team_id: str) -> str:
    return (
        f"{user} is {_TEXT[role]} of {team_id}; referral statements (referral.view) are only "
        "for a partner_admin on its own partner team"
    )


def _referral_text(user: str, team_id: str) -> str:
    return (
        f"{user} is partner_admin of {team_id}; referral statements are for partner "
        "admins of their own partner team"
    )


def _role_holds_text(user: str, role: Role, team_id: str, perm: Permission) -> str:
    return f"{user} is {_TEXT[role]} of {team_id}; {_TEXT[role]} holds {_TEXT[perm]} there"


def _role_lacks_text(user: str, role: Role, team_id: str, perm: Permission) -> str:
    return f"{user} is {_TEXT[role]} of {team_id}; {_TEXT[role]} does not hold {_TEXT[perm]} there"


# -- client teams --------------------------------------------------------------------------


# What teams() already knows about the partner side when it decides a client of that partner:
# (partner id, the user's memberships in that partner, ids of the teams the user belongs to).
_Known = tuple[str, Sequence[Membership], set[str]]


def _on_client(
    store: AccessReader,
    user: str,
    perm: Permission,
    team: Team,
    at: datetime,
    known: _Known | None = None,
) -> Decision:
    """Decide a client team."""
    if at < team.created_at:
        return _before_creation(store, user, team)
    if perm is _REFERRAL_VIEW:
        if store.users.find(user) is None:
            raise NotFoundError("user", user)
        return decide_later(False, _R7, None, (_referral_client_text, team.id))
    client_id = team.id
    history = store.history.for_team(client_id)
    if history:
        status = status_at(team, history, at)
        partner_id = _parent_at(team, history, at)
    else:
        status = team.status
        partner_id = team.parent_id or ""
    billing_model = team.billing_model
    assert billing_model is not None
    active = status is _ACTIVE
    blocked: Decision | None = None  # the first candidate a restriction (R6, R4) removed

    # R1: a member of the client.
    if known is None or client_id in known[2]:
        own = store.memberships.between(user, client_id)
    else:
        own = ()
    membership = None
    for candidate in own:  # the first membership active at `at`
        if candidate.active_from <= at:
            until = candidate.active_until
            if until is None or at < until:
                membership = candidate
                break
    if membership is not None and perm in _CLIENT_ROLE_PERMISSIONS[billing_model].get(
        membership.role, _NOTHING
    ):
        if active:
            return decide_later(
                True,
                _R1,
                membership.id,
                (_role_holds_text, user, membership.role, client_id, perm),
            )
        blocked = _status_denial(team, history, status, at)

    # R2, R3: a partner role in the client's partner (at `at`).
    if known is not None and known[0] == partner_id:
        partner_memberships = known[1]
    else:
        partner_memberships = store.memberships.between(user, partner_id)
    held = None
    for candidate in partner_memberships:  # the first membership active at `at`
        if candidate.active_from <= at:
            until = candidate.active_until
            if until is None or at < until:
                held = candidate
                break
    if held is None or held.role not in PARTNER_ROLES:
        if blocked is not None:
            return blocked
        if not own and not partner_memberships:  # a stranger to the client and its partner
            return _stranger(store, user, team, partner_id, history, at)
        return _outside(
            store, user, perm, team, partner_id, history, membership, own, partner_memberships, at
        )

    # R4 matters only on a client-run team, and only once a candidate would allow: look the
    # consent changes up then (`_UNKNOWN` until looked up).
    consent: ConsentChange | _Unknown | None = _UNKNOWN if team.operated_by is _CLIENT_RUN else None

    if held.role is _PARTNER_ADMIN:
        if perm in _R2_PERMISSIONS[billing_model]:
            if perm not in CONSENT_REVOKED_KEEPS and consent is _UNKNOWN:
                consent = _consent(store, client_id, at)
            if not active and perm not in (
                ARCHIVED_KEEPS if status is _ARCHIVED else SUSPENDED_KEEPS
            ):
                blocked = blocked or _status_denial(team, history, status, at)
            elif type(consent) is ConsentChange and perm not in CONSENT_REVOKED_KEEPS:
                blocked = blocked or _consent_denial(consent)
            else:
                return decide_later(
                    True, _R2, held.id, (_r2_text, user, partner_id, client_id, perm)
                )
        elif team.operated_by is _PARTNER_OPERATED and perm in ADVISOR_ADMIN_PERMISSIONS:
            if not active:
                blocked = blocked or _status_denial(team, history, status, at)
            else:
                return decide_later(
                    True, _R3, held.id, (_operated_text, user, partner_id, client_id, perm)
                )

    # R3: delegated grants naming the user (or every advisor) on this client (or every client).
    # Only a permission some grant role gives needs a look at each grant now; otherwise (and
    # when no grant allows) the grants only explain the denial, which `_r3_denial_text`
    # writes from the looked-up sequences when it is read.
    grants = store.grants.for_client(partner_id, client_id)
    all_clients_grants = store.grants.for_all_clients(partner_id)
    given_by = _GIVEN_BY[perm]
    if given_by:
        # A grant to a named advisor needs a look at their stay at the partner only when that
        # stay is not a single open-ended membership (which is then `held`); a per-client
        # grant needs a look at transfers only when the client has a history.
        for candidates in (grants, all_clients_grants):
            for grant in candidates:
                if grant.role not in given_by:
                    continue
                advisor = grant.advisor_id
                if advisor != user and advisor != ALL:
                    continue
                if (
                    at < grant.granted_at
                    or grant.expires_at is not None
                    or grant.revoked_at is not None
                    or (history and grant.client_id != ALL)
                    or (
                        advisor != ALL
                        and (len(partner_memberships) != 1 or held.active_until is not None)
                    )
                ) and _grant_end(grant, partner_id, history, partner_memberships, at) is not None:
                    continue
                if consent is _UNKNOWN:
                    consent = _consent(store, client_id, at)
                if not active:
                    blocked = blocked or _status_denial(team, history, status, at)
                elif type(consent) is ConsentChange:
                    blocked = blocked or _consent_denial(consent)
                else:
                    return decide_later(
                        True,
                        _R3,
                        grant.id,
                        (_grant_text, grant, user, partner_id, client_id, perm),
                    )

    if blocked is not None:
        return blocked
    if membership is not None and not _names(user, grants, all_clients_grants):
        return _role_denial(user, membership, perm, client_id)
    return decide_later(
        False,
        _R3,
        None,
        (
            _r3_denial_text,
            user,
            perm,
            held.role,
            partner_id,
            client_id,
            billing_model,
            grants,
            all_clients_grants,
            history,
            partner_memberships,
            at,
        ),
    )


def _names(user: str, grants: Sequence[Grant], all_clients_grants: Sequence[Grant]) -> bool:
    """Does any of the grants name ``user`` (or every advisor)?"""
    return any(
        grant.advisor_id == user or grant.advisor_id == ALL
        for candidates in (grants, all_clients_grants)
        for grant in candidates
    )


def _referral_client_text(team_id: str) -> str:
    return (
        f"referral statements (referral.view) are only for a partner_admin on its own "
        f"partner team; {team_id} is a client team"
    )


def _r2_text(user: str, partner_id: str, client_id: str, perm: Permission) -> str:
    return (
        f"{user} is partner_admin of {partner_id}, the partner of {client_id}; "
        f"partner admins hold {_TEXT[perm]} on its clients"
    )


def _operated_text(user: str, partner_id: str, client_id: str, perm: Permission) -> str:
    return (
        f"{user} is partner_admin of {partner_id} and {client_id} is operated by "
        f"its partner: partner admins hold advisor_admin there, which gives {_TEXT[perm]}"
    )


def _grant_text(grant: Grant, user: str, partner_id: str, client_id: str, perm: Permission) -> str:
    scope = client_id if grant.client_id != ALL else f"every client of {partner_id}"
    return (
        f"grant {grant.id} gives {user} {_TEXT[grant.role]} on {scope}, "
        f"which includes {_TEXT[perm]}"
    )


def _beyond_r2_text(
    user: str, partner_id: str, client_id: str, perm: Permission, billing_model: BillingModel
) -> str:
    kind = f" (a {_TEXT[billing_model]} client)" if perm is _BILLING_MANAGE else ""
    return (
        f"{user} is partner_admin of {partner_id}; R2 gives partner admins no {_TEXT[perm]} "
        f"on {client_id}{kind} and {user} has no active grant on {client_id} that gives it"
    )


def _no_grant_text(user: str, role: Role, partner_id: str, client_id: str) -> str:
    return f"{user} is {_TEXT[role]} of {partner_id} but has no active grant on {client_id}"


def _r3_denial_text(
    user: str,
    perm: Permission,
    role: Role,
    partner_id: str,
    client_id: str,
    billing_model: BillingModel,
    grants: Sequence[Grant],
    all_clients_grants: Sequence[Grant],
    history: Sequence[TeamChange],
    partner_memberships: Sequence[Membership],
    at: datetime,
) -> str:
    """Why a partner role of ``partner_id`` holds no ``perm`` on ``client_id`` (R3), when no
    grant gives it: of the grants naming the user (none of them active with a role that gives
    ``perm``), the first whose role would give it, else the first; else the role."""
    named: Grant | None = None
    for candidates in (grants, all_clients_grants):
        for grant in candidates:
            if grant.advisor_id != user and grant.advisor_id != ALL:
                continue
            if perm in _GRANT_ROLE_PERMISSIONS[grant.role]:
                end = _grant_end(grant, partner_id, history, partner_memberships, at)
                return _missed_text(grant, end, user, perm, partner_id, client_id)
            if named is None:
                named = grant
    if named is not None:
        end = _grant_end(named, partner_id, history, partner_memberships, at)
        return _missed_text(named, end, user, perm, partner_id, client_id)
    if role is _PARTNER_ADMIN:
        return _beyond_r2_text(user, partner_id, client_id, perm, billing_model)
    return _no_grant_text(user, role, partner_id, client_id)


# Why a grant does not apply at an instant: when, why, and the transfer that ended it.
_End = tuple[datetime, str, Transfer | None]
_STARTS, _EXPIRED, _REVOKED, _TRANSFERRED, _LEFT = "starts", "expired", "revoked", "moved", "left"


def _grant_end(
    grant: Grant,
    partner_id: str,
    history: Sequence[TeamChange],
    partner_memberships: Sequence[Membership],
    at: datetime,
) -> _End | None:
    """Why ``grant`` does not apply at ``at`` (the earliest ending), ``None`` when active."""
    start = grant.granted_at
    if at < start:
        return (start, _STARTS, None)
    end: _End | None = None
    if grant.expires_at is not None and grant.expires_at <= at:
        end = (grant.expires_at, _EXPIRED, None)
    revoked = grant.revoked_at
    if revoked is not None and revoked <= at and (end is None or revoked < end[0]):
        end = (revoked, _REVOKED, None)
    if grant.client_id != ALL and history:
        for change in history:
            if (
                type(change) is Transfer
                and change.from_partner == partner_id
                and start < change.at <= at
            ):
                if end is None or change.at < end[0]:
                    end = (change.at, _TRANSFERRED, change)
                break
    if grant.advisor_id != ALL and (
        len(partner_memberships) != 1 or partner_memberships[0].active_until is not None
    ):
        left = _left_at(partner_memberships, start, at)
        if left is not None and (end is None or left < end[0]):
            end = (left, _LEFT, None)
    return end


def _missed_text(
    grant: Grant,
    end: _End | None,
    user: str,
    perm: Permission,
    partner_id: str,
    client_id: str,
) -> str:
    """Explain a grant that did not give ``perm``: it is not active (``end``), or its role
    does not include ``perm``."""
    if end is None:
        return (
            f"grant {grant.id} gives {_TEXT[grant.role]} on {client_id}, which does not "
            f"include {_TEXT[perm]}"
        )
    when, why, transfer = end
    stamp = _stamp(when)
    if why is _STARTS:
        return f"grant {grant.id} starts {stamp}"
    if why is _EXPIRED:
        return f"grant {grant.id} expired {stamp}"
    if why is _REVOKED:
        by = f" by {grant.revoked_by}" if grant.revoked_by else ""
        return f"grant {grant.id} was revoked at {stamp}{by}"
    if why is _TRANSFERRED:
        assert transfer is not None
        return (
            f"grant {grant.id} ended when {client_id} was transferred from {partner_id} to "
            f"{transfer.to_partner} at {stamp}"
        )
    return f"grant {grant.id} ended when {user} left {partner_id} at {stamp}"


def _left_at(memberships: Sequence[Membership], since: datetime, at: datetime) -> datetime | None:
    """The first instant in ``(since, at]`` at which the user stopped holding a partner role."""
    first: datetime | None = None
    for membership in memberships:
        end = membership.active_until
        if end is None or not since < end <= at or membership.role not in PARTNER_ROLES:
            continue
        if any(other.role in PARTNER_ROLES and _holds(other, end) for other in memberships):
            continue  # role changed without a gap: still at the partner
        if first is None or end < first:
            first = end
    return first


# -- denials -------------------------------------------------------------------------------


def _before_creation(store: AccessReader, user: str, team: Team) -> Decision:
    """The denial of everything on ``team`` before its ``created_at`` (deny by default)."""
    if store.users.find(user) is None:
        raise NotFoundError("user", user)
    return decide_later(False, _DEFAULT, None, (_before_creation_text, team))


def _before_creation_text(team: Team) -> str:
    return (
        f"team {team.id} was created at {_stamp(team.created_at)}; nothing is allowed on it "
        "before then"
    )


def _outside(
    store: AccessReader,
    user: str,
    perm: Permission,
    team: Team,
    partner_id: str,
    history: Sequence[TeamChange],
    membership: Membership | None,
    own: Sequence[Membership],
    partner_memberships: Sequence[Membership],
    at: datetime,
) -> Decision:
    """A denial for a user without an active partner role in the client's partner."""
    client_id = team.id
    if membership is not None:
        return _role_denial(user, membership, perm, client_id)
    if own:
        return _inactive_denial(user, own, client_id, _R1, at)
    if partner_memberships:
        return decide_later(
            False,
            _R3,
            None,
            (_left_partner_text, user, partner_memberships, partner_id, client_id, at),
        )
    return _stranger(store, user, team, partner_id, history, at)


def _left_partner_text(
    user: str,
    partner_memberships: Sequence[Membership],
    partner_id: str,
    client_id: str,
    at: datetime,
) -> str:
    return (
        f"{_inactive_text(user, partner_memberships, partner_id, at)}; delegated access to "
        f"{client_id} needs an advisor or partner_admin of {partner_id}"
    )


def _stranger(
    store: AccessReader,
    user: str,
    team: Team,
    partner_id: str,
    history: Sequence[TeamChange],
    at: datetime,
) -> Decision:
    """A denial for a user with no membership in ``team`` or (for a client) its partner.

    ``history`` is the team's (for a client: its transfers explain a former partner).
    """
    for membership in store.memberships.for_user(user):
        if at < membership.active_from:  # not _holds(membership, at), inlined
            continue
        until = membership.active_until
        if until is not None and until <= at:
            continue
        other = store.teams.find(membership.team_id)
        if other is None:
            continue
        if other.kind is _PARTNER:
            return decide_later(
                False,
                _R5,
                None,
                (_other_partner_text, user, other, team, partner_id, history, at),
            )
        # the other client's partner (at `at`) only explains the denial: its history is
        # looked up now, the partner worked out from it when the explanation is read
        return decide_later(
            False,
            _R5,
            None,
            (
                _client_member_text,
                user,
                membership.role,
                other,
                store.history.for_team(other.id),
                team,
                partner_id,
                at,
            ),
        )
    if store.users.find(user) is None:
        raise NotFoundError("user", user)
    if team.kind is _PARTNER:
        return decide_later(False, _DEFAULT, None, (_no_membership_text, team.id))
    return decide_later(False, _DEFAULT, None, (_no_membership_or_grant_text, team.id))


def _other_partner_text(
    user: str,
    other: Team,
    team: Team,
    partner_id: str,
    history: Sequence[TeamChange],
    at: datetime,
) -> str:
    """``user`` belongs to partner ``other``, which is not ``team`` nor (for a client) its
    partner ``partner_id``; ``history`` is the client's (its transfers away from ``other``)."""
    where = f"{user} belongs to partner {other.id}"
    if team.kind is _PARTNER:
        return f"{where}, not to {team.id}: nothing reaches across partners"
    note = ""
    for change in history:  # the last move away from the user's partner, if any
        if type(change) is Transfer and change.from_partner == other.id and change.at <= at:
            note = (
                f" ({team.id} was transferred from {other.id} at "
                f"{_stamp(change.at)}; delegated grants of {other.id} ended then)"
            )
    return (
        f"{where}, but {team.id} is a client of {partner_id}{note}: nothing reaches across partners"
    )


def _client_member_text(
    user: str,
    role: Role,
    other: Team,
    other_history: Sequence[TeamChange],
    team: Team,
    partner_id: str,
    at: datetime,
) -> str:
    """``user`` is a member of client ``other`` (``other_history``: its changes), not of
    ``team``."""
    other_partner = _parent_at(other, other_history, at)
    if team.kind is _PARTNER and other_partner == team.id:
        return (
            f"{user} is {_TEXT[role]} of client {other.id}; a client's members hold "
            f"nothing on their partner team {team.id}"
        )
    if other_partner == partner_id:
        return (
            f"{user} is {_TEXT[role]} of client {other.id}; a client's members hold "
            f"nothing on a sibling client such as {team.id}"
        )
    return (
        f"{user} is {_TEXT[role]} of client {other.id} of partner {other_partner}; "
        f"nothing reaches across partners to {team.id}"
    )


def _no_membership_text(team_id: str) -> str:
    return f"no membership in {team_id}"


def _no_membership_or_grant_text(team_id: str) -> str:
    return f"no membership in {team_id} and no active grant"


def _role_denial(user: str, membership: Membership, perm: Permission, team_id: str) -> Decision:
    return decide_later(False, _R1, None, (_role_lacks_text, user, membership.role, team_id, perm))


def _inactive_denial(
    user: str, memberships: Sequence[Membership], team_id: str, rule: Rule, at: datetime
) -> Decision:
    """None of ``memberships`` holds at ``at``: say when the nearest one ended or starts."""
    return decide_later(False, rule, None, (_inactive_text, user, memberships, team_id, at))


def _inactive_text(user: str, memberships: Sequence[Membership], team_id: str, at: datetime) -> str:
    ended = [
        m.active_until for m in memberships if m.active_until is not None and m.active_until <= at
    ]
    if ended:
        return f"{user}'s membership in {team_id} ended {_stamp(max(ended))}"
    starts = min(m.active_from for m in memberships)
    return f"{user}'s membership in {team_id} starts {_stamp(starts)}"


def _status_denial(
    team: Team, history: Sequence[TeamChange], status: TeamStatus, at: datetime
) -> Decision:
    return decide_later(False, _R6, None, (_status_text, team, history, status, at))


def _status_text(
    team: Team, history: Sequence[TeamChange], status: TeamStatus, at: datetime
) -> str:
    since = ""
    for change in history:
        if type(change) is StatusChange and change.at <= at and change.to_status is status:
            since = f" since {_stamp(change.at)}"
    if status is _ARCHIVED:
        rest = "only billing.view for the partner admin holds"
    elif team.kind is _PARTNER:
        rest = "only its partner admins' license.*, billing.* and team.admin hold"
    else:
        rest = "only the partner admin's license.*, billing.* and team.admin (R2) hold"
    return f"{team.id} is {_TEXT[status]}{since}: {rest}"


class _Unknown:
    """Not looked up yet."""


_UNKNOWN = _Unknown()


def _consent(store: AccessReader, client_id: str, at: datetime) -> ConsentChange | None:
    """The revocation of partner data access in force at ``at`` (R4), if any."""
    changes = store.consents.for_client(client_id)
    return consent_at(changes, at) if changes else None


def _consent_denial(consent: ConsentChange) -> Decision:
    return decide_later(False, _R4, None, (_consent_text, consent))


def _consent_text(consent: ConsentChange) -> str:
    return (
        f"partner data access revoked by client at {_stamp(consent.at)} "
        f"(by {consent.by}): grants give nothing and partner admins keep only license.* "
        "and billing.*"
    )


# -- helpers -------------------------------------------------------------------------------


def to_permission(value: object) -> Permission:
    """A permission given as text (or a member): a dict lookup; anything else is an error."""
    try:
        found = PERMISSIONS.get(value)  # type: ignore[call-overload]
    except TypeError:  # unhashable
        found = None
    return found if found is not None else to_enum(Permission, value, "permission")


def _stamp(instant: datetime) -> str:
    """An instant of a stored record (always UTC) as ``2026-11-01T00:00:00Z``."""
    if instant.tzinfo is UTC:
        return instant.isoformat()[:-6] + "Z"
    return format_instant(instant)


def _holds(membership: Membership, at: datetime) -> bool:
    until = membership.active_until
    return membership.active_from <= at and (until is None or at < until)


def _parent_at(team: Team, history: Sequence[TeamChange], at: datetime) -> str:
    return parent_at(team, history, at) or ""
