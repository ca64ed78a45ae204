"""Files of changes: the event tables of a scenario, applied to a store holding a world."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from partnercore import ConflictError, StaleWriteError, StoreError, ValidationError
from partnercore.events import LicenseChanged, MembershipAdded, UsageRecorded
from partnercore.licensing import LicenseState
from partnercore.memory import InMemoryStore
from partnercore.scenario import (
    CHANGE_TABLES,
    apply_changes,
    build_world,
    read_changes,
    read_document,
)
from partnercore.time import BillingPeriod

WORLD = (Path(__file__).resolve().parent.parent / "data" / "world.toml").read_text(encoding="utf-8")
DECEMBER = BillingPeriod.parse("2026-12")

CHANGES = """
format = 1

[[memberships]]
user = "bob"
team = "c1"
role = "member"
from = 2026-12-01T00:00:00Z
by = "paula"

[[license_events]]
team = "c3"
event = "upgrade"
at = 2026-12-02T00:00:00Z
by = "paula"

[[usage]]
team = "c1"
metric = "assessments"
quantity = "2.5"
at = 2026-12-03T00:00:00Z
"""


@pytest.fixture
def store() -> InMemoryStore:
    return build_world(InMemoryStore(), read_document(WORLD))


def problems(text: str) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        read_changes(text)
    return [str(problem) for problem in caught.value.problems]


def test_a_file_of_changes_names_ids_the_store_holds_not_the_file() -> None:
    document = read_changes(CHANGES)
    assert (1, 1, 1, ()) == (
        len(document.memberships),
        len(document.license_events),
        len(document.usage),
        document.partners,
    )


def test_changes_are_applied_through_the_services_with_their_actors(store: InMemoryStore) -> None:
    before = store.revision()
    apply_changes(store, read_changes(CHANGES))
    events = store.events.since(before)
    assert [
        (MembershipAdded, "paula", "c1"),
        (LicenseChanged, "paula", "c3"),
        (UsageRecorded, "system", "c1"),
    ] == [(type(e), e.by, e.team_id) for e in events]
    assert LicenseState.FULL == store.licenses.get("c3").state_at(datetime(2026, 12, 5, tzinfo=UTC))
    assert [Decimal("2.5")] == [t.quantity for t in store.usage.totals(DECEMBER, ["c1"])]


def test_a_refused_change_writes_nothing_of_the_file(store: InMemoryStore) -> None:
    before = store.revision()
    refused = CHANGES.replace(
        'team = "c3"\nevent = "upgrade"', 'team = "c2"\nevent = "cancel_trial"'
    )
    with pytest.raises(ValidationError) as caught:
        apply_changes(store, read_changes(refused))
    assert ["license_events[0].event"] == [p.path for p in caught.value.problems]
    assert (before, [], []) == (
        store.revision(),
        [m for m in store.memberships.for_team("c1") if m.user_id == "bob"],
        store.usage.totals(DECEMBER, ["c1"]),
    )


def test_a_change_naming_an_actor_without_the_right_is_refused_naming_by(
    store: InMemoryStore,
) -> None:
    with pytest.raises(ValidationError) as caught:
        apply_changes(store, read_changes(CHANGES.replace('by = "paula"', 'by = "alice"', 1)))
    (only,) = caught.value.problems
    assert ("memberships[0].by", True) == (only.path, only.message.startswith("alice may not "))


def test_a_change_naming_an_unknown_id_is_refused_naming_the_entry(store: InMemoryStore) -> None:
    with pytest.raises(ValidationError) as caught:
        apply_changes(store, read_changes(CHANGES.replace('team = "c1"', 'team = "c7"', 1)))
    assert ["memberships[0]"] == [p.path.split(".")[0] for p in caught.value.problems]
    assert "c7" in caught.value.problems[0].message


def test_an_onboarding_and_the_memberships_of_its_client_apply_in_order(
    store: InMemoryStore,
) -> None:
    changes = """
[[memberships]]
user = "carol"
team = "c10"
role = "viewer"
from = 2026-12-10T00:00:00Z

[[onboard]]
request_id = "req-10"
template = "iso-readiness"
client = "c10"
name = "Client Ten"
at = 2026-12-09T00:00:00Z
by = "paula"
"""
    apply_changes(store, read_changes(changes))
    assert ("acme", ["carol"]) == (
        store.teams.get("c10").parent_id,
        [m.user_id for m in store.memberships.for_team("c10")],
    )


def test_a_file_of_changes_holds_only_the_event_tables() -> None:
    text = '[[partners]]\nid = "zeta"\nname = "Zeta"\npricebook = "standard"\n' + CHANGES
    assert [
        "partners: not allowed in a file of changes, which holds only "
        + ", ".join(CHANGE_TABLES)
        + " (declare it in the scenario imported first)"
    ] == problems(text)


def test_every_problem_of_a_file_of_changes_is_reported() -> None:
    text = (
        "format = 2\nplanets = 1\n"
        '[[usage]]\nteam = "c1"\nmetric = "assessments"\nquantity = 1.5\n'
        "at = 2026-12-03T00:00:00Z\n"
        '[[license_events]]\nteam = "c1"\nevent = "convert"\nskip_trial = true\n'
        "at = 2026-12-03T00:00:00Z\n"
        '[[grants]]\nid = "g1"\npartner = "acme"\nclient = "c1"\nadvisor = "alice"\n'
        'role = "advisor"\ngranted_at = 2026-12-01T00:00:00Z\n'
        '[[grants]]\nid = "g1"\npartner = "acme"\nclient = "c1"\nadvisor = "alice"\n'
        'role = "advisor"\ngranted_at = 2026-12-01T00:00:00Z\n'
    )
    found = problems(text)
    assert [
        "planets",
        "format",
        "usage[0].quantity",
        'grants[1] (id "g1").id',
        "license_events[0].skip_trial",
    ] == [p.split(": ")[0] for p in found]


def test_a_whole_scenario_is_not_a_file_of_changes(store: InMemoryStore) -> None:
    with pytest.raises(ValidationError) as caught:
        apply_changes(store, read_document(WORLD))
    assert ["pricebooks"] == [p.path for p in caught.value.problems]


class FailingUsage:
    """Usage records that cannot be written: another writer got there first."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def add(self, record: object) -> None:
        raise self.error


@pytest.mark.parametrize(
    "error",
    [
        ConflictError("the database is busy", kind="database", id="world.db"),
        StaleWriteError("license", "c1", expected=1, actual=2),
        StoreError("world.db", "cannot write: the disk is full"),
    ],
    ids=["busy", "stale", "full disk"],
)
def test_a_conflict_with_another_writer_is_raised_as_it_is_and_writes_nothing(
    store: InMemoryStore, error: Exception
) -> None:
    before = store.revision()
    store.usage = FailingUsage(error)  # type: ignore[assignment]
    with pytest.raises(type(error)) as caught:
        apply_changes(store, read_changes(CHANGES))
    assert (error, before) == (caught.value, store.revision())
    assert [] == [m for m in store.memberships.for_team("c1") if m.user_id == "bob"]


def test_a_duplicate_is_a_refusal_naming_the_entry(store: InMemoryStore) -> None:
    grant = (
        '[[grants]]\nid = "g1"\npartner = "acme"\nclient = "c1"\nadvisor = "alice"\n'
        'role = "advisor"\ngranted_at = 2026-12-01T00:00:00Z\n'
    )
    with pytest.raises(ValidationError) as caught:
        apply_changes(store, read_changes(grant))
    assert ['grants[0] (id "g1").id'] == [p.path for p in caught.value.problems]
    assert "already exists" in caught.value.problems[0].message
