"""How a scenario, its timelines and its billing ranges show in a REPL and in Jupyter."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime
from pathlib import Path

import pytest

from partnercore.licensing import LicenseInterval, LicenseState
from partnercore.scenario import Scenario, load, load_demo, loads

WORLD = Path(__file__).resolve().parent.parent / "data" / "world.toml"


@pytest.fixture(scope="module")
def world() -> Scenario:
    return load(WORLD)


def test_a_scenario_shows_its_name_partners_clients_and_usage_months(world: Scenario) -> None:
    assert "<Scenario 'world': 2 partners, 6 clients, usage 2026-10..2026-11>" == repr(world)


def test_the_demo_is_called_demo_and_counts_in_the_singular() -> None:
    assert "<Scenario 'demo': 1 partner, 3 clients, usage 2026-11..2026-11>" == repr(load_demo())


def test_a_scenario_without_a_name_or_usage_says_so() -> None:
    text = (
        '[[pricebooks]]\nid = "b"\ncurrency = "USD"\nadvisor_monthly_fee = "1"\n'
        'full_license_monthly_fee = "2"\n'
        '[[partners]]\nid = "p"\nname = "P"\npricebook = "b"\nreferral_rate = "0.1"\n'
    )

    assert "<Scenario: 1 partner, 0 clients, no usage>" == repr(loads(text))


def test_a_scenario_shows_as_a_left_aligned_table_in_jupyter(world: Scenario) -> None:
    html = world._repr_html_()

    assert html.startswith("<p><strong>Scenario &#x27;world&#x27;</strong></p><table>")
    assert '<td style="text-align: left">partners</td><td style="text-align: left">2</td>' in html
    assert "InMemoryStore" in html


def test_a_timeline_shows_one_line_per_interval(world: Scenario) -> None:
    timeline = world.timeline(team="c2")

    expected = (
        "<Timeline of 'c2': 3 intervals\n"
        "  free  2026-01-01T00:00:00Z .. 2026-11-02T00:00:00Z\n"
        "  trial 2026-11-02T00:00:00Z .. 2026-11-10T00:00:00Z\n"
        "  full  2026-11-10T00:00:00Z .. ...>"
    )
    assert expected == repr(timeline)


def test_a_timeline_is_still_the_tuple_of_its_intervals(world: Scenario) -> None:
    timeline = world.timeline(team="c2")

    assert tuple(timeline) == timeline
    assert isinstance(timeline[0], LicenseInterval)
    assert (timeline, "c2") == (pickle.loads(pickle.dumps(timeline)), timeline.team)


def test_a_timeline_shows_as_a_table_in_jupyter(world: Scenario) -> None:
    end = datetime(2026, 11, 10, tzinfo=UTC)
    html = world.timeline(team="c2", end=end)._repr_html_()

    expected_rows = [
        ("free", "2026-01-01T00:00:00Z", "2026-11-02T00:00:00Z"),
        ("trial", "2026-11-02T00:00:00Z", "2026-11-10T00:00:00Z"),
    ]
    for row in expected_rows:
        assert "".join(f'<td style="text-align: left">{cell}</td>' for cell in row) in html
    assert LicenseState.FULL.value not in html
