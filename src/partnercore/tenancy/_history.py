"""A team's history: transfers to another partner and status changes, with their instants.

A team record holds its current parent and status; these records let a decision at any
earlier instant see the parent and status the team had then.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import attrs

from partnercore._errors import ValidationError
from partnercore._fields import id_validator, to_enum
from partnercore.tenancy._team import Team, TeamStatus
from partnercore.time import ensure_aware

__all__ = ["StatusChange", "TeamChange", "Transfer", "client_partner_at", "parent_at", "status_at"]


def _from_status(value: object) -> TeamStatus:
    return to_enum(TeamStatus, value, "from_status")


def _to_status(value: object) -> TeamStatus:
    return to_enum(TeamStatus, value, "to_status")


@attrs.frozen(kw_only=True)
class Transfer:
    """Client ``client_id`` moved from partner ``from_partner`` to ``to_partner`` at ``at``."""

    client_id: str = attrs.field(validator=id_validator)
    from_partner: str = attrs.field(validator=id_validator)
    to_partner: str = attrs.field(validator=id_validator)
    at: datetime = attrs.field(converter=ensure_aware)
    by: str = attrs.field(validator=id_validator)

    @property
    def team_id(self) -> str:
        return self.client_id


@attrs.frozen(kw_only=True)
class StatusChange:
    """Team ``team_id`` went from ``from_status`` to ``to_status`` at ``at``."""

    team_id: str = attrs.field(validator=id_validator)
    from_status: TeamStatus = attrs.field(converter=_from_status)
    to_status: TeamStatus = attrs.field(converter=_to_status)
    at: datetime = attrs.field(converter=ensure_aware)
    by: str = attrs.field(validator=id_validator)


TeamChange = Transfer | StatusChange


def parent_at(team: Team, history: Sequence[TeamChange], at: datetime) -> str | None:
    """The partner ``team`` belonged to at ``at`` (``history``: its changes, oldest first)."""
    parent = team.parent_id
    first = True
    for change in history:
        if type(change) is Transfer:
            if first:
                parent = change.from_partner
                first = False
            if change.at <= at:
                parent = change.to_partner
            else:
                break
    return parent


def client_partner_at(client: Team, history: Sequence[TeamChange], at: datetime) -> str:
    """The partner client ``client`` belonged to at ``at``: :func:`parent_at` for code that
    holds a client (a client always has a partner). :class:`ValidationError` on a partner."""
    partner = parent_at(client, history, at)
    if partner is None:
        raise ValidationError.at("team_id", f"{client.id!r} is a partner team, not a client")
    return partner


def status_at(team: Team, history: Sequence[TeamChange], at: datetime) -> TeamStatus:
    """The status ``team`` had at ``at`` (``history``: its changes, oldest first)."""
    status = team.status
    first = True
    for change in history:
        if type(change) is StatusChange:
            if first:
                status = change.from_status
                first = False
            if change.at <= at:
                status = change.to_status
            else:
                break
    return status
