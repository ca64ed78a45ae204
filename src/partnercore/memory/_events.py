"""The in-memory event log (implements ``EventLog``)."""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from partnercore._fields import check_instance
from partnercore.events import Event, check_limit, check_revision
from partnercore.memory._journal import Journal

__all__ = ["InMemoryEvents"]


class InMemoryEvents:
    """Events in a list; revision ``n`` is at index ``n - 1``.

    Events appended inside a unit of work get their revisions at once but are visible to
    ``since``, ``about`` and ``revision`` only when the unit commits.
    """

    def __init__(self, journal: Journal | None = None) -> None:
        self._journal = journal if journal is not None else Journal()
        self._events: list[Event] = []
        self._committed = 0
        self._by_team: dict[str, list[Event]] = {}

    def append(self, events: Sequence[Event]) -> list[Event]:
        stored: list[Event] = []
        for index, event in enumerate(events):
            check_instance(event, Event, f"events[{index}]")
            stored.append(attrs.evolve(event, revision=len(self._events) + len(stored) + 1))
        if not stored:
            return stored
        mark = len(self._events)
        self._events.extend(stored)
        self._journal.undo(lambda: self._truncate(mark))
        self._journal.on_commit(lambda: self._publish(stored))
        return stored

    def since(self, revision: int, limit: int | None = None) -> list[Event]:
        start = check_revision(revision)
        count = check_limit(limit)
        end = self._committed if count is None else min(self._committed, start + count)
        return self._events[start:end] if start < end else []

    def about(self, team_id: str) -> list[Event]:
        return list(self._by_team.get(team_id, ())) if isinstance(team_id, str) else []

    def revision(self) -> int:
        return self._committed

    def _truncate(self, mark: int) -> None:
        del self._events[mark:]

    def _publish(self, stored: list[Event]) -> None:
        for event in stored:
            if event.team_id is not None:
                self._by_team.setdefault(event.team_id, []).append(event)
        self._committed = stored[-1].revision

    def __len__(self) -> int:
        return self._committed
