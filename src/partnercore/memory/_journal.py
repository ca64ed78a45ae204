"""Units of work for the in-memory store: an undo journal, not snapshots.

Every write of an in-memory repository records how to undo itself while a unit of work is
open; an exception leaving a unit replays its undo records backwards. A unit costs nothing
in proportion to what the store holds. Units of one store are serialised by a re-entrant
lock, so threads sharing the store see one unit at a time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterator, MutableMapping, MutableSet
from contextlib import contextmanager
from typing import Any

__all__ = ["Journal"]


class Journal:
    """The undo records and commit hooks of the units of work open on one store."""

    __slots__ = ("_commit", "_depth", "_lock", "_undo")

    def __init__(self) -> None:
        self._undo: list[Callable[[], None]] = []
        self._commit: list[Callable[[], None]] = []
        self._depth = 0
        self._lock = threading.RLock()

    @property
    def open(self) -> bool:
        """Whether a unit of work is open."""
        return self._depth > 0

    def undo(self, action: Callable[[], None]) -> None:
        """Remember how to undo a write just made (nothing to remember outside a unit)."""
        if self._depth:
            self._undo.append(action)

    def keep(self, mapping: MutableMapping[Any, Any], key: Hashable) -> None:
        """Call before changing ``mapping[key]``: undoing puts the entry back as it is now.

        Lists, sets and dicts held as values are copied (one key's worth); records and
        tuples are immutable and kept as they are.
        """
        if not self._depth:
            return
        if key in mapping:
            old = mapping[key]
            if isinstance(old, list | set | dict):
                old = old.copy()
            self._undo.append(lambda: mapping.__setitem__(key, old))
        else:
            self._undo.append(lambda: mapping.pop(key, None))

    def keep_member(self, members: MutableSet[Any], member: Hashable) -> None:
        """Call before adding ``member`` to or removing it from ``members``."""
        if not self._depth:
            return
        if member in members:
            self._undo.append(lambda: members.add(member))
        else:
            self._undo.append(lambda: members.discard(member))

    def on_commit(self, action: Callable[[], None]) -> None:
        """Run ``action`` when the outermost unit commits (at once outside a unit)."""
        if self._depth:
            self._commit.append(action)
        else:
            action()

    @contextmanager
    def unit(self) -> Iterator[None]:
        """A unit of work; nested units are savepoints."""
        with self._lock:
            undo_mark, commit_mark = len(self._undo), len(self._commit)
            self._depth += 1
            try:
                yield
            except BaseException:
                self._rollback(undo_mark, commit_mark)
                raise
            finally:
                self._depth -= 1
            if self._depth == 0:
                hooks, self._commit, self._undo = self._commit, [], []
                for hook in hooks:
                    hook()

    def _rollback(self, undo_mark: int, commit_mark: int) -> None:
        while len(self._undo) > undo_mark:
            self._undo.pop()()
        del self._commit[commit_mark:]
