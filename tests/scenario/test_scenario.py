"""The Scenario API: access, licences, billing, what-if, content, over a loaded world."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partnercore import NotFoundError, ValidationError
from partnercore.licensing import LicenseState
from partnercore.scenario import Scenario, load, load_demo, loads
from partnercore.scenario._revenue import month_rows
from partnercore.tenancy import Holder, Permission, Rule

WORLD = Path(__file__).resolve().parent.parent / "data" / "world.toml"
AT = datetime(2026, 11, 20, 9, tzinfo=UTC)


@pytest.fixture(scope="module")
def world() -> Scenario:
    return load(WORLD)


def test_a_check_takes_the_permission_as_a_string_or_as_the_enum(world: Scenario) -> None:
    by_text = world.check(user="alice", permission="team.edit", team="c1", at=AT)
    by_enum = world.check(user="alice", permission=Permission.TEAM_EDIT, team="c1", at=AT)

    expected = (True, Rule.R3, "g1")
    assert expected == (by_text.allowed, by_text.rule, by_text.via)
    assert by_text == by_enum


def test_a_check_explains_a_denial(world: Scenario) -> None:
    decision = world.check(user="bob", permission="team.view", team="c2", at=AT)

    expected = (
        False,
        "bob's membership in acme ended 2026-11-16T00:00:00Z; delegated access to c2 needs "
        "an advisor or partner_admin of acme",
    )
    assert expected == (decision.allowed, decision.explanation)


def test_consent_revoked_then_restored_gives_the_grant_back(world: Scenario) -> None:
    during = world.check(
        user="alice", permission="team.view", team="c3", at=datetime(2026, 11, 15, tzinfo=UTC)
    )
    after = world.check(user="alice", permission="team.view", team="c3", at=AT)

    expected = ((False, Rule.R4), (True, Rule.R3))
    assert expected == ((during.allowed, during.rule), (after.allowed, after.rule))


def test_teams_are_sorted_ids(world: Scenario) -> None:
    expected = ["acme", "c1", "c2", "c3", "c9"]
    assert expected == world.teams(user="alice", permission="team.view", at=AT)


def test_who_names_the_rule_and_what_gave_access(world: Scenario) -> None:
    expected = [
        Holder("alice", Rule.R3, "g1"),
        Holder("dave", Rule.R1, "c1/dave/member@2026-01-01T00:00:00Z"),
        Holder("paula", Rule.R3, "acme/paula/partner_admin@2026-01-01T00:00:00Z"),
    ]
    assert expected == world.who(team="c1", permission="team.view", at=AT)


def test_unknown_ids_raise_not_found(world: Scenario) -> None:
    with pytest.raises(NotFoundError, match="unknown user 'zed'"):
        world.check(user="zed", permission="team.view", team="c1", at=AT)


def test_a_naive_instant_is_rejected(world: Scenario) -> None:
    with pytest.raises(ValidationError, match="naive"):
        world.check(user="alice", permission="team.view", team="c1", at=datetime(2026, 11, 20))


def test_the_timeline_of_a_trial_converted_to_full(world: Scenario) -> None:
    timeline = world.timeline(team="c2")

    expected = [
        (LicenseState.FREE, datetime(2026, 1, 1, tzinfo=UTC)),
        (LicenseState.TRIAL, datetime(2026, 11, 2, tzinfo=UTC)),
        (LicenseState.FULL, datetime(2026, 11, 10, tzinfo=UTC)),
    ]
    assert expected == [(interval.state, interval.start) for interval in timeline]
    assert timeline[-1].end is None


def test_a_timeline_window_closes_the_last_interval(world: Scenario) -> None:
    end = datetime(2027, 1, 1, tzinfo=UTC)
    timeline = world.timeline(team="c3", start=datetime(2026, 11, 1, tzinfo=UTC), end=end)

    expected = [(LicenseState.FULL, datetime(2026, 12, 1, tzinfo=UTC)), (LicenseState.FREE, end)]
    assert expected == [(interval.state, interval.end) for interval in timeline]


def test_a_partner_team_has_no_timeline(world: Scenario) -> None:
    with pytest.raises(ValidationError, match="only client teams have a licence"):
        world.timeline(team="acme")


def test_bill_gives_the_consolidated_invoice_and_the_referral_statement(world: Scenario) -> None:
    document = world.bill("2026-11").to_dict()

    totals = {invoice["id"]: invoice["total"] for invoice in document["invoices"]}
    referrals = {statement["partner"]: statement["total"] for statement in document["referrals"]}
    expected_totals = {
        "inv-acme-2026-11": "1025.00",
        "inv-c2-2026-11": "325.00",
        "inv-beacon-2026-11": "163.27",
        "inv-b2-2026-11": "301.25",
    }
    assert expected_totals == totals
    assert {"acme": "225.00", "beacon": "45.68"} == referrals


def test_billing_twice_gives_equal_runs(world: Scenario) -> None:
    assert world.bill("2026-11") == world.bill("2026-11")


def test_a_bad_period_names_the_period(world: Scenario) -> None:
    with pytest.raises(ValidationError, match=r"^period: month must be 01..12, got '2026-13'$"):
        world.bill("2026-13")


def test_bill_range_has_a_row_per_month_and_partner(world: Scenario) -> None:
    rows = world.bill_range("2026-10", "2026-12").to_rows()

    expected = [
        ("2026-10", "acme", Decimal("950.00")),
        ("2026-10", "beacon", Decimal("310.00")),
        ("2026-11", "acme", Decimal("1350.00")),
        ("2026-11", "beacon", Decimal("464.52")),
        ("2026-12", "acme", Decimal("975.00")),
        ("2026-12", "beacon", Decimal("620.00")),
    ]
    assert expected == [(row["period"], row["partner"], row["billed"]) for row in rows]


def test_bill_range_keeps_the_rows_only_unless_asked_for_the_runs(world: Scenario) -> None:
    summary = world.bill_range("2026-10", "2026-12")

    with pytest.raises(ValidationError) as caught:
        _ = summary.runs
    assert "keep_runs" == caught.value.problems[0].path
    assert ("2026-10", "2026-11", "2026-12") == summary.periods
    assert "<BillingRange 2026-10..2026-12: 6 rows>" == repr(summary)


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(first=st.integers(1, 12), months=st.integers(0, 3))
def test_bill_range_rows_are_those_of_the_months_billed_one_by_one(
    world: Scenario, first: int, months: int
) -> None:
    last = min(12, first + months)
    start, stop = f"2026-{first:02d}", f"2026-{last:02d}"
    one_by_one = [
        row for m in range(first, last + 1) for row in month_rows(world.bill(f"2026-{m:02d}"))
    ]

    kept = world.bill_range(start, stop, keep_runs=True)
    summary = world.bill_range(start, stop)

    assert one_by_one == summary.to_rows() == kept.to_rows()
    assert summary.table() == kept.table()
    assert [world.bill(p).to_dict() for p in kept.periods] == [r.to_dict() for r in kept.runs]


def test_bill_range_rejects_a_range_that_runs_backwards(world: Scenario) -> None:
    with pytest.raises(ValidationError, match="2026-01 is before 2026-12"):
        world.bill_range("2026-12", "2026-01")


def test_a_client_made_non_reseller_gets_its_own_invoice(world: Scenario) -> None:
    changed = world.with_billing_model("c1", "non_reseller").bill("2026-11")

    own = changed.invoice_of("c1")
    partner = changed.invoice_of("acme")
    assert own is not None
    assert partner is not None
    expected = (Decimal("440.00"), Decimal("585.00"))
    assert expected == (own.total.amount, partner.total.amount)


def test_what_if_leaves_the_original_scenario_unchanged(world: Scenario) -> None:
    world.with_billing_model("*", "non_reseller")

    assert world.bill("2026-11").invoice_of("c1") is None


def test_every_client_as_reseller_leaves_no_client_invoice(world: Scenario) -> None:
    run = world.with_billing_model("*", "reseller").bill("2026-11")

    expected = ["inv-acme-2026-11", "inv-beacon-2026-11"]
    assert expected == [invoice.id for invoice in run.invoices]


def test_the_billing_model_of_an_onboarded_client_can_be_changed(world: Scenario) -> None:
    run = world.with_billing_model("c9", "non_reseller").bill("2026-11")

    own = run.invoice_of("c9")
    assert own is not None
    assert Decimal("25.00") == own.total.amount


def test_what_if_referral_income_is_the_same_under_both_models(world: Scenario) -> None:
    reseller = world.with_billing_model("*", "reseller").bill("2026-11").referral("acme")
    non_reseller = world.with_billing_model("*", "non_reseller").bill("2026-11").referral("acme")

    assert reseller.total == non_reseller.total


def test_what_if_rejects_an_unknown_client_and_an_unknown_model(world: Scenario) -> None:
    with pytest.raises(NotFoundError, match="unknown client 'c7'"):
        world.with_billing_model("c7", "reseller")
    with pytest.raises(ValidationError, match="unknown billing model 'resell'"):
        world.with_billing_model("c1", "resell")


def test_the_library_shows_visible_items_installed_copies_and_updates(world: Scenario) -> None:
    view = world.library(team="c1")

    expected = {
        "team": "c1",
        "visible": ["acme-gap-assessment", "iso27001"],
        "installed": [
            {"item": "acme-gap-assessment", "version": 2, "locked": False, "update_available": 3}
        ],
    }
    assert expected == view.to_dict()


def test_the_library_defaults_to_the_last_instant_of_the_scenario(world: Scenario) -> None:
    expected = datetime(2026, 11, 25, tzinfo=UTC)
    assert expected == world.library(team="c2").at


def test_the_demo_scenario_loads_from_package_data() -> None:
    demo = load_demo()

    assert ["acme"] == [team.id for team in demo.partners()]


def test_load_reports_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes(b"format = 1\n# caf\xe9\n")

    with pytest.raises(ValidationError, match=r"not UTF-8 text \(byte 16\)"):
        load(path)


def test_load_lets_a_missing_file_raise_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "missing.toml")


def test_loads_rejects_what_is_not_text() -> None:
    with pytest.raises(ValidationError, match="expected TOML text, got bytes"):
        loads(b"format = 1")  # type: ignore[arg-type]
