"""A SQLite reference store implementing the library's ``Store`` on the standard ``sqlite3``.

``SqliteStore(path)`` (or ``connect(path)``) opens or creates a database file, migrates its
schema forward, and exposes every repository as an attribute named as on the in-memory store
(``teams``, ``users``, ..., ``licenses``, ``price_books``, ..., ``items``, ..., ``events``),
with ``unit_of_work()`` and ``revision()``. WAL journal, foreign keys on, explicit
``BEGIN IMMEDIATE`` transactions. Scenario files reach a store through
``partnercore.scenario.import_scenario`` (this package never imports the scenario package).
"""

from partnercore.sqlite._billing import (
    SqliteBillingAccounts,
    SqliteInvoices,
    SqlitePriceBooks,
    SqliteUsage,
)
from partnercore.sqlite._content import (
    SqliteContentItems,
    SqliteInstalls,
    SqliteLibraries,
    SqliteOnboardings,
    SqliteTemplates,
)
from partnercore.sqlite._events import SqliteEvents
from partnercore.sqlite._licensing import SqliteLicenses
from partnercore.sqlite._store import SCHEMA_VERSION, SqliteStore, connect
from partnercore.sqlite._tenancy import (
    SqliteConsents,
    SqliteGrants,
    SqliteMemberships,
    SqliteTeamHistory,
    SqliteTeams,
    SqliteUsers,
)

__all__ = [
    "SCHEMA_VERSION",
    "SqliteBillingAccounts",
    "SqliteConsents",
    "SqliteContentItems",
    "SqliteEvents",
    "SqliteGrants",
    "SqliteInstalls",
    "SqliteInvoices",
    "SqliteLibraries",
    "SqliteLicenses",
    "SqliteMemberships",
    "SqliteOnboardings",
    "SqlitePriceBooks",
    "SqliteStore",
    "SqliteTeamHistory",
    "SqliteTeams",
    "SqliteTemplates",
    "SqliteUsage",
    "SqliteUsers",
    "connect",
]
