"""A PostgreSQL store (``pip install partnercore[postgres]``: psycopg 3 and psycopg-pool).

``connect(url)`` opens a pool of connections to a database; ``on(connection)`` uses a host's
psycopg connection and shares its transaction, so a host's rows and partnercore's commit (or
roll back) together. Either migrates the store's schema (``"partnercore"`` unless told
otherwise) forward on opening. Every table whose records belong to one partner has a primary
key leading with ``partner_id``: the distribution key (see docs/postgres.md).

Importing :mod:`partnercore` never imports this package, nor psycopg.
"""

try:
    import psycopg as _psycopg
    import psycopg_pool as _psycopg_pool
except ImportError as _error:  # pragma: no cover - the extra is installed in the test suite
    raise ImportError(
        "partnercore.postgres needs psycopg 3 and psycopg-pool: pip install 'partnercore[postgres]'"
    ) from _error

from partnercore.postgres._database import BUSY, DEFAULT_SCHEMA, Database
from partnercore.postgres._migrations import MIGRATIONS, SCHEMA_VERSION
from partnercore.postgres._schema import Migration
from partnercore.postgres._store import PostgresStore, connect, on

del _psycopg, _psycopg_pool

__all__ = [
    "BUSY",
    "DEFAULT_SCHEMA",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "Database",
    "Migration",
    "PostgresStore",
    "connect",
    "on",
]
