"""Units of work for the in-memory store: an undo journal, not snapshots.

Every write of an in-memory repository records how to undo itself while a unit of work is
open; an exception leaving a unit replays its undo records backwards. A unit costs nothing
in proportion to what the store holds. Units of one store are serialised by a re-entrant
lock, so threads sharing the store see one unit at a time.

An undo record is one plain tuple, ``(function, *arguments)``, replayed by calling
``function(*arguments)``: a write remembers itself with a single allocation (no closure, no
cells). A repository that writes often registers its undo function once
(:meth:`Journal.register`) and remembers a write by the function's number and plain values
(ids, instants, counts), laid flat in the journal's list: no object at all is kept per
write, so a large import (one unit holding every write until it commits) neither grows
the heap the garbage collector walks nor makes it collect more often.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, MutableMapping, MutableSet
from types import TracebackType
from typing import Any

__all__ = ["Journal"]

#: The undo list holds, from oldest to newest, records ``(function, *arguments)`` and, for
#: a registered function, its values laid flat: ``*values, len(values), number``.
_Entry = Any


def _call(action: Callable[[], object]) -> None:
    action()


def _put(mapping: MutableMapping[Any, Any], key: Hashable, old: object) -> None:
    mapping[key] = old


def _pop(mapping: MutableMapping[Any, Any], key: Hashable) -> None:
    mapping.pop(key, None)


def _add(members: MutableSet[Any], member: Hashable) -> None:
    members.add(member)


def _discard(members: MutableSet[Any], member: Hashable) -> None:
    members.discard(member)


def _truncate_entry(mapping: MutableMapping[Any, Any], key: Hashable, length: int) -> None:
    del mapping[key][length:]


class Journal:
    """The undo records and commit hooks of the units of work open on one store."""

    __slots__ = ("_commit", "_depth", "_functions", "_listeners", "_lock", "_undo")

    def __init__(self) -> None:
        self._undo: list[_Entry] = []
        self._commit: list[Callable[[], None]] = []
        self._listeners: list[Callable[[], None]] = []
        self._functions: list[Callable[..., object]] = []
        self._depth = 0
        self._lock = threading.RLock()

    @property
    def open(self) -> bool:
        """Whether a unit of work is open."""
        return self._depth > 0

    def undo(self, action: Callable[[], None]) -> None:
        """Remember how to undo a write just made (nothing to remember outside a unit)."""
        if self._depth:
            self._undo.append((_call, action))

    def register(self, function: Callable[..., object]) -> int:
        """Number ``function`` (an undo function of a repository, living as long as the
        journal) for :meth:`undo_with`."""
        self._functions.append(function)
        return len(self._functions) - 1

    def undo_with(self, number: int, *values: object) -> None:
        """Remember to undo a write just made by calling the function registered as
        ``number`` with ``values`` (plain values: ids, instants, counts)."""
        if self._depth:
            undo = self._undo
            undo.extend(values)
            undo.append(len(values))
            undo.append(number)

    def keep(self, mapping: MutableMapping[Any, Any], key: Hashable) -> None:
        """Call before changing ``mapping[key]``: undoing puts the entry back as it is now.

        Lists, sets and dicts held as values are copied (one key's worth); records and
        tuples are immutable and kept as they are. A list only appended to is better kept
        with :meth:`keep_length`.
        """
        if not self._depth:
            return
        if key in mapping:
            old = mapping[key]
            if isinstance(old, list | set | dict):
                old = old.copy()
            self._undo.append((_put, mapping, key, old))
        else:
            self._undo.append((_pop, mapping, key))

    def keep_length(self, mapping: MutableMapping[Any, list[Any]], key: Hashable) -> None:
        """Call before appending to the list ``mapping[key]`` (and nothing else): undoing
        cuts the list back to its length now, or removes the entry if there is none yet.

        Unlike :meth:`keep`, nothing is copied: appending many times to one key's list
        costs the journal one small record per append, whatever the list's length.
        """
        if not self._depth:
            return
        values = mapping.get(key)
        if values is None:
            self._undo.append((_pop, mapping, key))
        else:
            self._undo.append((_truncate_entry, mapping, key, len(values)))

    def keep_member(self, members: MutableSet[Any], member: Hashable) -> None:
        """Call before adding ``member`` to or removing it from ``members``."""
        if not self._depth:
            return
        if member in members:
            self._undo.append((_add, members, member))
        else:
            self._undo.append((_discard, members, member))

    def on_commit(self, action: Callable[[], None]) -> None:
        """Run ``action`` when the outermost unit commits (at once outside a unit)."""
        if self._depth:
            self._commit.append(action)
        else:
            action()

    def on_every_commit(self, listener: Callable[[], None]) -> None:
        """Run ``listener`` each time an outermost unit commits, after that unit's
        :meth:`on_commit` actions, for as long as the journal lives.

        A writer outside a unit commits at once and calls what it must itself.
        """
        self._listeners.append(listener)

    def unit(self) -> _Unit:
        """A unit of work (``with journal.unit(): ...``); nested units are savepoints."""
        return _Unit(self)

    def _rollback(self, undo_mark: int, commit_mark: int) -> None:
        undo, functions = self._undo, self._functions
        while len(undo) > undo_mark:
            record = undo.pop()
            if record.__class__ is int:  # a registered function, after its values
                count = undo.pop()
                values = undo[len(undo) - count :]
                del undo[len(undo) - count :]
                functions[record](*values)
            else:
                function, *arguments = record
                function(*arguments)
        del self._commit[commit_mark:]

    def _committed(self) -> None:
        hooks, self._commit, self._undo = self._commit, [], []
        for hook in hooks:
            hook()
        for listener in self._listeners:
            listener()


class _Unit:
    """One unit of work of a journal: a savepoint when another is open."""

    __slots__ = ("_commit_mark", "_journal", "_undo_mark")

    def __init__(self, journal: Journal) -> None:
        self._journal = journal
        self._undo_mark = self._commit_mark = 0

    def __enter__(self) -> None:
        journal = self._journal
        journal._lock.acquire()
        self._undo_mark, self._commit_mark = len(journal._undo), len(journal._commit)
        journal._depth += 1

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        journal = self._journal
        try:
            if kind is not None:
                try:
                    journal._rollback(self._undo_mark, self._commit_mark)
                finally:
                    journal._depth -= 1
                return
            journal._depth -= 1
            if not journal._depth:
                journal._committed()
        finally:
            journal._lock.release()
