"""Building a scenario into any store's ports, and asking questions of a store as it is."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from partnercore import ValidationError
from partnercore.billing import bill_period
from partnercore.memory import InMemoryBilling, InMemoryContent, InMemoryLicenses, InMemoryTenancy
from partnercore.scenario import Document, Scenario, ScenarioPorts, build_world, loads, read
from partnercore.tenancy import BillingModel, Team

WORLD = (Path(__file__).resolve().parent.parent / "data" / "world.toml").read_text(encoding="utf-8")
MONTHS = ("2026-10", "2026-11", "2026-12")
AT = datetime(2026, 11, 20, 9, tzinfo=UTC)


@pytest.fixture(scope="module")
def document() -> Document:
    return read(WORLD)


@pytest.fixture(scope="module")
def loaded() -> Scenario:
    return loads(WORLD)


def test_building_into_fresh_in_memory_ports_bills_as_loads_does(
    document: Document, loaded: Scenario
) -> None:
    ports = build_world(document, into=ScenarioPorts.in_memory())
    for month in MONTHS:
        run = bill_period(month, ports.billing_ports, content=ports.content_charges)
        assert loaded.bill(month).to_dict() == run.to_dict()


def test_a_scenario_over_built_ports_answers_as_the_loaded_one(
    document: Document, loaded: Scenario
) -> None:
    over = Scenario.over(build_world(document), document)
    for month in MONTHS:
        assert loaded.bill(month).to_dict() == over.bill(month).to_dict()
    for team in [t.id for t in loaded.partners()] + list(document.client_ids()):
        assert loaded.who(team=team, permission="team.view", at=AT) == over.who(
            team=team, permission="team.view", at=AT
        )
        assert loaded.library(team=team).to_dict() == over.library(team=team).to_dict()
    assert loaded.timeline(team="c1") == over.timeline(team="c1")
    assert (loaded.first_instant, loaded.last_instant) == (over.first_instant, over.last_instant)


def test_build_world_fills_the_ports_it_is_given_and_returns_them(document: Document) -> None:
    ports = ScenarioPorts.in_memory()
    built = build_world(document, into=ports)
    assert (True, ["acme", "beacon"]) == (
        built is ports,
        [t.id for t in ports.tenancy.teams.partners()],
    )


def test_build_world_without_ports_builds_fresh_in_memory_stores_each_time(
    document: Document,
) -> None:
    first, second = build_world(document), build_world(document)
    first.tenancy.teams.add(Team.partner("zeta", "Zeta", created_at=AT))
    assert (True, False) == (
        "zeta" in [t.id for t in first.tenancy.teams.partners()],
        "zeta" in [t.id for t in second.tenancy.teams.partners()],
    )


def test_a_scenario_over_ports_builds_nothing_and_reads_them_as_they_are(
    document: Document,
) -> None:
    ports = ScenarioPorts.in_memory()
    over = Scenario.over(ports, document)
    assert [] == over.partners()
    build_world(document, into=ports)
    assert ["acme", "beacon"] == [t.id for t in over.partners()]
    assert ports is over.ports


def test_billing_models_given_to_build_world_bill_as_the_what_if_scenario(
    document: Document, loaded: Scenario
) -> None:
    ports = build_world(document, billing_models={"c1": "non_reseller"})
    expected = loaded.with_billing_model("c1", "non_reseller").bill("2026-11").to_dict()
    assert expected == Scenario.over(ports, document).bill("2026-11").to_dict()
    assert BillingModel.NON_RESELLER == ports.tenancy.teams.get("c1").billing_model


def test_a_what_if_question_on_a_scenario_over_ports_never_writes_to_them(
    document: Document,
) -> None:
    ports = build_world(document)
    what_if = Scenario.over(ports, document).with_billing_model("*", "non_reseller")
    assert (BillingModel.RESELLER, BillingModel.NON_RESELLER) == (
        ports.tenancy.teams.get("c1").billing_model,
        what_if.team("c1").billing_model,
    )


def test_a_failed_build_names_the_entry_as_loads_does(loaded: Scenario) -> None:
    broken = WORLD.replace('event = "request_upgrade"', 'event = "convert"', 1)
    with pytest.raises(ValidationError) as from_loads:
        loads(broken)
    with pytest.raises(ValidationError) as from_build:
        build_world(read(broken), into=ScenarioPorts.in_memory())
    assert from_loads.value.problems == from_build.value.problems


@pytest.mark.parametrize(
    ("arguments", "path"),
    [
        ({"document": "format = 1"}, "document"),
        ({"into": InMemoryTenancy()}, "into"),
        ({"billing_models": ["c1"]}, "billing_models"),
        ({"billing_models": {1: "reseller"}}, "billing_models"),
        ({"billing_models": {"c1": "resell"}}, "billing_models.c1"),
        ({"billing_models": {"c1": ["reseller"]}}, "billing_models.c1"),
    ],
)
def test_wrong_arguments_to_build_world_are_validation_errors_naming_them(
    document: Document, arguments: dict[str, Any], path: str
) -> None:
    given: dict[str, Any] = {"document": document, **arguments}
    with pytest.raises(ValidationError) as caught:
        build_world(**given)
    assert [path] == [p.path for p in caught.value.problems]


def test_an_unknown_billing_model_is_refused_before_anything_is_built(document: Document) -> None:
    ports = ScenarioPorts.in_memory()
    with pytest.raises(ValidationError):
        build_world(document, into=ports, billing_models={"c1": "resell"})
    assert [] == ports.tenancy.teams.partners()


def test_wrong_arguments_to_over_are_validation_errors_naming_them(document: Document) -> None:
    with pytest.raises(ValidationError) as wrong_ports:
        Scenario.over(InMemoryTenancy(), document)  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as wrong_document:
        Scenario.over(ScenarioPorts.in_memory(), WORLD)  # type: ignore[arg-type]
    assert ("ports", "document") == (
        wrong_ports.value.problems[0].path,
        wrong_document.value.problems[0].path,
    )


def test_content_ports_over_other_stores_are_refused() -> None:
    tenancy, licenses = InMemoryTenancy(), InMemoryLicenses()
    for content in (InMemoryContent(), InMemoryContent(tenancy), InMemoryContent(None, licenses)):
        with pytest.raises(ValidationError, match="content: must be built over the same"):
            ScenarioPorts(
                tenancy=tenancy, licenses=licenses, billing=InMemoryBilling(), content=content
            )


def test_ports_that_are_not_port_bundles_are_refused() -> None:
    tenancy, licenses = InMemoryTenancy(), InMemoryLicenses()
    billing = InMemoryBilling()
    with pytest.raises(ValidationError, match=r"^tenancy: expected TenancyPorts"):
        ScenarioPorts(
            tenancy=object(),  # type: ignore[arg-type]
            licenses=licenses,
            billing=billing,
            content=InMemoryContent(tenancy, licenses),
        )
    with pytest.raises(ValidationError, match=r"^content: expected ContentPorts"):
        ScenarioPorts(
            tenancy=tenancy,
            licenses=licenses,
            billing=billing,
            content=object(),  # type: ignore[arg-type]
        )
