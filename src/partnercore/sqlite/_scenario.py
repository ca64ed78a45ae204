"""Scenario files in a SQLite store: import one, and open a store as a scenario again.

``import_scenario`` checks a scenario (TOML text) and builds it into the store's ports with
:func:`partnercore.scenario.build_world`, in one unit of work: the store holds the whole
scenario or, on any error, nothing of it. The scenario's text is kept too, for what only the
document knows (its first and last instants, its client ids for what-if questions).

``open_scenario`` gives a :class:`~partnercore.scenario.Scenario` over the store
(:meth:`Scenario.over <partnercore.scenario.Scenario.over>`): every question (access
checks, timelines, billing runs, libraries) is answered from the store.
"""

from __future__ import annotations

from partnercore._errors import ConflictError, ValidationError
from partnercore.scenario import Scenario, ScenarioPorts, build_world, read
from partnercore.sqlite._store import SqliteStore

__all__ = ["import_scenario", "open_scenario"]


def _ports(store: SqliteStore) -> ScenarioPorts:
    return ScenarioPorts(
        tenancy=store.tenancy, licenses=store.licenses, billing=store.billing, content=store.content
    )


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
        build_world(document, into=_ports(store))
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
    return Scenario.over(_ports(store), read(str(row[0])))
