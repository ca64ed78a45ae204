"""Building a scenario into any store, and asking questions of a store as it is."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from partnercore import ValidationError
from partnercore.billing import bill_period
from partnercore.content import InstalledContentCharges
from partnercore.events import (
    ClientCreated,
    ClientOnboarded,
    ConsentRevoked,
    Event,
    LicenseChanged,
    MembershipAdded,
)
from partnercore.memory import InMemoryStore
from partnercore.memory._tenancy import InMemoryTeams
from partnercore.scenario import Document, Scenario, build_world, loads, read_document
from partnercore.tenancy import BillingModel, Team, User

WORLD = (Path(__file__).resolve().parent.parent / "data" / "world.toml").read_text(encoding="utf-8")
MONTHS = ("2026-10", "2026-11", "2026-12")
AT = datetime(2026, 11, 20, 9, tzinfo=UTC)


class Refused(Exception):
    pass


@pytest.fixture(scope="module")
def document() -> Document:
    return read_document(WORLD)


@pytest.fixture(scope="module")
def loaded() -> Scenario:
    return loads(WORLD)


def of_kind(events: list[Event], kind: type[Event]) -> list[Any]:
    return [event for event in events if isinstance(event, kind)]


def test_building_into_a_fresh_in_memory_store_bills_as_loads_does(
    document: Document, loaded: Scenario
) -> None:
    store = build_world(InMemoryStore(), document)
    for month in MONTHS:
        run = bill_period(store, month, content=InstalledContentCharges(store))
        assert loaded.bill(month).to_dict() == run.to_dict()


def test_a_scenario_over_a_built_store_answers_as_the_loaded_one(
    document: Document, loaded: Scenario
) -> None:
    over = Scenario.over(build_world(InMemoryStore(), document), document)
    for month in MONTHS:
        assert loaded.bill(month).to_dict() == over.bill(month).to_dict()
    for team in [t.id for t in loaded.partners()] + list(document.client_ids()):
        assert loaded.who(team=team, permission="team.view", at=AT) == over.who(
            team=team, permission="team.view", at=AT
        )
        assert loaded.library(team=team).to_dict() == over.library(team=team).to_dict()
    assert loaded.timeline(team="c1") == over.timeline(team="c1")
    assert (loaded.first_instant, loaded.last_instant) == (over.first_instant, over.last_instant)


def test_build_world_fills_the_store_it_is_given_and_returns_it(document: Document) -> None:
    store = InMemoryStore()
    built = build_world(store, document)
    assert (True, ["acme", "beacon"]) == (built is store, [t.id for t in store.teams.partners()])


def test_a_loaded_scenario_exposes_its_store(loaded: Scenario) -> None:
    assert ["acme", "beacon"] == [team.id for team in loaded.store.teams.partners()]
    assert loaded.store.revision() == len(loaded.store.events.since(0)) > 0


def test_a_scenario_over_a_store_builds_nothing_and_reads_it_as_it_is(
    document: Document,
) -> None:
    store = InMemoryStore()
    over = Scenario.over(store, document)
    assert [] == over.partners()
    build_world(store, document)
    assert ["acme", "beacon"] == [t.id for t in over.partners()]
    assert store is over.store


def test_billing_models_given_to_build_world_bill_as_the_what_if_scenario(
    document: Document, loaded: Scenario
) -> None:
    store = build_world(InMemoryStore(), document, billing_models={"c1": "non_reseller"})
    expected = loaded.with_billing_model("c1", "non_reseller").bill("2026-11").to_dict()
    assert expected == Scenario.over(store, document).bill("2026-11").to_dict()
    assert BillingModel.NON_RESELLER == store.teams.get("c1").billing_model


def test_a_what_if_question_on_a_scenario_over_a_store_never_writes_to_it(
    document: Document,
) -> None:
    store = build_world(InMemoryStore(), document)
    revision = store.revision()
    what_if = Scenario.over(store, document).with_billing_model("*", "non_reseller")
    assert (BillingModel.RESELLER, BillingModel.NON_RESELLER, revision) == (
        store.teams.get("c1").billing_model,
        what_if.team("c1").billing_model,
        store.revision(),
    )


def test_a_failed_build_names_the_entry_as_loads_does(loaded: Scenario) -> None:
    broken = WORLD.replace('event = "request_upgrade"', 'event = "convert"', 1)
    with pytest.raises(ValidationError) as from_loads:
        loads(broken)
    with pytest.raises(ValidationError) as from_build:
        build_world(InMemoryStore(), read_document(broken))
    assert from_loads.value.problems == from_build.value.problems


def test_a_failed_build_leaves_the_store_as_it_was(document: Document) -> None:
    store = InMemoryStore()
    broken = read_document(WORLD.replace('event = "request_upgrade"', 'event = "convert"', 1))
    with pytest.raises(ValidationError, match="license_events"):
        build_world(store, broken)
    assert ([], 0, 0, 0) == (
        store.teams.partners(),
        len(store.users),
        store.revision(),
        len(store.events),
    )
    build_world(store, document)  # and the store takes the world afterwards
    assert ["acme", "beacon"] == [t.id for t in store.teams.partners()]


def test_a_build_inside_a_hosts_unit_of_work_commits_or_rolls_back_with_it(
    document: Document,
) -> None:
    store = InMemoryStore()

    def sign_up_then_fail() -> None:
        with store.unit_of_work():
            store.users.add(User("host-user", "host@example.com"))
            build_world(store, document)
            raise Refused

    with pytest.raises(Refused):
        sign_up_then_fail()
    assert (None, [], 0) == (
        store.users.find("host-user"),
        store.teams.partners(),
        store.revision(),
    )
    with store.unit_of_work():
        store.users.add(User("host-user", "host@example.com"))
        build_world(store, document)
    assert ("host-user", ["acme", "beacon"]) == (
        store.users.get("host-user").id,
        [t.id for t in store.teams.partners()],
    )


def test_entries_act_as_the_system_unless_they_name_by(loaded: Scenario) -> None:
    events = loaded.store.events.since(0)
    assert {"system"} == {
        event.by for event in of_kind(events, ClientCreated) if event.team_id != "c9"
    }
    assert [("c3", "tess")] == [(e.team_id, e.by) for e in of_kind(events, ConsentRevoked)]
    assert [("c9", "paula")] == [(e.team_id, e.by) for e in of_kind(events, ClientOnboarded)]
    assert {"system"} == {event.by for event in of_kind(events, MembershipAdded)}
    licences = {(event.team_id == "c9", event.by) for event in of_kind(events, LicenseChanged)}
    assert {(False, "system"), (True, "paula")} == licences  # c9 was onboarded by paula


ACTED = """
[[license_events]]
team = "c1"
event = "downgrade"
at = 2026-12-01T00:00:00Z
by = "{actor}"
"""


def test_a_licence_event_naming_a_partner_admin_is_recorded_as_theirs() -> None:
    world = loads(WORLD + ACTED.format(actor="paula"))
    (last,) = [e for e in world.store.events.about("c1") if isinstance(e, LicenseChanged)][-1:]
    assert ("downgrade", "paula") == (last.change, last.by)


@pytest.mark.parametrize(
    ("table", "actor"),
    [
        (
            '[[license_events]]\nteam = "c1"\nevent = "downgrade"\nat = 2026-12-01T00:00:00Z\n',
            "alice",
        ),
        (
            '[[memberships]]\nuser = "bob"\nteam = "c1"\nrole = "member"\n'
            "from = 2026-12-01T00:00:00Z\n",
            "dave",
        ),
        (
            '[[grants]]\nid = "g9"\npartner = "acme"\nclient = "c1"\nadvisor = "alice"\n'
            'role = "advisor_admin"\ngranted_at = 2026-12-01T00:00:00Z\n',
            "alice",
        ),
    ],
    ids=["license_events", "memberships", "grants"],
)
def test_an_entry_naming_an_actor_without_the_right_is_refused_naming_by(
    table: str, actor: str
) -> None:
    name = table.split("]]")[0].strip("[")
    with pytest.raises(ValidationError) as caught:
        loads(WORLD + table + f'by = "{actor}"\n')
    (only,) = caught.value.problems
    index = WORLD.count(f"[[{name}]]")
    assert only.path.startswith(f"{name}[{index}]")
    assert only.path.endswith(".by")
    assert only.message.startswith(f"{actor} may not ")


def test_by_must_name_a_user_of_the_scenario() -> None:
    with pytest.raises(ValidationError) as caught:
        read_document(WORLD + ACTED.format(actor="zoe"))
    assert ['license_events[7].by: unknown user "zoe"'] == [str(p) for p in caught.value.problems]


@pytest.mark.parametrize(
    ("arguments", "path"),
    [
        ({"document": "format = 1"}, "document"),
        ({"store": InMemoryTeams()}, "store"),
        ({"store": None}, "store"),
        ({"billing_models": ["c1"]}, "billing_models"),
        ({"billing_models": {1: "reseller"}}, "billing_models"),
        ({"billing_models": {"c1": "resell"}}, "billing_models.c1"),
        ({"billing_models": {"c1": ["reseller"]}}, "billing_models.c1"),
    ],
)
def test_wrong_arguments_to_build_world_are_validation_errors_naming_them(
    document: Document, arguments: dict[str, Any], path: str
) -> None:
    given: dict[str, Any] = {"store": InMemoryStore(), "document": document, **arguments}
    with pytest.raises(ValidationError) as caught:
        build_world(**given)
    assert [path] == [p.path for p in caught.value.problems]


def test_an_unknown_billing_model_is_refused_before_anything_is_built(document: Document) -> None:
    store = InMemoryStore()
    with pytest.raises(ValidationError):
        build_world(store, document, billing_models={"c1": "resell"})
    assert [] == store.teams.partners()


def test_wrong_arguments_to_over_are_validation_errors_naming_them(document: Document) -> None:
    with pytest.raises(ValidationError) as wrong_store:
        Scenario.over(InMemoryTeams(), document)  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as wrong_document:
        Scenario.over(InMemoryStore(), WORLD)  # type: ignore[arg-type]
    assert ("store", "document") == (
        wrong_store.value.problems[0].path,
        wrong_document.value.problems[0].path,
    )


def test_a_team_added_to_the_store_after_building_is_seen(document: Document) -> None:
    store = build_world(InMemoryStore(), document)
    store.teams.add(Team.partner("zeta", "Zeta", created_at=AT))
    assert "zeta" in [t.id for t in Scenario.over(store, document).partners()]
