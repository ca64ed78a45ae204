"""Scenario files: a whole partner world described in TOML, loaded for exploration and tests.

``load(path)`` / ``loads(text)`` check the document against the scenario format (every
problem named with its table, entry and key) and build it through the library's own write
services into a fresh ``InMemoryStore``, in one unit of work. The :class:`Scenario` then
answers access checks, licence timelines, billing runs (one month or a range) and what-if
questions.

To keep a scenario in another store: ``build_world(store, read_document(text))`` applies it
to any :class:`~partnercore.store.Store`, and ``Scenario.over(store, document)`` answers the
same questions from the store later, without building anything again;
``import_scenario(store, text)`` and ``open_scenario(store)`` do both with a SQLite or
PostgreSQL store, keeping the text. ``apply_changes(store, read_changes(text))`` applies a
file of changes (the event tables only) to a store that already holds a world, in one unit
of work.
"""

from partnercore.scenario._building import CHANGE_TABLES, apply_changes, build_world
from partnercore.scenario._changes import read_changes
from partnercore.scenario._demo import demo_text, load_demo
from partnercore.scenario._document import FORMAT, TABLES, Document
from partnercore.scenario._loading import load, loads, read_document
from partnercore.scenario._revenue import AMOUNT_COLUMNS, BillingRange
from partnercore.scenario._scenario import Scenario
from partnercore.scenario._storage import import_scenario, import_scenario_at, open_scenario

__all__ = [
    "AMOUNT_COLUMNS",
    "CHANGE_TABLES",
    "FORMAT",
    "TABLES",
    "BillingRange",
    "Document",
    "Scenario",
    "apply_changes",
    "build_world",
    "demo_text",
    "import_scenario",
    "import_scenario_at",
    "load",
    "load_demo",
    "loads",
    "open_scenario",
    "read_changes",
    "read_document",
]
