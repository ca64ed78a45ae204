"""A SQLite reference store implementing every port on the standard library's ``sqlite3``.

``SqliteStore(path)`` (or ``connect(path)``) opens or creates a database file, migrates its
schema forward, and exposes each port as an attribute. WAL journal, foreign keys on, explicit
transactions; ``store.unit_of_work()`` groups several writes atomically.
"""

from partnercore.sqlite._store import SCHEMA_VERSION, SqliteStore, connect

__all__ = ["SCHEMA_VERSION", "SqliteStore", "connect"]
