"""The in-memory event log (implements ``EventLog``)."""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from partnercore._fields import check_instance
from partnercore._trusted import trusted
from partnercore.events import Event, check_limit, check_revision, event_types
from partnercore.memory._journal import Journal

__all__ = ["InMemoryEvents"]

#: Per event class, the names of its fields besides ``revision`` when it is one of the
#: library's own kinds (its stored copy is then built without checking again what its first
#: build checked), else ``_HOST`` (a host's own kind: copied through ``attrs.evolve``).
_FIELDS: dict[type, tuple[str, ...]] = {}
_HOST: tuple[str, ...] = ("a host's own kind",)


def _fields_of(kind: type) -> tuple[str, ...]:
    names = _HOST
    if event_types().get(getattr(kind, "kind", None)) is kind:  # type: ignore[arg-type]
        names = tuple(field.name for field in attrs.fields(kind) if field.name != "revision")
    _FIELDS[kind] = names
    return names


def _stamped(event: Event, revision: int) -> Event:
    """The copy of ``event`` that carries ``revision`` (an int >= 1).

    A library kind's ``event`` was built by its checking constructor, so its fields are
    what that constructor gives (its one converter, ``ensure_aware``, returns a UTC instant
    as it is); with a valid revision, the copy is what ``attrs.evolve`` would give, built
    directly.
    """
    kind = event.__class__
    names = _FIELDS.get(kind) or _fields_of(kind)
    if names is _HOST:
        return attrs.evolve(event, revision=revision)
    fields = {name: getattr(event, name) for name in names}
    fields["revision"] = revision
    return trusted(kind, **fields)


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
        self._journal.on_every_commit(self._publish)
        self._truncation = self._journal.register(self._truncate)

    def append(self, events: Sequence[Event]) -> list[Event]:
        log = self._events
        first = len(log) + 1
        stored: list[Event] = []
        for index, event in enumerate(events):
            if not isinstance(event, Event):  # the path is written only when it is needed
                check_instance(event, Event, f"events[{index}]")
            stored.append(_stamped(event, first + index))
        if not stored:
            return stored
        journal = self._journal
        journal.undo_with(self._truncation, first - 1)
        log.extend(stored)
        if not journal.open:
            self._publish()
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

    def _truncate(self, length: int) -> None:
        del self._events[length:]

    def _publish(self) -> None:
        """Make every event appended since the last commit visible (a commit happened)."""
        events, by_team = self._events, self._by_team
        for index in range(self._committed, len(events)):
            event = events[index]
            team_id = event.team_id
            if team_id is not None:
                about = by_team.get(team_id)
                if about is None:
                    by_team[team_id] = [event]
                else:
                    about.append(event)
        self._committed = len(events)

    def __len__(self) -> int:
        return self._committed
