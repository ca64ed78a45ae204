"""Scenario files in a SQLite store: import one, and open a store as a scenario again.

``import_scenario`` checks a scenario (TOML text) and applies every entry through the
library's own services to the store's ports, in one unit of work: the store holds the whole
scenario or, on any error, nothing of it. The scenario's text is kept too, for what only the
document knows (its first and last instants, its client ids for what-if questions).

``open_scenario`` gives a :class:`~partnercore.scenario.Scenario` whose every question
(access checks, timelines, billing runs, libraries) is answered from the store: the same
services over the SQLite ports instead of the in-memory ones.
"""

from __future__ import annotations

from typing import Any

from partnercore._errors import ConflictError, ValidationError
from partnercore.billing import BillingPorts, ContentChargeSource
from partnercore.content import ContentPorts, InstalledContentCharges
from partnercore.scenario import Document, Scenario, read
from partnercore.scenario._world import _Builder
from partnercore.sqlite._billing import SqliteBilling
from partnercore.sqlite._licensing import SqliteLicenses
from partnercore.sqlite._store import SqliteStore
from partnercore.sqlite._tenancy import SqliteTenancy

__all__ = ["import_scenario", "open_scenario"]


class _StoreWorld:
    """A store seen as a scenario's world: the same ports, on SQLite."""

    def __init__(self, store: SqliteStore) -> None:
        self.store = store
        self.tenancy: SqliteTenancy = store.tenancy
        self.licenses: SqliteLicenses = store.licenses
        self.billing: SqliteBilling = store.billing
        self.content: ContentPorts = store.content

    @property
    def billing_ports(self) -> BillingPorts:
        return self.store.billing_ports

    @property
    def content_charges(self) -> ContentChargeSource:
        return InstalledContentCharges(self.content)


class _StoredScenario(Scenario):
    """A scenario whose world is already in a store (nothing is built again)."""

    __slots__ = ()

    def __init__(self, document: Document, world: _StoreWorld) -> None:
        stored: Any = world
        self._world = stored
        self._document = document
        self._billing_models = {}


def import_scenario(store: SqliteStore, text: str) -> None:
    """Write the scenario in ``text`` (TOML) into ``store``, which must be empty.

    Every problem in the text raises one :class:`~partnercore.ValidationError` (as
    :func:`partnercore.scenario.loads` does) and writes nothing; a store that already holds
    a scenario or any team raises :class:`~partnercore.ConflictError`.
    """
    document = read(text)
    db = store._db
    with store.unit_of_work():
        if db.query_one("SELECT 1 FROM scenario_source") is not None:
            raise ConflictError(f"{store.path} already holds a scenario", kind="scenario")
        if db.query_one("SELECT 1 FROM teams LIMIT 1") is not None:
            raise ConflictError(
                f"{store.path} already holds teams: import a scenario into an empty store",
                kind="scenario",
            )
        world: Any = _StoreWorld(store)
        _Builder(world, document, {}).run()
        db.execute("INSERT INTO scenario_source (id, text) VALUES (1, ?)", (text,))


def open_scenario(store: SqliteStore) -> Scenario:
    """The scenario imported into ``store``, answering every question from the store.

    :class:`~partnercore.ValidationError` if the store holds no scenario. The store must
    stay open while the scenario is used. ``with_billing_model`` gives a new in-memory
    scenario (what-if questions never write to the store).
    """
    row = store._db.query_one("SELECT text FROM scenario_source WHERE id = 1")
    if row is None:
        raise ValidationError.at(
            "db",
            f"{store.path} holds no scenario: write one with "
            f"'partnercore import FILE --db {store.path}'",
        )
    return _StoredScenario(read(str(row[0])), _StoreWorld(store))
