"""The ports every store offers besides its repositories: the event log and units of work."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Protocol

from partnercore.events._event import Event

__all__ = ["EventLog", "Transactional"]


class EventLog(Protocol):
    """The store's append-only outbox of domain events.

    ``append`` is called by services inside a unit of work; the events become visible to
    other connections when (and only if) that unit commits. Revisions are store-wide,
    start at 1, strictly increase in commit order and leave no gaps among committed events.
    """

    def append(self, events: Sequence[Event]) -> list[Event]:
        """Append ``events`` in order; returns them carrying their revisions."""
        ...

    def since(self, revision: int, limit: int | None = None) -> list[Event]:
        """Committed events with a revision above ``revision``, oldest first, at most
        ``limit`` of them (all when ``None``)."""
        ...

    def about(self, team_id: str) -> list[Event]:
        """Committed events whose ``team_id`` is ``team_id``, oldest first (the audit trail
        of one team)."""
        ...

    def revision(self) -> int:
        """The revision of the newest committed event (``0`` when there is none)."""
        ...


class Transactional(Protocol):
    """Something with units of work: ``with store.unit_of_work(): ...``.

    Every write in the block commits together when the outermost block ends normally, or
    none does when an exception leaves it. A unit opened inside another is a savepoint: an
    exception leaving it undoes its own writes only (if the outer block then carries on).
    A unit that reads and then writes holds the store's write lock from its start, so a
    rule checked inside it still holds when it commits.
    """

    def unit_of_work(self) -> AbstractContextManager[None]:
        """Open a unit of work (joining, as a savepoint, one already open)."""
        ...

    @property
    def events(self) -> EventLog:
        """The store's event log."""
        ...

    def revision(self) -> int:
        """The revision of the newest committed event (``0`` when there is none)."""
        ...
