"""Scenario files in a PostgreSQL store: import one, and open a store as a scenario again.

As on SQLite: ``import_scenario`` checks a scenario (TOML text) and builds it into an empty
store in one unit of work (all of it or nothing), keeping its text for what only the document
knows; ``open_scenario`` gives a :class:`~partnercore.scenario.Scenario` answering every
question from the store.
"""

from __future__ import annotations

from partnercore._errors import ConflictError, ValidationError
from partnercore.postgres._store import PostgresStore
from partnercore.scenario import Scenario, build_world, read

__all__ = ["import_scenario", "open_scenario"]


def import_scenario(store: PostgresStore, text: str) -> None:
    """Write the scenario in ``text`` (TOML) into ``store``, which must be empty.

    Every problem in the text raises one :class:`~partnercore.ValidationError` and writes
    nothing; a store that already holds a scenario or any team raises
    :class:`~partnercore.ConflictError`.
    """
    document = read(text)
    db = store.database
    with store.unit_of_work():
        if db.query_one("SELECT 1 FROM {schema}.scenario_source") is not None:
            raise ConflictError(f"{_where(store)} already holds a scenario", kind="scenario")
        if db.query_one("SELECT 1 FROM {schema}.teams LIMIT 1") is not None:
            raise ConflictError(
                f"{_where(store)} already holds teams: import a scenario into an empty store",
                kind="scenario",
            )
        build_world(store, document)
        db.execute("INSERT INTO {schema}.scenario_source (id, text) VALUES (1, %s)", (text,))


def open_scenario(store: PostgresStore) -> Scenario:
    """The scenario imported into ``store``, answering every question from the store.

    :class:`~partnercore.ValidationError` if the store holds no scenario. The store must stay
    open while the scenario is used.
    """
    db = store.database
    row = db.query_one("SELECT text FROM {schema}.scenario_source WHERE id = 1")
    if row is None:
        raise ValidationError.at(
            "db",
            f"{_where(store)} holds no scenario: write one with "
            f"'partnercore import FILE --db {store.name}'",
        )
    text = row[0]
    if not isinstance(text, str):
        raise db.damaged("the stored scenario is not text")
    try:
        document = read(text)
    except ValidationError as error:
        raise db.damaged(f"the stored scenario is not valid: {error.problems[0]}") from None
    return Scenario.over(store, document)


def _where(store: PostgresStore) -> str:
    return f"{store.name} (schema {store.schema})"
