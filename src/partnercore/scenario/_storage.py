"""Scenario files in a database store (SQLite or PostgreSQL): import one, open one again.

:func:`import_scenario` checks a scenario (TOML text) and builds it into an empty store with
:func:`~partnercore.scenario.build_world`, in one unit of work (on SQLite one ``BEGIN
IMMEDIATE`` transaction): the store holds the whole scenario or, on any error, nothing of
it. The scenario's text is kept too, for what only the document knows (its first and last
instants, its client ids for what-if questions).

:func:`import_scenario_at` does the same for a SQLite file path, creating the file when it
does not exist: a new file is written under a temporary name in the same folder and appears
under its own name only once complete, so no process ever sees (or deletes) a half-written
store.

:func:`open_scenario` gives a :class:`~partnercore.scenario.Scenario` over the store
(:meth:`Scenario.over <partnercore.scenario.Scenario.over>`): every question (access
checks, timelines, billing runs, libraries) is answered from the store.

The adapters never import this package; it imports them, and only when called (the
PostgreSQL store is an optional extra: a store of it exists only if it was imported).
"""

from __future__ import annotations

import os
import secrets
import sys
from contextlib import suppress
from typing import TYPE_CHECKING, Any, cast

from partnercore._errors import ConflictError, StoreError, ValidationError
from partnercore.scenario._building import build_world
from partnercore.scenario._document import Document
from partnercore.scenario._loading import read_document
from partnercore.scenario._scenario import Scenario

if TYPE_CHECKING:
    from partnercore.postgres import PostgresStore
    from partnercore.sqlite import SqliteStore

__all__ = ["import_scenario", "import_scenario_at", "open_scenario"]


class _Source:
    """Where a database store keeps the text of the scenario imported into it."""

    def __init__(self, store: object) -> None:
        sqlite = _sqlite_store(store)
        if sqlite is not None:
            self.db: Any = sqlite._db
            self.table, self.mark = "scenario_source", "?"
            self.where, self.name = sqlite.path, sqlite.path
            self.called = os.path.splitext(os.path.basename(sqlite.path))[0]
            return
        postgres = _postgres_store(store)
        if postgres is None:
            raise ValidationError.at(
                "store",
                f"expected a SqliteStore or a PostgresStore, got {type(store).__name__}",
            )
        self.db = postgres.database
        self.table, self.mark = "{schema}.scenario_source", "%s"
        self.where, self.name = f"{postgres.name} (schema {postgres.schema})", postgres.name
        self.called = postgres.name

    def check_empty(self) -> None:
        """ConflictError unless the store holds no scenario and no team."""
        if self.db.query_one(f"SELECT 1 FROM {self.table}") is not None:
            raise ConflictError(f"{self.where} already holds a scenario", kind="scenario")
        teams = self.table.replace("scenario_source", "teams")
        if self.db.query_one(f"SELECT 1 FROM {teams} LIMIT 1") is not None:
            raise ConflictError(
                f"{self.where} already holds teams: import a scenario into an empty store",
                kind="scenario",
            )

    def keep(self, text: str) -> None:
        sql = f"INSERT INTO {self.table} (id, text) VALUES (1, {self.mark})"
        self.db.execute(sql, (text,))

    def text(self) -> str:
        """The text kept, or ValidationError naming ``db`` when there is none."""
        row = self.db.query_one(f"SELECT text FROM {self.table} WHERE id = 1")
        if row is None:
            raise ValidationError.at(
                "db",
                f"{self.where} holds no scenario: write one with "
                f"'partnercore import FILE --db {self.name}'",
            )
        text = row[0]
        if not isinstance(text, str):
            raise self.db.damaged("the stored scenario is not text")
        return text


def _sqlite_store(store: object) -> SqliteStore | None:
    from partnercore.sqlite import SqliteStore

    return store if isinstance(store, SqliteStore) else None


def _postgres_store(store: object) -> PostgresStore | None:
    # A PostgresStore exists only once its package was imported: never import it here.
    postgres = sys.modules.get("partnercore.postgres")
    if postgres is None or not isinstance(store, postgres.PostgresStore):
        return None
    return cast("PostgresStore", store)


def import_scenario(store: SqliteStore | PostgresStore, text: str) -> None:
    """Write the scenario in ``text`` (TOML) into ``store``, which must be empty.

    Every problem in the text raises one :class:`~partnercore.ValidationError` (as
    :func:`partnercore.scenario.loads` does) and writes nothing; a store that already holds
    a scenario or any team raises :class:`~partnercore.ConflictError`.
    """
    source = _Source(store)
    _write(store, source, read_document(text), text)


def _write(
    store: SqliteStore | PostgresStore, source: _Source, document: Document, text: str
) -> None:
    with store.unit_of_work():
        source.check_empty()
        build_world(store, document)
        source.keep(text)


def import_scenario_at(
    path: str | os.PathLike[str], text: str, *, timeout: float = 30.0, synchronous: str = "full"
) -> None:
    """Write the scenario in ``text`` (TOML) into the SQLite store at ``path``, creating
    the file.

    When no file is at ``path``, the store is written to a new file in the same folder
    (``.NAME.RANDOM.partial``) and linked under ``path`` once complete, never replacing a
    file: if another process created ``path`` meanwhile, the scenario is imported into that
    file instead, as into any existing store (which raises :class:`~partnercore.ConflictError`
    when it already holds one). Whatever fails, the only file removed is the temporary one
    this call created. An existing file must be a partnercore store (or an empty file) and is
    written in one transaction: all of the scenario or nothing.

    Bad text raises :class:`~partnercore.ValidationError` before any file is touched; a file
    that cannot be written (a full disk, a read-only folder) :class:`~partnercore.StoreError`.
    """
    from partnercore.sqlite import SqliteStore

    document = read_document(text)
    target = os.fspath(path)
    if not os.path.lexists(target):
        try:
            _create(target, document, text, timeout=timeout, synchronous=synchronous)
            return
        except FileExistsError:
            pass  # another process created it first: import into its file like any other
    with SqliteStore(target, timeout=timeout, synchronous=synchronous) as store:
        _write(store, _Source(store), document, text)


def _create(
    target: str, document: Document, text: str, *, timeout: float, synchronous: str
) -> None:
    """Write a new store at ``target``; ``FileExistsError`` if a file appeared there."""
    from partnercore.sqlite import SqliteStore

    folder, name = os.path.split(os.path.abspath(target))
    while True:
        temporary = os.path.join(folder, f".{name}.{secrets.token_hex(6)}.partial")
        try:
            os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            break
        except FileExistsError:  # pragma: no cover - 48 random bits
            continue
        except OSError as error:
            raise StoreError(target, f"cannot create the file: {error.strerror}") from None
    try:
        try:
            with SqliteStore(temporary, timeout=timeout, synchronous=synchronous) as store:
                _write(store, _Source(store), document, text)
        except StoreError as error:  # name the file asked for, not the temporary one
            raise StoreError(target, error.reason) from None
        if os.path.exists(temporary + "-wal") and os.path.getsize(temporary + "-wal") > 0:
            raise StoreError(target, "cannot write: the log could not be written back")
        try:
            os.link(temporary, target)  # atomic, and never replaces a file
        except FileExistsError:
            raise
        except OSError as error:
            raise StoreError(target, f"cannot create the file: {error.strerror}") from None
        _sync_folder(folder)
    finally:
        for suffix in ("", "-wal", "-shm", "-journal"):
            with suppress(FileNotFoundError):
                os.remove(temporary + suffix)


def _sync_folder(folder: str) -> None:
    """Make the new name durable (best effort: not every system can sync a folder)."""
    with suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def open_scenario(store: SqliteStore | PostgresStore) -> Scenario:
    """The scenario imported into ``store``, answering every question from the store.

    :class:`~partnercore.ValidationError` if the store holds no scenario. The store must
    stay open while the scenario is used. ``with_billing_model`` gives a new in-memory
    scenario (what-if questions never write to the store).
    """
    source = _Source(store)
    text = source.text()
    try:
        document = read_document(text)
    except ValidationError as error:
        raise source.db.damaged(f"the stored scenario is not valid: {error.problems[0]}") from None
    return Scenario.over(store, document, name=source.called)
