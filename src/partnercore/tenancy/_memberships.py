"""Users and memberships: who belongs to which team, in which role, when (§2).

Adding a user is a platform operation (:data:`~partnercore.events.SYSTEM` only). Adding or
ending a membership needs ``team.admin`` on the team at ``at``: on a partner team its
partner admins, on a client team its client admins and its partner's admins (R2).
"""

from __future__ import annotations

from datetime import datetime

import attrs

from partnercore._errors import ConflictError, InvalidTransitionError, ValidationError
from partnercore._fields import check_instance
from partnercore.events import (
    Actor,
    MembershipAdded,
    MembershipEnded,
    UserAdded,
    actor_id,
    check_actor,
)
from partnercore.tenancy._actors import authorise, system_only
from partnercore.tenancy._people import Membership, User
from partnercore.tenancy._permissions import Permission
from partnercore.tenancy._ports import TenancyStore
from partnercore.tenancy._team import Team, TeamStatus, check_created_by
from partnercore.time import ensure_aware, format_instant

__all__ = ["add_membership", "add_user", "end_membership"]


def add_user(store: TenancyStore, user: User, *, at: datetime, by: Actor) -> User:
    """Store a new user at ``at``; :class:`ConflictError` if the id is taken.

    A platform operation: only :data:`~partnercore.events.SYSTEM` may (a host adds the
    people who sign up). Appends :class:`~partnercore.events.UserAdded`.
    """
    at = ensure_aware(at)
    actor = check_actor(by)
    check_instance(user, User, "user")
    with store.unit_of_work():
        system_only(actor, f"add user {user.id}")
        if store.users.find(user.id) is not None:
            raise ConflictError(f"user {user.id!r} already exists", kind="user", id=user.id)
        store.users.add(user)
        store.events.append(
            [UserAdded(at=at, by=actor_id(actor), team_id=None, user_id=user.id, email=user.email)]
        )
        return user


def add_membership(
    store: TenancyStore, membership: Membership, *, at: datetime, by: Actor
) -> Membership:
    """Store a new membership after authorising ``by`` and checking it fits.

    ``by`` holds ``team.admin`` on the membership's team at ``at`` (the membership itself
    may start at another instant, ``active_from``), or is
    :data:`~partnercore.events.SYSTEM`. The user and the team must exist
    (:class:`NotFoundError`); the role must fit the team's kind, the membership must not
    start before the team was created and the team must not be archived
    (:class:`ValidationError`); the id must be new and the interval must not overlap another
    membership of the same user in the same team (:class:`ConflictError`: one role per user
    and team at a time). Appends :class:`~partnercore.events.MembershipAdded`.
    """
    at = ensure_aware(at)
    actor = check_actor(by)
    check_instance(membership, Membership, "membership")
    with store.unit_of_work():
        store.users.get(membership.user_id)
        team = store.teams.get(membership.team_id)
        authorise(
            store,
            actor,
            Permission.TEAM_ADMIN,
            team.id,
            at,
            f"add {membership.user_id} to {team.id} as {membership.role}",
        )
        _check_fits_team(membership, team)
        _check_one_role_at_a_time(store, membership)
        store.memberships.add(membership)
        store.events.append(
            [
                MembershipAdded(
                    at=at,
                    by=actor_id(actor),
                    team_id=membership.team_id,
                    membership_id=membership.id,
                    user_id=membership.user_id,
                    role=membership.role.value,
                    active_from=membership.active_from,
                    active_until=membership.active_until,
                )
            ]
        )
        return membership


def _check_fits_team(membership: Membership, team: Team) -> None:
    """The role is one of the team's kind, and the team exists and is not archived then."""
    if membership.role.team_kind is not team.kind:
        raise ValidationError.at(
            "role",
            f"{membership.role} fits {membership.role.team_kind} teams, "
            f"but {team.id!r} is a {team.kind} team",
        )
    check_created_by(team, membership.active_from, "active_from")
    if team.status is TeamStatus.ARCHIVED:
        raise ValidationError.at("team_id", f"team {team.id!r} is archived")


def _check_one_role_at_a_time(store: TenancyStore, membership: Membership) -> None:
    """The id is new and no other membership of the user in the team overlaps this one."""
    for other in store.memberships.between(membership.user_id, membership.team_id):
        if other.id == membership.id:
            raise ConflictError(
                f"membership {membership.id!r} already exists",
                kind="membership",
                id=membership.id,
            )
        if _overlap(other, membership):
            raise ConflictError(
                f"{membership.user_id!r} already has a membership in "
                f"{membership.team_id!r} ({other.id}) overlapping this one; end it first",
                kind="membership",
                id=membership.id,
            )


def end_membership(
    store: TenancyStore, membership_id: str, *, at: datetime, by: Actor
) -> Membership:
    """End a membership at ``at`` (the user holds the role until just before ``at``).

    ``by`` holds ``team.admin`` on the membership's team at ``at``, or is
    :data:`~partnercore.events.SYSTEM`. Ending an advisor's last membership in a partner
    ends the grants naming them (R3). Appends :class:`~partnercore.events.MembershipEnded`.
    """
    at = ensure_aware(at)
    actor = check_actor(by)
    with store.unit_of_work():
        membership = store.memberships.get(membership_id)
        authorise(
            store,
            actor,
            Permission.TEAM_ADMIN,
            membership.team_id,
            at,
            f"end {membership.user_id}'s membership of {membership.team_id}",
        )
        if membership.active_until is not None and membership.active_until <= at:
            raise InvalidTransitionError(
                "ended",
                "end",
                f"membership {membership_id!r} ended at {format_instant(membership.active_until)}",
            )
        if at <= membership.active_from:
            raise ValidationError.at(
                "at",
                "must be after the membership starts "
                f"({format_instant(membership.active_from)}), got {format_instant(at)}",
            )
        ended = attrs.evolve(membership, active_until=at)
        store.memberships.save(ended)
        store.events.append(
            [
                MembershipEnded(
                    at=at,
                    by=actor_id(actor),
                    team_id=membership.team_id,
                    membership_id=membership.id,
                    user_id=membership.user_id,
                    role=membership.role.value,
                    active_until=at,
                )
            ]
        )
        return ended


def _overlap(a: Membership, b: Membership) -> bool:
    a_before_b = a.active_until is not None and a.active_until <= b.active_from
    b_before_a = b.active_until is not None and b.active_until <= a.active_from
    return not (a_before_b or b_before_a)
