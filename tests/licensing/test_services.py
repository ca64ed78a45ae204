# Assertions read ``expected == actual``.
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from partnercore import (
    ConflictError,
    InvalidTransitionError,
    NotFoundError,
    StaleWriteError,
    ValidationError,
)
from partnercore.licensing import (
    License,
    LicenseInterval,
    LicensePolicy,
    LicenseState,
    cancel_trial,
    convert,
    downgrade,
    open_license,
    organisation_trial_used,
    request_upgrade,
    trial_available,
    upgrade,
)
from partnercore.memory import InMemoryLicenses

FREE, TRIAL, FULL = LicenseState.FREE, LicenseState.TRIAL, LicenseState.FULL
LONDON = ZoneInfo("Europe/London")
T0 = datetime(2026, 10, 1, tzinfo=UTC)
ORG = "clientone.example"


def day(n: int) -> datetime:
    return datetime(2026, 10, n, 9, tzinfo=UTC)


@pytest.fixture
def licenses() -> InMemoryLicenses:
    return InMemoryLicenses()


def test_opening_stores_a_free_licence_at_version_one(licenses: InMemoryLicenses) -> None:
    opened = open_license(licenses, "c1", T0, timezone="Europe/London", organisation_key=ORG)
    assert (1, FREE, "Europe/London", ORG) == (
        opened.version,
        opened.state_at(T0),
        opened.timezone,
        opened.organisation_key,
    )
    assert opened == licenses.get("c1")


def test_a_template_may_open_a_client_in_trial_or_full(licenses: InMemoryLicenses) -> None:
    trial = open_license(licenses, "c1", T0, initial_state="trial")
    full = open_license(licenses, "c2", T0, initial_state=FULL)
    assert (TRIAL, FULL) == (trial.state_at(T0), full.state_at(T0))


def test_opening_a_team_twice_conflicts(licenses: InMemoryLicenses) -> None:
    open_license(licenses, "c1", T0)
    with pytest.raises(ConflictError):
        open_license(licenses, "c1", T0, initial_state=FULL)
    assert FREE == licenses.get("c1").state_at(T0)


def test_the_services_save_every_transition(licenses: InMemoryLicenses) -> None:
    open_license(licenses, "c1", T0)
    request_upgrade(licenses, "c1", day(2))
    convert(licenses, "c1", day(5))
    downgrade(licenses, "c1", day(10))
    upgrade(licenses, "c1", day(12))
    final = downgrade(licenses, "c1", day(20), at_period_end=True)
    assert final == licenses.get("c1")
    assert 6 == final.version
    assert (
        LicenseInterval(FREE, T0, day(2)),
        LicenseInterval(TRIAL, day(2), day(5)),
        LicenseInterval(FULL, day(5), day(10)),
        LicenseInterval(FREE, day(10), day(12)),
        LicenseInterval(FULL, day(12), datetime(2026, 11, 1, tzinfo=UTC)),
        LicenseInterval(FREE, datetime(2026, 11, 1, tzinfo=UTC)),
    ) == final.timeline()


def test_cancel_trial_through_the_service(licenses: InMemoryLicenses) -> None:
    open_license(licenses, "c1", T0)
    request_upgrade(licenses, "c1", day(2))
    assert FREE == cancel_trial(licenses, "c1", day(3)).state_at(day(3))


def test_a_deferred_downgrade_may_name_the_billing_timezone(licenses: InMemoryLicenses) -> None:
    open_license(licenses, "c1", T0, initial_state=FULL, billing_timezone="Europe/Paris")
    own = downgrade(licenses, "c1", day(5), at_period_end=True)
    assert datetime(2026, 10, 31, 23, tzinfo=UTC) == own.events[-1].effective_at
    open_license(licenses, "c2", T0, initial_state=FULL, billing_timezone="Europe/Paris")
    named = downgrade(licenses, "c2", day(5), at_period_end=True, billing_timezone="UTC")
    assert datetime(2026, 11, 1, tzinfo=UTC) == named.events[-1].effective_at


def test_the_acceptance_trial_across_the_clock_change(licenses: InMemoryLicenses) -> None:
    open_license(
        licenses,
        "c1",
        T0,
        timezone="Europe/London",
        policy=LicensePolicy(on_trial_end="full"),
    )
    license = request_upgrade(licenses, "c1", datetime(2026, 10, 20, 9, tzinfo=LONDON))
    end = datetime(2026, 11, 3, 9, tzinfo=UTC)
    assert (datetime(2026, 11, 3, 9, tzinfo=LONDON), end) == (license.trial_ends_at, end)
    assert (
        LicenseInterval(TRIAL, datetime(2026, 10, 20, 8, tzinfo=UTC), end),
        LicenseInterval(FULL, end),
    ) == license.timeline(datetime(2026, 10, 20, 8, tzinfo=UTC))


# -- one trial per organisation ---------------------------------------------------------


def test_after_a_used_trial_request_upgrade_goes_straight_to_full_on_the_same_team(
    licenses: InMemoryLicenses,
) -> None:
    open_license(licenses, "c1", T0, organisation_key=ORG)
    request_upgrade(licenses, "c1", day(2))
    cancel_trial(licenses, "c1", day(3))
    license = request_upgrade(licenses, "c1", day(4))
    assert (FULL, FULL) == (license.events[-1].to, license.state_at(day(4)))


def test_after_an_expired_trial_request_upgrade_goes_straight_to_full_on_the_same_team(
    licenses: InMemoryLicenses,
) -> None:
    open_license(licenses, "c1", T0)
    request_upgrade(licenses, "c1", day(2))
    license = request_upgrade(licenses, "c1", day(30))
    assert FULL == license.state_at(day(30))


def test_after_a_used_trial_request_upgrade_goes_to_full_on_another_team_of_the_organisation(
    licenses: InMemoryLicenses,
) -> None:
    open_license(licenses, "c1", T0, organisation_key=ORG)
    request_upgrade(licenses, "c1", day(2))
    open_license(licenses, "c1-again", day(10), organisation_key=ORG)
    license = request_upgrade(licenses, "c1-again", day(11))
    assert (FULL, None) == (license.state_at(day(11)), license.trial_started_at)


def test_a_trial_in_progress_elsewhere_counts_as_used(licenses: InMemoryLicenses) -> None:
    open_license(licenses, "c1", T0, organisation_key=ORG)
    open_license(licenses, "c2", T0, organisation_key=ORG)
    request_upgrade(licenses, "c1", day(2))
    assert FULL == request_upgrade(licenses, "c2", day(3)).state_at(day(3))


def test_a_template_trial_for_an_organisation_that_used_its_trial_opens_full(
    licenses: InMemoryLicenses,
) -> None:
    open_license(licenses, "c1", T0, organisation_key=ORG, initial_state=TRIAL)
    again = open_license(licenses, "c2", day(20), organisation_key=ORG, initial_state=TRIAL)
    assert (FULL, None) == (again.state_at(day(20)), again.trial_started_at)


def test_a_template_trial_counts_as_the_organisations_trial(licenses: InMemoryLicenses) -> None:
    open_license(licenses, "c1", T0, organisation_key=ORG, initial_state=TRIAL)
    open_license(licenses, "c2", T0, organisation_key=ORG)
    assert FULL == request_upgrade(licenses, "c2", day(2)).state_at(day(2))


def test_teams_of_different_organisations_each_get_a_trial(licenses: InMemoryLicenses) -> None:
    open_license(licenses, "c1", T0, organisation_key=ORG)
    open_license(licenses, "c2", T0, organisation_key="other.example")
    open_license(licenses, "c3", T0)
    states = [request_upgrade(licenses, t, day(2)).state_at(day(2)) for t in ("c1", "c2", "c3")]
    assert [TRIAL, TRIAL, TRIAL] == states


def test_organisation_keys_are_compared_exactly(licenses: InMemoryLicenses) -> None:
    open_license(licenses, "c1", T0, organisation_key=ORG)
    open_license(licenses, "c2", T0, organisation_key=ORG.upper())
    request_upgrade(licenses, "c1", day(2))
    assert TRIAL == request_upgrade(licenses, "c2", day(3)).state_at(day(3))


def test_a_trial_dated_before_the_organisations_trial_conflicts_and_stores_nothing(
    licenses: InMemoryLicenses,
) -> None:
    open_license(licenses, "c1", T0, organisation_key=ORG)
    open_license(licenses, "c2", T0, organisation_key=ORG)
    request_upgrade(licenses, "c1", day(10))
    with pytest.raises(ConflictError):
        organisation_trial_used(licenses, ORG, day(5), excluding="c2")
    before = licenses.get("c2")
    with pytest.raises(ConflictError) as raised:
        request_upgrade(licenses, "c2", day(5))
    assert "c1" == raised.value.id
    assert before == licenses.get("c2")


def test_a_template_trial_cannot_precede_the_organisations_trial(
    licenses: InMemoryLicenses,
) -> None:
    open_license(licenses, "c1", T0, organisation_key=ORG)
    request_upgrade(licenses, "c1", day(10))
    with pytest.raises(ConflictError):
        open_license(licenses, "c2", day(5), organisation_key=ORG, initial_state=TRIAL)
    assert licenses.find("c2") is None


def test_a_backdated_request_is_rejected_as_such_before_the_organisation_is_asked(
    licenses: InMemoryLicenses,
) -> None:
    open_license(licenses, "c1", day(5), organisation_key=ORG)
    with pytest.raises(InvalidTransitionError):
        request_upgrade(licenses, "c1", day(4))


def test_the_organisation_does_not_count_the_asking_team(licenses: InMemoryLicenses) -> None:
    open_license(licenses, "c1", T0, organisation_key=ORG)
    request_upgrade(licenses, "c1", day(2))
    assert not organisation_trial_used(licenses, ORG, day(3), excluding="c1")
    assert organisation_trial_used(licenses, ORG, day(3))
    assert not organisation_trial_used(licenses, None, day(3))


def test_trial_available_considers_the_team_and_its_organisation(
    licenses: InMemoryLicenses,
) -> None:
    open_license(licenses, "c1", T0, organisation_key=ORG)
    open_license(licenses, "c2", T0, organisation_key=ORG)
    assert (True, True) == (
        trial_available(licenses, "c1", day(2)),
        trial_available(licenses, "c2", day(2)),
    )
    request_upgrade(licenses, "c1", day(3))
    assert (False, False, False) == (
        trial_available(licenses, "c1", day(4)),
        trial_available(licenses, "c2", day(4)),
        trial_available(licenses, "c2", day(2)),  # it would precede the organisation's trial
    )


def test_upgrade_without_skipping_the_trial_obeys_the_organisation(
    licenses: InMemoryLicenses,
) -> None:
    open_license(licenses, "c1", T0, organisation_key=ORG)
    open_license(licenses, "c2", T0, organisation_key=ORG)
    assert TRIAL == upgrade(licenses, "c1", day(2), skip_trial=False).state_at(day(2))
    assert FULL == upgrade(licenses, "c2", day(3), skip_trial=False).state_at(day(3))


# -- failures change nothing --------------------------------------------------------------


def test_an_invalid_transition_through_a_service_stores_nothing(
    licenses: InMemoryLicenses,
) -> None:
    stored = open_license(licenses, "c1", T0)
    for service in (convert, cancel_trial, downgrade):
        with pytest.raises(InvalidTransitionError):
            service(licenses, "c1", day(2))
    assert stored == licenses.get("c1")


def test_a_naive_instant_through_a_service_is_rejected_and_stores_nothing(
    licenses: InMemoryLicenses,
) -> None:
    stored = open_license(licenses, "c1", T0, organisation_key=ORG)
    with pytest.raises(ValidationError):
        request_upgrade(licenses, "c1", datetime(2026, 10, 2))
    with pytest.raises(ValidationError):
        open_license(licenses, "c2", datetime(2026, 10, 2))
    assert (stored, None) == (licenses.get("c1"), licenses.find("c2"))


def test_a_service_on_an_unknown_team_raises_not_found(licenses: InMemoryLicenses) -> None:
    with pytest.raises(NotFoundError):
        upgrade(licenses, "nobody", day(2))


def test_two_writers_the_second_gets_a_stale_write(licenses: InMemoryLicenses) -> None:
    open_license(licenses, "c1", T0)
    mine = licenses.get("c1")
    upgrade(licenses, "c1", day(2))
    with pytest.raises(StaleWriteError):
        licenses.save(mine.request_upgrade(day(3)))
    assert FULL == licenses.get("c1").state_at(day(3))


def test_the_first_instant_after_a_trial_is_free(licenses: InMemoryLicenses) -> None:
    open_license(licenses, "c1", T0)
    license = request_upgrade(licenses, "c1", day(2))
    assert license.trial_ends_at is not None
    assert FREE == license.state_at(license.trial_ends_at)
    assert TRIAL == license.state_at(license.trial_ends_at - timedelta(microseconds=1))
    assert isinstance(license, License)
