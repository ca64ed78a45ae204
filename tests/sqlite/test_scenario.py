"""Scenario files written into a SQLite store, and questions answered from it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from partnercore import ConflictError, ValidationError
from partnercore.scenario import Scenario, import_scenario, load, open_scenario
from partnercore.sqlite import SqliteStore
from partnercore.tenancy import Team

DATA = Path(__file__).resolve().parent.parent / "data"
WORLD = DATA / "world.toml"
AT = datetime(2026, 11, 20, 9, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    with SqliteStore(tmp_path / "store.db") as opened:
        yield opened


@pytest.fixture
def stored(store: SqliteStore) -> Scenario:
    import_scenario(store, WORLD.read_text(encoding="utf-8"))
    return open_scenario(store)


def test_a_stored_scenario_bills_exactly_as_the_file_does(stored: Scenario) -> None:
    loaded = load(WORLD)
    for month in ("2026-10", "2026-11", "2026-12"):
        assert loaded.bill(month).to_dict() == stored.bill(month).to_dict()


def test_a_stored_scenario_answers_access_questions_as_the_file_does(stored: Scenario) -> None:
    loaded = load(WORLD)
    for team in [t.id for t in loaded.partners()] + list(loaded.document.client_ids()):
        assert loaded.who(team=team, permission="team.view", at=AT) == stored.who(
            team=team, permission="team.view", at=AT
        )
        assert loaded.library(team=team).to_dict() == stored.library(team=team).to_dict()
    for user in [u.id for u in loaded.document.users]:
        assert loaded.teams(user=user, permission="team.edit", at=AT) == stored.teams(
            user=user, permission="team.edit", at=AT
        )


def test_a_stored_scenario_reads_its_stores_not_the_file(
    store: SqliteStore, stored: Scenario
) -> None:
    created = datetime(2026, 1, 1, tzinfo=UTC)
    store.teams.add(Team.partner("zeta", "Zeta Partners", created_at=created))
    assert "zeta" in [t.id for t in stored.partners()]


def test_a_stored_scenario_keeps_what_only_the_document_knows(stored: Scenario) -> None:
    loaded = load(WORLD)
    assert (loaded.first_instant, loaded.last_instant) == (
        stored.first_instant,
        stored.last_instant,
    )


def test_a_scenario_that_fails_part_way_writes_nothing(store: SqliteStore) -> None:
    text = (DATA / "bad" / "impossible_license_event.toml").read_text(encoding="utf-8")
    with pytest.raises(ValidationError, match="license_events"):
        import_scenario(store, text)
    assert ([], 0, 0) == (
        store.teams.partners(),
        len(store.price_books),
        store.revision(),
    )
    import_scenario(store, WORLD.read_text(encoding="utf-8"))
    assert ["acme"] == [t.id for t in store.teams.partners()][:1]


def test_a_store_takes_one_scenario(store: SqliteStore) -> None:
    text = WORLD.read_text(encoding="utf-8")
    import_scenario(store, text)
    teams = len(store.teams)
    with pytest.raises(ConflictError, match="already holds a scenario"):
        import_scenario(store, text)
    assert teams == len(store.teams)


def test_a_store_with_teams_of_its_own_takes_no_scenario(store: SqliteStore) -> None:
    created = datetime(2026, 1, 1, tzinfo=UTC)
    store.teams.add(Team.partner("zeta", "Zeta Partners", created_at=created))
    with pytest.raises(ConflictError, match="empty store"):
        import_scenario(store, WORLD.read_text(encoding="utf-8"))


def test_opening_a_store_without_a_scenario_says_how_to_write_one(store: SqliteStore) -> None:
    with pytest.raises(ValidationError, match="holds no scenario: write one with"):
        open_scenario(store)
