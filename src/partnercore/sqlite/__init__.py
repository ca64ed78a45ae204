"""A SQLite reference store implementing every port on the standard library's ``sqlite3``.

``SqliteStore(path)`` (or ``connect(path)``) opens or creates a database file, migrates its
schema forward, and exposes each port as an attribute shaped like the in-memory adapters:
``tenancy``, ``licenses``, ``billing`` (with ``billing_ports``) and ``content``. WAL journal,
foreign keys on, explicit transactions; ``store.unit_of_work()`` groups several writes
atomically. ``import_scenario`` writes a scenario file into a store (``import_scenario_at``
into a file path, creating the file whole or not at all) and ``open_scenario``
answers a scenario's questions from it.
"""

from partnercore.sqlite._billing import (
    SqliteBilling,
    SqliteBillingAccounts,
    SqliteInvoices,
    SqlitePriceBooks,
    SqliteUsage,
)
from partnercore.sqlite._content import (
    SqliteContent,
    SqliteContentItems,
    SqliteInstalls,
    SqliteLibraries,
    SqliteOnboardings,
    SqliteTemplates,
)
from partnercore.sqlite._licensing import SqliteLicenses
from partnercore.sqlite._scenario import import_scenario, import_scenario_at, open_scenario
from partnercore.sqlite._store import SCHEMA_VERSION, SqliteStore, connect
from partnercore.sqlite._tenancy import (
    SqliteAuditTrail,
    SqliteConsents,
    SqliteGrants,
    SqliteMemberships,
    SqliteTeamHistory,
    SqliteTeams,
    SqliteTenancy,
    SqliteUsers,
)

__all__ = [
    "SCHEMA_VERSION",
    "SqliteAuditTrail",
    "SqliteBilling",
    "SqliteBillingAccounts",
    "SqliteConsents",
    "SqliteContent",
    "SqliteContentItems",
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
    "SqliteTenancy",
    "SqliteUsage",
    "SqliteUsers",
    "connect",
    "import_scenario",
    "import_scenario_at",
    "open_scenario",
]
