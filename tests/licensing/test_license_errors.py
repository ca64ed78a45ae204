"""Every way a licence refuses an input or an event, in its exact words."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from partnercore import InvalidTransitionError, ValidationError
from partnercore.licensing import License, LicenseEvent, LicenseInterval, LicenseState

FREE, FULL = LicenseState.FREE, LicenseState.FULL
T0 = datetime(2026, 10, 1, 9, tzinfo=UTC)


def day(n: int) -> datetime:
    """``n`` days after T0's date, at 09:00 UTC."""
    return T0 + timedelta(days=n - 1)


def new() -> License:
    return License.open("c1", T0, timezone="Europe/London")


def refusal(action: Callable[[], object]) -> str:
    with pytest.raises(ValidationError) as raised:
        action()
    return str(raised.value)


def transition_refusal(action: Callable[[], object]) -> str:
    with pytest.raises(InvalidTransitionError) as raised:
        action()
    return str(raised.value)


# -- flags ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "message"),
    [
        (
            lambda: new().upgrade(day(2), skip_trial="yes"),
            "skip_trial: expected True or False, got 'yes'",
        ),
        (lambda: new().upgrade(day(2), trial_used=1), "trial_used: expected True or False, got 1"),
        (
            lambda: new().request_upgrade(day(2), trial_used=None),
            "trial_used: expected True or False, got None",
        ),
        (
            lambda: new().upgrade(day(2)).downgrade(day(3), at_period_end="no"),
            "at_period_end: expected True or False, got 'no'",
        ),
        (
            lambda: License.open("c1", T0, initial_state="trial", trial_used="x"),
            "trial_used: expected True or False, got 'x'",
        ),
        (
            lambda: License.open("c1", T0, initial_state="paid"),
            "initial_state: expected one of free, trial, full, got 'paid'",
        ),
    ],
)
def test_a_flag_or_state_that_is_not_one_is_rejected_naming_the_argument(
    action: Callable[[], object], message: str
) -> None:
    assert message == refusal(action)


# -- events out of order or outside the table ----------------------------------------------


def test_an_event_before_the_opening_names_the_opening() -> None:
    message = transition_refusal(lambda: new().upgrade(T0 - timedelta(days=1)))

    assert (
        "cannot upgrade in state 'free': dated 2026-09-30T09:00:00Z, before the licence was "
        "opened at 2026-10-01T09:00:00Z: events are chronological"
    ) == message


def test_an_event_before_the_last_one_names_the_last_recorded_event() -> None:
    license = new().upgrade(day(3))

    with pytest.raises(InvalidTransitionError) as raised:
        license.downgrade(day(2))

    error = raised.value
    assert ("full", "downgrade") == (error.state, error.event)
    assert (
        "cannot downgrade in state 'full': dated 2026-10-02T09:00:00Z, before the last "
        "recorded event at 2026-10-03T09:00:00Z: events are chronological"
    ) == str(error)


@pytest.mark.parametrize(
    ("action", "message"),
    [
        (
            lambda: new().convert(day(2)),
            "cannot convert in state 'free': in state 'free' only request_upgrade, upgrade "
            "can happen",
        ),
        (
            lambda: new().upgrade(day(2)).upgrade(day(3)),
            "cannot upgrade in state 'full': in state 'full' only downgrade can happen",
        ),
        (
            lambda: new().request_upgrade(day(2)).upgrade(day(3)),
            "cannot upgrade in state 'trial': in state 'trial' only convert, cancel_trial can "
            "happen (the trial runs until 2026-10-16T09:00:00Z)",
        ),
        (
            lambda: new().request_upgrade(day(2)).convert(day(30)),
            "cannot convert in state 'free': in state 'free' only request_upgrade, upgrade can "
            "happen (the trial ended at 2026-10-16T09:00:00Z)",
        ),
    ],
)
def test_an_event_outside_the_table_says_which_events_the_state_allows(
    action: Callable[[], object], message: str
) -> None:
    assert message == transition_refusal(action)


# -- instants ------------------------------------------------------------------------------


@pytest.mark.parametrize("year", [2, 9980])
def test_a_licence_may_open_in_the_first_and_last_years_it_supports(year: int) -> None:
    at = datetime(year, 6, 1, tzinfo=UTC)

    assert FREE == License.open("c1", at).state_at(at)


@pytest.mark.parametrize("year", [1, 9981])
def test_a_licence_opened_outside_the_years_it_supports_is_rejected(year: int) -> None:
    message = refusal(lambda: License.open("c1", datetime(year, 6, 1, tzinfo=UTC)))

    assert f"opened_at: year must be 2..9980, got {year}" == message


def test_a_naive_window_is_rejected_naming_its_start_or_end() -> None:
    assert "start: naive datetime 2026-10-01T00:00:00 rejected: give it a time zone" == refusal(
        lambda: new().timeline(datetime(2026, 10, 1))
    )
    assert "end: naive datetime 2026-10-03T00:00:00 rejected: give it a time zone" == refusal(
        lambda: new().timeline(T0, datetime(2026, 10, 3))
    )


def test_a_window_ending_before_it_starts_is_rejected_with_both_instants() -> None:
    assert "end: must not be before start 2026-10-03T09:00:00Z, got 2026-10-02T09:00:00Z" == (
        refusal(lambda: new().timeline(day(3), day(2)))
    )


def test_a_window_ending_at_a_change_ends_with_the_state_before_it() -> None:
    license = new().upgrade(day(2))

    assert (LicenseInterval(FREE, T0, day(2)),) == license.timeline(T0, day(2))
    assert (
        LicenseInterval(FREE, T0, day(2)),
        LicenseInterval(FULL, day(2), day(3)),
    ) == license.timeline(T0, day(3))


# -- fields --------------------------------------------------------------------------------


def test_a_licence_opens_in_utc_unless_told_otherwise() -> None:
    license = License.open("c1", T0)

    assert ("UTC", "UTC") == (license.timezone, license.billing_timezone)


def test_an_organisation_key_may_have_256_characters_but_not_257() -> None:
    key = "k" * 256

    assert key == License(team_id="c1", opened_at=T0, organisation_key=key).organisation_key
    assert (
        "organisation_key: expected a non-empty printable string of at most 256 characters "
        f"without surrounding spaces, or None; got '{key}k'"
    ) == refusal(lambda: License(team_id="c1", opened_at=T0, organisation_key=key + "k"))


def test_an_organisation_key_with_a_line_break_is_rejected() -> None:
    assert (
        "organisation_key: expected a non-empty printable string of at most 256 characters "
        "without surrounding spaces, or None; got 'a\\nb'"
    ) == refusal(lambda: License(team_id="c1", opened_at=T0, organisation_key="a\nb"))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("policy", {"trial_days": 14}, "policy: expected a LicensePolicy, got {'trial_days': 14}"),
        ("events", 5, "events: expected a sequence of LicenseEvent, got 5"),
        ("events", "x", "events: expected a sequence of LicenseEvent, got 'x'"),
        ("events", [5], "events[0]: expected a LicenseEvent, got 5"),
        ("version", -1, "version: expected a non-negative integer, got -1"),
        ("timezone", 7, "timezone: expected an IANA time zone name, got 7"),
        ("timezone", "Nowhere/Land", "timezone: unknown IANA time zone 'Nowhere/Land'"),
        (
            "billing_timezone",
            "Nowhere/Land",
            "billing_timezone: unknown IANA time zone 'Nowhere/Land'",
        ),
    ],
)
def test_a_licence_rejects_a_bad_field_in_exact_words(
    field: str, value: object, message: str
) -> None:
    fields: dict[str, object] = {"team_id": "c1", "opened_at": T0, field: value}

    assert message == refusal(lambda: License(**fields))  # type: ignore[arg-type]


def test_a_loaded_event_too_far_in_the_future_is_rejected_naming_its_instant() -> None:
    late = datetime(9990, 1, 1, tzinfo=UTC)
    upgrade = LicenseEvent(kind="upgrade", at=late, to="full")
    downgrade = LicenseEvent(kind="downgrade", at=day(2), effective_at=late, to="free")

    assert "events[0].at: year must be 2..9980, got 9990" == refusal(
        lambda: License(team_id="c1", opened_at=T0, events=[upgrade])
    )
    assert "events[0].effective_at: year must be 2..9980, got 9990" == refusal(
        lambda: License(team_id="c1", opened_at=T0, events=[downgrade])
    )


def test_a_loaded_history_is_rejected_naming_the_event_and_what_is_wrong() -> None:
    out_of_order = (
        LicenseEvent(kind="upgrade", at=day(3), to="full"),
        LicenseEvent(kind="downgrade", at=day(2), to="free"),
    )
    impossible = (LicenseEvent(kind="convert", at=day(2), to="full"),)
    second_trial = (
        LicenseEvent(kind="request_upgrade", at=day(2), to="trial"),
        LicenseEvent(kind="cancel_trial", at=day(3), to="free"),
        LicenseEvent(kind="request_upgrade", at=day(4), to="trial"),
    )

    assert "events[1].at: 2026-10-02T09:00:00Z is before 2026-10-03T09:00:00Z" == refusal(
        lambda: License(team_id="c1", opened_at=T0, events=out_of_order)
    )
    assert "events[0].kind: cannot convert in state 'free'" == refusal(
        lambda: License(team_id="c1", opened_at=T0, events=impossible)
    )
    assert "events[2].to: the licence already had a trial" == refusal(
        lambda: License(team_id="c1", opened_at=T0, events=second_trial)
    )


def test_a_billing_timezone_given_to_a_downgrade_is_checked_in_exact_words() -> None:
    license = new().upgrade(day(2))

    assert "billing_timezone: expected an IANA time zone name, got 7" == refusal(
        lambda: license.downgrade(day(3), billing_timezone=7)  # type: ignore[arg-type]
    )
    assert "billing_timezone: unknown IANA time zone 'Nowhere/Land'" == refusal(
        lambda: license.downgrade(day(3), billing_timezone="Nowhere/Land")
    )
