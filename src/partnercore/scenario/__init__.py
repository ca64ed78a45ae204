"""Scenario files: a whole partner world described in TOML, loaded for exploration and tests.

``load(path)`` / ``loads(text)`` check the document against the scenario format (every
problem named with its table, entry and key) and build it through the library's own
services on the in-memory store. The :class:`Scenario` then answers access checks,
licence timelines, billing runs (one month or a range) and what-if questions.

To keep a scenario in another store: ``build_world(read(text), into=ports)`` applies it to
that store's :class:`ScenarioPorts`, and ``Scenario.over(ports, document)`` answers the same
questions from the store later, without building anything again.
"""

from partnercore.scenario._demo import demo_text, load_demo
from partnercore.scenario._document import FORMAT, TABLES, Document
from partnercore.scenario._loading import load, loads, parse, read
from partnercore.scenario._ports import ScenarioPorts
from partnercore.scenario._revenue import AMOUNT_COLUMNS, BillingRange
from partnercore.scenario._scenario import Scenario
from partnercore.scenario._world import build_world

__all__ = [
    "AMOUNT_COLUMNS",
    "FORMAT",
    "TABLES",
    "BillingRange",
    "Document",
    "Scenario",
    "ScenarioPorts",
    "build_world",
    "demo_text",
    "load",
    "load_demo",
    "loads",
    "parse",
    "read",
]
