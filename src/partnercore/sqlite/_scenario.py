"""Scenario files in a SQLite store: import one, and open a store as a scenario again.

``import_scenario`` checks a scenario (TOML text) and builds it into the store with
:func:`partnercore.scenario.build_world`, in one unit of work (one ``BEGIN IMMEDIATE``
transaction): the store holds the whole scenario or, on any error, nothing of it. The
scenario's text is kept too, for what only the document knows (its first and last instants,
its client ids for what-if questions).

``import_scenario_at`` does the same for a file path, creating the file when it does not
exist: a new file is written under a temporary name in the same folder and appears under its
own name only once complete, so no process ever sees (or deletes) a half-written store.

``open_scenario`` gives a :class:`~partnercore.scenario.Scenario` over the store
(:meth:`Scenario.over <partnercore.scenario.Scenario.over>`): every question (access
checks, timelines, billing runs, libraries) is answered from the store.
"""

from __future__ import annotations

import os
import secrets
from contextlib import suppress

from partnercore._errors import ConflictError, StoreError, ValidationError
from partnercore.scenario import Document, Scenario, build_world, read
from partnercore.sqlite._store import SqliteStore

__all__ = ["import_scenario", "import_scenario_at", "open_scenario"]


def import_scenario(store: SqliteStore, text: str) -> None:
    """Write the scenario in ``text`` (TOML) into ``store``, which must be empty.

    Every problem in the text raises one :class:`~partnercore.ValidationError` (as
    :func:`partnercore.scenario.loads` does) and writes nothing; a store that already holds
    a scenario or any team raises :class:`~partnercore.ConflictError`.
    """
    _write(store, read(text), text)


def _write(store: SqliteStore, document: Document, text: str) -> None:
    db = store._db
    with store.unit_of_work():
        if db.query_one("SELECT 1 FROM scenario_source") is not None:
            raise ConflictError(f"{store.path} already holds a scenario", kind="scenario")
        if db.query_one("SELECT 1 FROM teams LIMIT 1") is not None:
            raise ConflictError(
                f"{store.path} already holds teams: import a scenario into an empty store",
                kind="scenario",
            )
        build_world(store, document)
        db.execute("INSERT INTO scenario_source (id, text) VALUES (1, ?)", (text,))


def import_scenario_at(
    path: str | os.PathLike[str], text: str, *, timeout: float = 30.0, synchronous: str = "full"
) -> None:
    """Write the scenario in ``text`` (TOML) into the store at ``path``, creating the file.

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
    document = read(text)
    target = os.fspath(path)
    if not os.path.lexists(target):
        try:
            _create(target, document, text, timeout=timeout, synchronous=synchronous)
            return
        except FileExistsError:
            pass  # another process created it first: import into its file like any other
    with SqliteStore(target, timeout=timeout, synchronous=synchronous) as store:
        _write(store, document, text)


def _create(
    target: str, document: Document, text: str, *, timeout: float, synchronous: str
) -> None:
    """Write a new store at ``target``; ``FileExistsError`` if a file appeared there."""
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
                _write(store, document, text)
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


def open_scenario(store: SqliteStore) -> Scenario:
    """The scenario imported into ``store``, answering every question from the store.

    :class:`~partnercore.ValidationError` if the store holds no scenario. The store must
    stay open while the scenario is used. ``with_billing_model`` gives a new in-memory
    scenario (what-if questions never write to the store).
    """
    db = store._db
    row = db.query_one("SELECT text FROM scenario_source WHERE id = 1")
    if row is None:
        raise ValidationError.at(
            "db",
            f"{store.path} holds no scenario: write one with "
            f"'partnercore import FILE --db {store.path}'",
        )
    text = row[0]
    if not isinstance(text, str):
        raise db.damaged("the stored scenario is not text")
    try:
        document = read(text)
    except ValidationError as error:
        raise db.damaged(f"the stored scenario is not valid: {error.problems[0]}") from None
    return Scenario.over(store, document)
