"""A SQLite reference store implementing the library's ``Store`` on the standard ``sqlite3``.

``SqliteStore(path)`` (or ``connect(path)``) opens or creates a database file, migrates its
schema forward, and exposes every repository as an attribute named as on the in-memory store
(``teams``, ``users``, ..., ``licenses``, ``price_books``, ..., ``items``, ..., ``events``),
with ``unit_of_work()`` and ``revision()``. WAL journal, foreign keys on, explicit
``BEGIN IMMEDIATE`` transactions. Scenario files reach a store through
``partnercore.scenario.import_scenario`` (this package never imports the scenario package).
"""

from partnercore.sqlite._store import SCHEMA_VERSION, SqliteStore, connect

__all__ = [
    "SCHEMA_VERSION",
    "SqliteStore",
    "connect",
]
