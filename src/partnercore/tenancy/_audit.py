"""The audit trail of a team: the events about it, in the order they were committed.

There is one history, not two: every tenancy write appends its domain events to the store's
event log in the unit of work that makes the change, and a team's audit trail reads them
back. Each event says what happened (``kind`` and its facts, ``describe()`` as a sentence),
when (``at``), who did it (``by``: a user id or ``"system"``) and at which store revision.
"""

from __future__ import annotations

from partnercore.events import Event, Transactional

__all__ = ["audit_trail"]


def audit_trail(store: Transactional, team_id: str) -> list[Event]:
    """Every committed event about ``team_id``, oldest first (``store.events.about``).

    A team's own events (created, status changes, transfers, memberships, consent, licence,
    ...) and the grants naming it; an all-clients grant is about its partner. A team nobody
    wrote about (or an unknown id) has an empty trail.
    """
    return store.events.about(team_id)
