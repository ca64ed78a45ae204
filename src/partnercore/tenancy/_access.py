"""The access service (§3): explained decisions under rules R1 to R7, and reverse lookups.

``check`` decides one (user, permission, team, at). It looks up only what the rules need:
the user's memberships in the team and in the team's partner, that partner's grants for the
client, the client's consent changes and the team's history, each by key. Nothing is cached,
so expiry and revocation take effect at decision time; nothing reads the wall clock.

Every lookup happens before the decision is returned; its explanation is then written from
the looked-up (immutable) records only when it is first read (a :class:`Decision` built with
a ``write`` function and its values), so a caller that asks only ``allowed`` does not pay for
the sentence, and the sentence is the same whenever it is read, whatever the store holds by
then.

How a decision is reached, for a client team C of partner P (P is C's partner *at* ``at``):

0. Before the client's ``created_at`` everything is denied (``Rule.DEFAULT``).
1. ``referral.view`` is denied (R7).
2. Candidates that would allow, in order: R1 (an active membership in C: ``_as_member``),
   R2 (an active ``partner_admin`` membership in P) and R3 implicit (``partner_admin`` on a
   partner-operated C: ``advisor_admin``) (``_as_partner_admin``), R3 (an active grant for
   the user: ``_by_grant``). The first candidate that survives the restrictions decides:
   R6 (status of C at ``at``) and R4 (consent revoked) (``_restriction``).
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
from typing import NamedTuple, Protocol

from partnercore._errors import AccessDeniedError, NotFoundError
from partnercore._fields import to_enum
from partnercore.tenancy._consent import ConsentChange, consent_at
from partnercore.tenancy._decision import Decision, Holder
from partnercore.tenancy._grants import ALL, Grant
from partnercore.tenancy._history import StatusChange, TeamChange, Transfer, parent_at, status_at
from partnercore.tenancy._people import Membership
from partnercore.tenancy._permissions import (
    ADVISOR_ADMIN_PERMISSIONS,
    ALL_PERMISSIONS,
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
# plain dicts: the check's lookups (R1 on a client: by billing model, then role), keyed by a
# team's `billing_model` (which every client has: a lookup, not a check, on the hot path)
_CLIENT_ROLE_PERMISSIONS: dict[BillingModel | None, dict[Role, frozenset[Permission]]] = {
    model: {role: held for (role, of), held in CLIENT_ROLE_PERMISSIONS.items() if of is model}
    for model in BillingModel
}
_PARTNER_ROLE_PERMISSIONS = dict(PARTNER_ROLE_PERMISSIONS)
_R2_PERMISSIONS: dict[BillingModel | None, frozenset[Permission]] = {
    model: R2_PERMISSIONS[model] for model in BillingModel
}
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
    if type(at) is not datetime or at.tzinfo is not UTC:  # (most callers give UTC)
        at = ensure_aware(at)
    if type(permission) is Permission:
        perm = permission
    else:  # text: one dict lookup (the error, for anything else)
        found = PERMISSIONS.get(permission) if type(permission) is str else None
        perm = found if found is not None else to_permission(permission)
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
    partners = sorted(
        {m.team_id for m in memberships if m.role in PARTNER_ROLES and m.active_at(at)}
    )
    reachable = []
    seen: set[str] = set()
    for partner_id in partners:
        known = _PartnerSide(partner_id, store.memberships.between(user, partner_id), member_of)
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
    target = store.teams.find(team)
    if target is None:  # (as check says it)
        raise NotFoundError("team", team)
    if at < target.created_at:  # nothing is allowed on a team before it exists
        return []
    users = {m.user_id for m in store.memberships.for_team(team)}
    if target.kind is not _PARTNER:
        partner_id = _parent_at(target, store.history.for_team(team), at)
        users.update(
            m.user_id
            for m in store.memberships.for_team(partner_id)
            if m.role in PARTNER_ROLES and m.active_at(at)
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


# Decisions are made with `allowed`, the rule and `via` at once, and the explanation by a
# pure function (the `_..._text` functions) of values already looked up, written only when
# it is read: `Decision(allowed, rule, (write, *values), via)`. No `_..._text` function
# reads the store.


# -- partner teams -------------------------------------------------------------------------


def _on_partner(
    store: AccessReader, user: str, perm: Permission, team: Team, at: datetime
) -> Decision:
    """Decide a partner team: R1 for its members (R7 for ``referral.view``), then R6."""
    if at < team.created_at:
        return _before_creation(store, user, team)
    memberships = store.memberships.between(user, team.id)
    membership = _first_active(memberships, at) if memberships else None
    if membership is None:
        if memberships:
            return _inactive_denial(user, memberships, team.id, _R1, at)
        return _stranger(store, user, team, team.id, (), at)
    role = membership.role
    if perm is _REFERRAL_VIEW:
        if role is not _PARTNER_ADMIN:
            return Decision(False, _R7, (_referral_role_text, user, role, team.id))
        rule = _R7
    elif perm in _PARTNER_ROLE_PERMISSIONS.get(role, _NOTHING):
        rule = _R1
    else:
        return Decision(False, _R1, (_role_lacks_text, user, role, team.id, perm))
    history = store.history.for_team(team.id)
    status = status_at(team, history, at) if history else team.status
    if status is not _ACTIVE and (role is not _PARTNER_ADMIN or perm not in _KEEPS[status]):
        return _status_denial(team, history, status, at)
    if rule is _R7:
        return Decision(True, rule, (_referral_text, user, team.id), membership.id)
    return Decision(True, rule, (_role_holds_text, user, role, team.id, perm), membership.id)


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


class _PartnerSide(NamedTuple):
    """What :func:`teams` already knows when it decides a client of ``partner_id``: the
    user's memberships in that partner, and the ids of the teams the user belongs to."""

    partner_id: str
    memberships: Sequence[Membership]
    member_of: set[str]


def _on_client(
    store: AccessReader, user: str, perm: Permission, team: Team, at: datetime,
    known: _PartnerSide | None = None,
) -> Decision:  # fmt: skip
    """Decide a client team: steps 0 to 3 (``blocked``: step 2's first restricted candidate).
    It runs on nearly every check: what a helper would do once per check is written out."""
    if at < team.created_at:
        return _before_creation(store, user, team)
    if perm is _REFERRAL_VIEW:  # step 1
        return _referral_on_client(store, user, team)
    client_id = team.id
    history = store.history.for_team(client_id)
    status = status_at(team, history, at) if history else team.status
    partner_id = _parent_at(team, history, at) if history else team.parent_id or ""
    members = store.memberships
    own = members.between(user, client_id) if known is None or client_id in known.member_of else ()
    membership = blocked = None
    if own:
        membership = _first_active(own, at)
        if membership is not None:
            blocked = _as_member(user, perm, team, history, status, membership, at)
            if blocked is not None and blocked.allowed:
                return blocked
    if known is not None and known.partner_id == partner_id:
        partner_memberships = known.memberships
    else:
        partner_memberships = members.between(user, partner_id)
    held = None
    for m in partner_memberships:  # _first_active(partner_memberships, at), written out
        if m.active_from <= at and (m.active_until is None or at < m.active_until):
            held = m
            break
    if held is None or held.role not in PARTNER_ROLES:
        if not own and not partner_memberships:  # a stranger to the client and its partner
            return _stranger(store, user, team, partner_id, history, at)
        return blocked or _outside(
            store, user, perm, team, partner_id, history, membership, own, partner_memberships, at
        )
    if held.role is _PARTNER_ADMIN:
        decided = _as_partner_admin(store, user, perm, team, history, status, partner_id, held, at)
        if decided is not None and decided.allowed:
            return decided
        blocked = blocked or decided
    grants = store.grants.for_client(partner_id, client_id)
    all_clients_grants = store.grants.for_all_clients(partner_id)
    if _GIVEN_BY[perm]:  # otherwise no grant gives it: the grants only explain the denial
        decided = _by_grant(store, user, perm, team, history, status, partner_id,
                            partner_memberships, held, grants, all_clients_grants, at)  # fmt: skip
        if decided is not None and decided.allowed:
            return decided
        blocked = blocked or decided
    if blocked is not None:
        return blocked
    if membership is not None and not _names(user, grants, all_clients_grants):
        return _role_denial(user, membership, perm, client_id)  # step 3, for a partner role
    return Decision(
        False, _R3, (_r3_denial_text, user, perm, held.role, partner_id, team, grants,
        all_clients_grants, history, partner_memberships, at),
    )  # fmt: skip


def _referral_on_client(store: AccessReader, user: str, team: Team) -> Decision:
    """Step 1: ``referral.view`` is denied on every client team (R7)."""
    if store.users.find(user) is None:
        raise NotFoundError("user", user)
    return Decision(False, _R7, (_referral_client_text, team.id))


# Step 2: the candidates. Each gives the allowing decision, the denial of the restriction
# that removed it (R6, R4: `_restriction`), or None when it does not apply.


def _as_member(
    user: str,
    perm: Permission,
    team: Team,
    history: Sequence[TeamChange],
    status: TeamStatus,
    membership: Membership,
    at: datetime,
) -> Decision | None:
    """R1: ``membership`` (active at ``at``) in the client gives ``perm`` (restricted by R6)."""
    held = _CLIENT_ROLE_PERMISSIONS[team.billing_model].get(membership.role, _NOTHING)
    if perm not in held:
        return None
    if status is not _ACTIVE:
        return _status_denial(team, history, status, at)
    return Decision(
        True, _R1, (_role_holds_text, user, membership.role, team.id, perm), membership.id
    )


def _as_partner_admin(
    store: AccessReader,
    user: str,
    perm: Permission,
    team: Team,
    history: Sequence[TeamChange],
    status: TeamStatus,
    partner_id: str,
    held: Membership,
    at: datetime,
) -> Decision | None:
    """R2 (a partner admin of the client's partner, restricted by R6 and R4, each keeping
    some permissions), then R3 implicit (``advisor_admin`` on a partner-operated client)."""
    client_id = team.id
    if perm in _R2_PERMISSIONS[team.billing_model]:
        # (R4 keeps CONSENT_REVOKED_KEEPS: `_restriction` has nothing to say on an active
        # client then, and is not called)
        if status is not _ACTIVE or (
            team.operated_by is _CLIENT_RUN and perm not in CONSENT_REVOKED_KEEPS
        ):
            restricted = _restriction(
                store, perm, team, history, status, at, _KEEPS, CONSENT_REVOKED_KEEPS
            )
            if restricted is not None:
                return restricted
        return Decision(True, _R2, (_r2_text, user, partner_id, client_id, perm), held.id)
    if team.operated_by is _PARTNER_OPERATED and perm in ADVISOR_ADMIN_PERMISSIONS:
        if status is not _ACTIVE:  # R6 (R4 restricts client-run teams only)
            return _status_denial(team, history, status, at)
        return Decision(True, _R3, (_operated_text, user, partner_id, client_id, perm), held.id)
    return None


def _by_grant(
    store: AccessReader,
    user: str,
    perm: Permission,
    team: Team,
    history: Sequence[TeamChange],
    status: TeamStatus,
    partner_id: str,
    partner_memberships: Sequence[Membership],
    held: Membership,
    grants: Sequence[Grant],
    all_clients_grants: Sequence[Grant],
    at: datetime,
) -> Decision | None:
    """R3: the first grant naming the user (or every advisor) on this client (or every
    client) whose role gives ``perm`` and that is active at ``at`` (restricted by R6, R4).

    Only a grant that may have ended needs :func:`_grant_end`: one that starts later, expires,
    is revoked, names a client with a history (a transfer ends it), or names an advisor whose
    stay at the partner is not one open-ended membership (``held``; leaving ends it)."""
    given_by = _GIVEN_BY[perm]
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
                continue  # not active at `at`
            if status is not _ACTIVE or team.operated_by is _CLIENT_RUN:
                restricted = _restriction(store, perm, team, history, status, at, None, _NOTHING)
                if restricted is not None:
                    return restricted
            return Decision(
                True, _R3, (_grant_text, grant, user, partner_id, team.id, perm), grant.id
            )
    return None


# The restrictions of step 2 (R6, then R4), and what each keeps for a candidate: R2 keeps
# some permissions on a suspended or archived client and while consent is revoked.
_KEEPS: dict[TeamStatus, frozenset[Permission]] = {
    TeamStatus.ACTIVE: ALL_PERMISSIONS,
    TeamStatus.SUSPENDED: SUSPENDED_KEEPS,
    TeamStatus.ARCHIVED: ARCHIVED_KEEPS,
}


def _restriction(
    store: AccessReader,
    perm: Permission,
    team: Team,
    history: Sequence[TeamChange],
    status: TeamStatus,
    at: datetime,
    status_keeps: dict[TeamStatus, frozenset[Permission]] | None = None,
    consent_keeps: frozenset[Permission] | None = None,
) -> Decision | None:
    """The denial of the first restriction that removes a candidate giving ``perm``: R6
    (the client's status at ``at``: only ``status_keeps[status]`` kept, nothing when not
    given), then R4 (consent revoked, on a client-run team, for a candidate it restricts:
    ``consent_keeps`` given); ``None`` when none does."""
    if status is not _ACTIVE and (status_keeps is None or perm not in status_keeps[status]):
        return _status_denial(team, history, status, at)
    if consent_keeps is not None and team.operated_by is _CLIENT_RUN and perm not in consent_keeps:
        changes = store.consents.for_client(team.id)
        consent = consent_at(changes, at) if changes else None
        if consent is not None:
            return Decision(False, _R4, (_consent_text, consent))
    return None


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
    team: Team,
    grants: Sequence[Grant],
    all_clients_grants: Sequence[Grant],
    history: Sequence[TeamChange],
    partner_memberships: Sequence[Membership],
    at: datetime,
) -> str:
    """Why a partner role of ``partner_id`` holds no ``perm`` on client ``team`` (R3), when no
    grant gives it: of the grants naming the user (none of them active with a role that gives
    ``perm``), the first whose role would give it, else the first; else the role."""
    client_id = team.id
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
        return _beyond_r2_text(user, partner_id, client_id, perm, team.client_billing_model)
    return _no_grant_text(user, role, partner_id, client_id)


class _GrantEnd(NamedTuple):
    """Why a grant does not apply at an instant: when, why, and the transfer that ended it."""

    at: datetime
    why: str
    transfer: Transfer | None = None


_STARTS, _EXPIRED, _REVOKED, _TRANSFERRED, _LEFT = "starts", "expired", "revoked", "moved", "left"


def _grant_end(
    grant: Grant,
    partner_id: str,
    history: Sequence[TeamChange],
    partner_memberships: Sequence[Membership],
    at: datetime,
) -> _GrantEnd | None:
    """Why ``grant`` does not apply at ``at`` (the earliest ending), ``None`` when active."""
    start = grant.granted_at
    if at < start:
        return _GrantEnd(start, _STARTS)
    end: _GrantEnd | None = None
    if grant.expires_at is not None and grant.expires_at <= at:
        end = _GrantEnd(grant.expires_at, _EXPIRED)
    revoked = grant.revoked_at
    if revoked is not None and revoked <= at and (end is None or revoked < end.at):
        end = _GrantEnd(revoked, _REVOKED)
    if grant.client_id != ALL and history:
        for change in history:
            if (
                type(change) is Transfer
                and change.from_partner == partner_id
                and start < change.at <= at
            ):
                if end is None or change.at < end.at:
                    end = _GrantEnd(change.at, _TRANSFERRED, change)
                break
    if grant.advisor_id != ALL and (
        len(partner_memberships) != 1 or partner_memberships[0].active_until is not None
    ):
        left = _left_at(partner_memberships, start, at)
        if left is not None and (end is None or left < end.at):
            end = _GrantEnd(left, _LEFT)
    return end


def _missed_text(
    grant: Grant,
    end: _GrantEnd | None,
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
    why, transfer = end.why, end.transfer
    stamp = _stamp(end.at)
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
        if any(other.role in PARTNER_ROLES and other.active_at(end) for other in memberships):
            continue  # role changed without a gap: still at the partner
        if first is None or end < first:
            first = end
    return first


# -- denials -------------------------------------------------------------------------------


def _before_creation(store: AccessReader, user: str, team: Team) -> Decision:
    """The denial of everything on ``team`` before its ``created_at`` (deny by default)."""
    if store.users.find(user) is None:
        raise NotFoundError("user", user)
    return Decision(False, _DEFAULT, (_before_creation_text, team))


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
        return Decision(
            False, _R3, (_left_partner_text, user, partner_memberships, partner_id, client_id, at)
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
        if at < membership.active_from:  # not membership.active_at(at), inlined
            continue
        until = membership.active_until
        if until is not None and until <= at:
            continue
        other = store.teams.find(membership.team_id)
        if other is None:
            continue
        if other.kind is _PARTNER:
            return Decision(
                False, _R5, (_other_partner_text, user, other, team, partner_id, history, at)
            )
        # the other client's partner (at `at`) only explains the denial: its history is
        # looked up now, the partner worked out from it when the explanation is read
        return Decision(
            False,
            _R5,
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
        return Decision(False, _DEFAULT, (_no_membership_text, team.id))
    return Decision(False, _DEFAULT, (_no_membership_or_grant_text, team.id))


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
    return Decision(False, _R1, (_role_lacks_text, user, membership.role, team_id, perm))


def _inactive_denial(
    user: str, memberships: Sequence[Membership], team_id: str, rule: Rule, at: datetime
) -> Decision:
    """None of ``memberships`` holds at ``at``: say when the nearest one ended or starts."""
    return Decision(False, rule, (_inactive_text, user, memberships, team_id, at))


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
    return Decision(False, _R6, (_status_text, team, history, status, at))


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


def _first_active(memberships: Sequence[Membership], at: datetime) -> Membership | None:
    """The first of ``memberships`` active at ``at`` (:meth:`Membership.active_at`, inlined:
    this runs on every check)."""
    for membership in memberships:
        if membership.active_from <= at:
            until = membership.active_until
            if until is None or at < until:
                return membership
    return None


def _parent_at(team: Team, history: Sequence[TeamChange], at: datetime) -> str:
    return parent_at(team, history, at) or ""
