"""Users and memberships: who belongs to which team, in which role, when (§2)."""

from __future__ import annotations

from datetime import datetime

import attrs

from partnercore._errors import ConflictError, InvalidTransitionError, ValidationError
from partnercore._fields import optional_id
from partnercore.tenancy._audit import AuditAction, record
from partnercore.tenancy._people import Membership, User
from partnercore.tenancy._ports import TenancyPorts
from partnercore.tenancy._team import TeamStatus, check_created_by
from partnercore.time import ensure_aware, format_instant

__all__ = ["add_membership", "add_user", "end_membership"]


def add_user(ports: TenancyPorts, user: User) -> User:
    """Store a new user; :class:`ConflictError` if the id is taken."""
    if ports.users.find(user.id) is not None:
        raise ConflictError(f"user {user.id!r} already exists", kind="user", id=user.id)
    ports.users.add(user)
    return user


def add_membership(
    ports: TenancyPorts, membership: Membership, *, by: str | None = None
) -> Membership:
    """Store a new membership after checking it fits.

    The user and the team must exist (:class:`NotFoundError`); the role must fit the team's
    kind, the membership must not start before the team was created and the team must not
    be archived (:class:`ValidationError`); the id must be new and
    the interval must not overlap another membership of the same user in the same team
    (:class:`ConflictError`: one role per user and team at a time).
    """
    optional_id(by, "by")
    ports.users.get(membership.user_id)
    team = ports.teams.get(membership.team_id)
    if membership.role.team_kind is not team.kind:
        raise ValidationError.at(
            "role",
            f"{membership.role} fits {membership.role.team_kind} teams, "
            f"but {team.id!r} is a {team.kind} team",
        )
    check_created_by(team, membership.active_from, "active_from")
    if team.status is TeamStatus.ARCHIVED:
        raise ValidationError.at("team_id", f"team {team.id!r} is archived")
    existing = ports.memberships.between(membership.user_id, membership.team_id)
    for other in existing:
        if other.id == membership.id:
            raise ConflictError(
                f"membership {membership.id!r} already exists", kind="membership", id=membership.id
            )
        if _overlap(other, membership):
            raise ConflictError(
                f"{membership.user_id!r} already has a membership in {membership.team_id!r} "
                f"({other.id}) overlapping this one; end it first",
                kind="membership",
                id=membership.id,
            )
    ports.memberships.add(membership)
    until = (
        f" until {format_instant(membership.active_until)}"
        if membership.active_until is not None
        else ""
    )
    record(
        ports,
        membership.active_from,
        by,
        AuditAction.MEMBERSHIP_ADDED,
        membership.team_id,
        membership.id,
        f"{membership.user_id} joined {membership.team_id} as {membership.role}{until}",
    )
    return membership


def end_membership(
    ports: TenancyPorts, membership_id: str, *, at: datetime, by: str | None = None
) -> Membership:
    """End a membership at ``at`` (the user holds the role until just before ``at``).

    Ending an advisor's last membership in a partner ends the grants naming them (R3).
    """
    at = ensure_aware(at)
    optional_id(by, "by")
    membership = ports.memberships.get(membership_id)
    if membership.active_until is not None and membership.active_until <= at:
        raise InvalidTransitionError(
            "ended",
            "end",
            f"membership {membership_id!r} ended at {format_instant(membership.active_until)}",
        )
    if at <= membership.active_from:
        raise ValidationError.at(
            "at",
            f"must be after the membership starts ({format_instant(membership.active_from)}), "
            f"got {format_instant(at)}",
        )
    ended = attrs.evolve(membership, active_until=at)
    ports.memberships.save(ended)
    record(
        ports,
        at,
        by,
        AuditAction.MEMBERSHIP_ENDED,
        membership.team_id,
        membership.id,
        f"{membership.user_id} left {membership.team_id} ({membership.role})",
    )
    return ended


def _overlap(a: Membership, b: Membership) -> bool:
    a_before_b = a.active_until is not None and a.active_until <= b.active_from
    b_before_a = b.active_until is not None and b.active_until <= a.active_from
    return not (a_before_b or b_before_a)
