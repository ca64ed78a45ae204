"""Every migration of the store's schema, in order (one per package's tables)."""

from __future__ import annotations

from partnercore.sqlite._billing import BILLING_SCHEMA
from partnercore.sqlite._content import CONTENT_SCHEMA
from partnercore.sqlite._documents import DOCUMENTS_SCHEMA
from partnercore.sqlite._events import EVENTS_SCHEMA
from partnercore.sqlite._licensing import LICENSING_SCHEMA
from partnercore.sqlite._schema import Migration
from partnercore.sqlite._tenancy import TENANCY_SCHEMA

__all__ = ["MIGRATIONS", "SCENARIO_SCHEMA"]

SCENARIO_SCHEMA = Migration(
    5,
    "scenario files: the text of the scenario imported into the store",
    (
        """CREATE TABLE scenario_source (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            text TEXT NOT NULL
        )""",
    ),
)

MIGRATIONS: tuple[Migration, ...] = (
    TENANCY_SCHEMA,
    LICENSING_SCHEMA,
    BILLING_SCHEMA,
    CONTENT_SCHEMA,
    SCENARIO_SCHEMA,
    EVENTS_SCHEMA,
    DOCUMENTS_SCHEMA,
)
