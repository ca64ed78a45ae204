# Assertions read ``expected == actual``.
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from partnercore import InvalidTransitionError, ValidationError
from partnercore.licensing import (
    TRANSITIONS,
    License,
    LicenseEvent,
    LicenseEventKind,
    LicenseInterval,
    LicensePolicy,
    LicenseState,
)
from partnercore.serialization import make_converter, structure, unstructure
from tests.strategies.licensing import apply_license_event, licenses

FREE, TRIAL, FULL = LicenseState.FREE, LicenseState.TRIAL, LicenseState.FULL
LONDON = ZoneInfo("Europe/London")
T0 = datetime(2026, 10, 1, 9, tzinfo=UTC)


def day(n: int, hour: int = 9) -> datetime:
    """``n`` days after T0's date, in UTC."""
    return datetime(2026, 10, 1, hour, tzinfo=UTC) + timedelta(days=n - 1)


def new(**kwargs: object) -> License:
    fields: dict[str, object] = {"timezone": "Europe/London"} | kwargs
    return License.open("c1", T0, **fields)  # type: ignore[arg-type]


# -- every way of being in each state ----------------------------------------------------
# Each builder gives a licence and an instant at or after its last event at which the
# licence is in the named state.

Situation = Callable[[], tuple[License, datetime]]


def free_new() -> tuple[License, datetime]:
    return new(), day(2)


def free_after_trial_expired() -> tuple[License, datetime]:
    return new().request_upgrade(day(2)), day(20)


def free_after_cancel() -> tuple[License, datetime]:
    return new().request_upgrade(day(2)).cancel_trial(day(3)), day(4)


def free_after_downgrade() -> tuple[License, datetime]:
    return new().upgrade(day(2)).downgrade(day(3)), day(3)


def free_after_downgrade_at_period_end() -> tuple[License, datetime]:
    return new().upgrade(day(2)).downgrade(day(3), at_period_end=True), day(40)


def trial_requested() -> tuple[License, datetime]:
    return new().request_upgrade(day(2)), day(5)


def trial_from_the_start() -> tuple[License, datetime]:
    return new(initial_state=TRIAL), day(1)


def trial_about_to_end() -> tuple[License, datetime]:
    license = new().request_upgrade(day(2))
    assert license.trial_ends_at is not None
    return license, license.trial_ends_at - timedelta(microseconds=1)


def full_upgraded() -> tuple[License, datetime]:
    return new().upgrade(day(2)), day(2)


def full_converted() -> tuple[License, datetime]:
    return new().request_upgrade(day(2)).convert(day(4)), day(6)


def full_after_trial_ended() -> tuple[License, datetime]:
    license = new(policy=LicensePolicy(on_trial_end="full")).request_upgrade(day(2))
    assert license.trial_ends_at is not None
    return license, license.trial_ends_at


def full_from_the_start() -> tuple[License, datetime]:
    return new(initial_state=FULL), day(3)


def full_with_a_downgrade_scheduled() -> tuple[License, datetime]:
    return new().upgrade(day(2)).downgrade(day(3), at_period_end=True), day(20)


def full_after_trial_already_used() -> tuple[License, datetime]:
    return new().request_upgrade(day(2)).cancel_trial(day(3)).request_upgrade(day(4)), day(4)


SITUATIONS: dict[LicenseState, list[Situation]] = {
    FREE: [
        free_new,
        free_after_trial_expired,
        free_after_cancel,
        free_after_downgrade,
        free_after_downgrade_at_period_end,
    ],
    TRIAL: [trial_requested, trial_from_the_start, trial_about_to_end],
    FULL: [
        full_upgraded,
        full_converted,
        full_after_trial_ended,
        full_from_the_start,
        full_with_a_downgrade_scheduled,
        full_after_trial_already_used,
    ],
}
ALL_SITUATIONS = [
    pytest.param(state, build, id=f"{state.value}:{build.__name__}")
    for state, builds in SITUATIONS.items()
    for build in builds
]
ALL_EVENTS = list(LicenseEventKind)
INVALID_PAIRS = [
    pytest.param(state, build, kind, id=f"{build.__name__}-{kind.value}")
    for state, builds in SITUATIONS.items()
    for build in builds
    for kind in ALL_EVENTS
    if kind not in TRANSITIONS[state]
]
EVERY_PAIR = [
    pytest.param(state, build, kind, id=f"{build.__name__}-{kind.value}")
    for state, builds in SITUATIONS.items()
    for build in builds
    for kind in ALL_EVENTS
]


@pytest.mark.parametrize(("state", "build"), ALL_SITUATIONS)
def test_each_situation_is_in_the_state_it_claims(state: LicenseState, build: Situation) -> None:
    license, at = build()
    assert state == license.state_at(at)


@pytest.mark.parametrize(("state", "build", "kind"), INVALID_PAIRS)
def test_an_event_outside_the_table_raises_naming_state_and_event_and_records_nothing(
    state: LicenseState, build: Situation, kind: LicenseEventKind
) -> None:
    license, at = build()
    before = (license, license.timeline())
    with pytest.raises(InvalidTransitionError) as raised:
        apply_license_event(license, kind, at)
    assert (state.value, kind.value) == (raised.value.state, raised.value.event)
    assert f"cannot {kind.value} in state {state.value!r}" in str(raised.value)
    assert before == (license, license.timeline())


@pytest.mark.parametrize(("state", "build", "kind"), EVERY_PAIR)
@pytest.mark.parametrize("earlier", [timedelta(microseconds=1), timedelta(days=400)])
def test_an_event_dated_before_the_last_one_is_rejected_and_records_nothing(
    state: LicenseState, build: Situation, kind: LicenseEventKind, earlier: timedelta
) -> None:
    license, _ = build()
    before = (license, license.timeline())
    with pytest.raises(InvalidTransitionError) as raised:
        apply_license_event(license, kind, license.last_event_at - earlier)
    assert kind.value == raised.value.event
    assert "events are chronological" in str(raised.value)
    assert before == (license, license.timeline())


@pytest.mark.parametrize(("state", "build"), ALL_SITUATIONS)
def test_each_event_in_the_table_is_accepted_and_recorded(
    state: LicenseState, build: Situation
) -> None:
    license, at = build()
    for kind in TRANSITIONS[state]:
        after = apply_license_event(license, kind, at)
        assert (kind, at) == (after.events[-1].kind, after.events[-1].at)
        assert after.events[:-1] == license.events


# -- the trial -------------------------------------------------------------------------


def test_a_trial_requested_before_the_clocks_change_ends_at_the_same_local_time() -> None:
    license = new().request_upgrade(datetime(2026, 10, 20, 9, tzinfo=LONDON))
    assert datetime(2026, 11, 3, 9, tzinfo=LONDON) == license.trial_ends_at
    assert datetime(2026, 11, 3, 9, tzinfo=UTC) == license.trial_ends_at
    assert timedelta(days=14, hours=1) == license.trial_ends_at - license.events[-1].at
    end = datetime(2026, 11, 3, 9, tzinfo=UTC)
    assert TRIAL == license.state_at(end - timedelta(microseconds=1))
    assert FREE == license.state_at(end)


def test_with_on_trial_end_full_full_starts_at_the_trial_end_instant() -> None:
    license = new(policy=LicensePolicy(on_trial_end="full")).request_upgrade(
        datetime(2026, 10, 20, 9, tzinfo=LONDON)
    )
    end = datetime(2026, 11, 3, 9, tzinfo=UTC)
    assert (
        LicenseInterval(TRIAL, datetime(2026, 10, 20, 8, tzinfo=UTC), end),
        LicenseInterval(FULL, end, None),
    ) == license.timeline(datetime(2026, 10, 20, 8, tzinfo=UTC))


def test_trial_expiry_needs_no_event() -> None:
    license = new().request_upgrade(day(2))
    assert (1, FREE) == (len(license.events), license.state_at(day(30)))


def test_a_trial_starting_in_the_spring_gap_zone_keeps_its_wall_clock_time() -> None:
    new_york = ZoneInfo("America/New_York")
    opened = License.open("c1", datetime(2026, 2, 1, tzinfo=UTC), timezone="America/New_York")
    license = opened.request_upgrade(datetime(2026, 3, 1, 14, 30, tzinfo=new_york))
    assert datetime(2026, 3, 15, 14, 30, tzinfo=new_york) == license.trial_ends_at
    assert timedelta(days=14) - timedelta(hours=1) == (
        license.trial_ends_at - license.events[-1].at
    )


def test_the_trial_length_follows_the_policy() -> None:
    license = new(timezone="UTC", policy=LicensePolicy(trial_days=30)).request_upgrade(day(2))
    assert day(32) == license.trial_ends_at


def test_a_licence_opened_in_trial_ends_its_trial_after_trial_days() -> None:
    license = new(initial_state=TRIAL)
    assert (T0, T0 + timedelta(days=14)) == (license.trial_started_at, license.trial_ends_at)


def test_convert_must_come_before_the_trial_end() -> None:
    license = new().request_upgrade(day(2))
    assert license.trial_ends_at is not None
    converted = license.convert(license.trial_ends_at - timedelta(microseconds=1))
    assert FULL == converted.state_at(license.trial_ends_at)
    with pytest.raises(InvalidTransitionError) as raised:
        license.convert(license.trial_ends_at)
    assert ("free", "convert") == (raised.value.state, raised.value.event)
    assert "the trial ended at 2026-10-16T09:00:00Z" in str(raised.value)


def test_a_converted_trial_ends_when_it_was_converted_and_is_paid_from_then() -> None:
    license = new().request_upgrade(day(2)).convert(day(5))
    assert (day(2), day(5)) == (license.trial_started_at, license.trial_ends_at)
    assert (
        LicenseInterval(FREE, T0, day(2)),
        LicenseInterval(TRIAL, day(2), day(5)),
        LicenseInterval(FULL, day(5)),
    ) == license.timeline()


def test_a_cancelled_trial_is_free_from_the_cancellation() -> None:
    license = new().request_upgrade(day(2)).cancel_trial(day(5))
    assert (FREE, day(5)) == (license.state_at(day(5)), license.trial_ends_at)


def test_a_licence_that_had_its_trial_goes_straight_to_full() -> None:
    license = new().request_upgrade(day(2)).cancel_trial(day(3)).request_upgrade(day(4))
    assert (FULL, FULL) == (license.events[-1].to, license.state_at(day(4)))
    assert day(2) == license.trial_started_at


def test_a_trial_used_elsewhere_makes_request_upgrade_go_straight_to_full() -> None:
    license = new().request_upgrade(day(2), trial_used=True)
    assert (FULL, None, False) == (
        license.state_at(day(2)),
        license.trial_started_at,
        license.has_used_trial,
    )


def test_a_trial_is_available_until_the_licence_has_had_one() -> None:
    license = new()
    assert (True, False) == (
        license.trial_available,
        license.request_upgrade(day(2)).trial_available,
    )


def test_opening_in_trial_when_the_trial_was_used_opens_full() -> None:
    license = License.open("c1", T0, initial_state="trial", trial_used=True)
    assert (FULL, None) == (license.initial_state, license.trial_started_at)


def test_upgrade_without_skipping_the_trial_is_a_request_upgrade() -> None:
    license = new().upgrade(day(2), skip_trial=False)
    assert (LicenseEventKind.REQUEST_UPGRADE, TRIAL) == (
        license.events[-1].kind,
        license.events[-1].to,
    )


def test_upgrade_skips_the_trial_by_default() -> None:
    license = new().upgrade(day(2))
    assert (LicenseEventKind.UPGRADE, FULL, None) == (
        license.events[-1].kind,
        license.state_at(day(2)),
        license.trial_started_at,
    )


# -- downgrades ------------------------------------------------------------------------


def test_a_downgrade_takes_effect_immediately_by_default() -> None:
    license = new().upgrade(day(2)).downgrade(day(10, 15))
    assert (FULL, FREE) == (
        license.state_at(day(10, 15) - timedelta(microseconds=1)),
        license.state_at(day(10, 15)),
    )


def test_a_downgrade_at_period_end_takes_effect_when_the_next_billing_month_starts() -> None:
    license = new(billing_timezone="Europe/Paris").upgrade(day(2))
    license = license.downgrade(day(10), at_period_end=True)
    november_in_paris = datetime(2026, 10, 31, 23, tzinfo=UTC)
    assert (november_in_paris, FREE) == (
        license.events[-1].effective_at,
        license.events[-1].to,
    )
    assert (FULL, FREE) == (
        license.state_at(november_in_paris - timedelta(microseconds=1)),
        license.state_at(november_in_paris),
    )


def test_the_caller_may_name_the_billing_timezone_of_a_deferred_downgrade() -> None:
    license = new().upgrade(day(2))
    license = license.downgrade(day(10), at_period_end=True, billing_timezone="Asia/Tokyo")
    assert datetime(2026, 10, 31, 15, tzinfo=UTC) == license.events[-1].effective_at


def test_a_downgrade_at_period_end_on_the_first_instant_of_a_month_waits_a_whole_month() -> None:
    license = new().upgrade(day(2)).downgrade(datetime(2026, 11, 1, tzinfo=UTC), at_period_end=True)
    assert datetime(2026, 12, 1, tzinfo=UTC) == license.events[-1].effective_at


def test_an_immediate_downgrade_replaces_a_scheduled_one() -> None:
    license = new().upgrade(day(2)).downgrade(day(10), at_period_end=True).downgrade(day(12))
    assert (
        LicenseInterval(FREE, T0, day(2)),
        LicenseInterval(FULL, day(2), day(12)),
        LicenseInterval(FREE, day(12)),
    ) == license.timeline()


def test_a_licence_is_free_again_after_a_scheduled_downgrade_and_may_upgrade() -> None:
    license = new().upgrade(day(2)).downgrade(day(10), at_period_end=True)
    november = datetime(2026, 11, 1, tzinfo=UTC)
    again = license.upgrade(november)
    assert (FULL, FULL) == (again.state_at(november), again.state_at(november + timedelta(days=9)))


@pytest.mark.parametrize("zone", ["Mars/Olympus", "", 7])
def test_an_unknown_billing_timezone_is_rejected(zone: object) -> None:
    license = new().upgrade(day(2))
    with pytest.raises(ValidationError) as raised:
        license.downgrade(day(3), at_period_end=True, billing_timezone=zone)  # type: ignore[arg-type]
    assert "billing_timezone" == raised.value.problems[0].path


# -- instants ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ALL_EVENTS)
def test_a_naive_event_instant_is_rejected(kind: LicenseEventKind) -> None:
    license, _ = full_upgraded() if kind is LicenseEventKind.DOWNGRADE else trial_requested()
    with pytest.raises(ValidationError) as raised:
        apply_license_event(license, kind, datetime(2026, 12, 1, 9))
    assert "at" == raised.value.problems[0].path


def test_naive_questions_are_rejected() -> None:
    license = new()
    with pytest.raises(ValidationError):
        license.state_at(datetime(2026, 12, 1))
    with pytest.raises(ValidationError):
        license.timeline(datetime(2026, 12, 1))


@pytest.mark.parametrize(
    "value",
    [datetime.min.replace(tzinfo=ZoneInfo("Asia/Tokyo")), "2026-12-01T00:00:00Z", None],
)
def test_a_question_about_an_impossible_instant_is_a_validation_error(value: object) -> None:
    with pytest.raises(ValidationError) as raised:
        new().state_at(value)  # type: ignore[arg-type]
    assert "at" == raised.value.problems[0].path


def test_an_event_too_far_in_the_future_for_its_trial_is_rejected() -> None:
    with pytest.raises(ValidationError) as raised:
        new().request_upgrade(datetime(9990, 1, 1, tzinfo=UTC))
    assert "at" == raised.value.problems[0].path


def test_a_naive_opening_instant_is_rejected() -> None:
    with pytest.raises(ValidationError) as raised:
        License.open("c1", datetime(2026, 10, 1))
    assert "opened_at" == raised.value.problems[0].path


def test_events_at_the_same_instant_are_chronological() -> None:
    license = new().request_upgrade(day(2)).convert(day(2))
    assert (
        LicenseInterval(FREE, T0, day(2)),
        LicenseInterval(FULL, day(2)),
    ) == license.timeline()
    assert day(2) == license.trial_started_at


def test_an_event_may_happen_the_instant_the_licence_opens() -> None:
    assert FULL == new().upgrade(T0).state_at(T0)


def test_event_methods_leave_the_original_licence_unchanged() -> None:
    license = new()
    license.upgrade(day(2))
    assert ((), FREE) == (license.events, license.state_at(day(3)))


# -- the aggregate guards what it is given ------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("team_id", ""),
        ("team_id", "has space"),
        ("team_id", "x" * 65),
        ("team_id", 7),
        ("timezone", "Nowhere/Land"),
        ("timezone", ["UTC"]),
        ("billing_timezone", "Nowhere/Land"),
        ("organisation_key", ""),
        ("organisation_key", " padded "),
        ("organisation_key", 3),
        ("initial_state", "paid"),
        ("policy", {"trial_days": 14}),
        ("events", "request_upgrade"),
        ("events", [{"kind": "upgrade"}]),
        ("version", -1),
        ("version", True),
        ("opened_at", datetime(9999, 1, 1, tzinfo=UTC)),
        ("opened_at", "2026-10-01T09:00:00Z"),
    ],
)
def test_a_licence_rejects_bad_fields_naming_them(field: str, value: object) -> None:
    fields: dict[str, object] = {"team_id": "c1", "opened_at": T0, field: value}
    with pytest.raises(ValidationError) as raised:
        License(**fields)  # type: ignore[arg-type]
    assert raised.value.problems[0].path.startswith(field)


def test_a_loaded_history_with_an_impossible_transition_is_rejected() -> None:
    with pytest.raises(ValidationError) as raised:
        License(
            team_id="c1",
            opened_at=T0,
            events=(LicenseEvent(kind="convert", at=day(2), to="full"),),
        )
    assert "events[0].kind" == raised.value.problems[0].path


def test_a_loaded_history_out_of_order_is_rejected() -> None:
    events = (
        LicenseEvent(kind="upgrade", at=day(3), to="full"),
        LicenseEvent(kind="downgrade", at=day(2), to="free"),
    )
    with pytest.raises(ValidationError) as raised:
        License(team_id="c1", opened_at=T0, events=events)
    assert "events[1].at" == raised.value.problems[0].path


def test_a_loaded_history_with_a_second_trial_is_rejected() -> None:
    events = (
        LicenseEvent(kind="request_upgrade", at=day(2), to="trial"),
        LicenseEvent(kind="cancel_trial", at=day(3), to="free"),
        LicenseEvent(kind="request_upgrade", at=day(4), to="trial"),
    )
    with pytest.raises(ValidationError) as raised:
        License(team_id="c1", opened_at=T0, events=events)
    assert "events[2].to" == raised.value.problems[0].path


def test_a_licence_can_be_rebuilt_from_its_fields() -> None:
    license, _ = full_with_a_downgrade_scheduled()
    rebuilt = License(**{f.name: getattr(license, f.name) for f in attrs.fields(License) if f.init})
    assert (license, license.timeline()) == (rebuilt, rebuilt.timeline())


# -- questions ---------------------------------------------------------------------------


def test_before_it_was_opened_a_licence_is_free() -> None:
    license = new(initial_state=FULL)
    assert (FREE, FULL) == (license.state_at(T0 - timedelta(microseconds=1)), license.state_at(T0))
    assert (
        LicenseInterval(FREE, day(-5), T0),
        LicenseInterval(FULL, T0, day(2)),
    ) == license.timeline(day(-5), day(2))


def test_the_timeline_starts_at_the_opening_by_default_and_runs_forever() -> None:
    assert (LicenseInterval(FREE, T0),) == new().timeline()


def test_an_empty_window_has_no_intervals() -> None:
    assert () == new().timeline(day(3), day(3))


def test_a_window_must_not_end_before_it_starts() -> None:
    with pytest.raises(ValidationError) as raised:
        new().timeline(day(3), day(2))
    assert "end" == raised.value.problems[0].path


def test_the_timeline_is_clipped_to_the_window() -> None:
    license = new().request_upgrade(day(2)).convert(day(5)).downgrade(day(20))
    assert (
        LicenseInterval(TRIAL, day(3), day(5)),
        LicenseInterval(FULL, day(5), day(20)),
        LicenseInterval(FREE, day(20), day(25)),
    ) == license.timeline(day(3), day(25))


def test_a_window_inside_one_interval_gives_that_interval() -> None:
    license = new().upgrade(day(2))
    assert (LicenseInterval(FULL, day(5), day(6)),) == license.timeline(day(5), day(6))


def test_licences_compare_by_their_recorded_fields() -> None:
    assert new().upgrade(day(2)) == new().upgrade(day(2))
    assert hash(new().upgrade(day(2))) == hash(new().upgrade(day(2)))
    assert new().upgrade(day(2)) != new().upgrade(day(3))


# -- properties --------------------------------------------------------------------------

WINDOW_OFFSETS = st.integers(-5 * 86_400, 200 * 86_400).map(lambda s: timedelta(seconds=s))


@given(licenses(), WINDOW_OFFSETS, WINDOW_OFFSETS)
def test_the_timeline_covers_its_window_contiguously_and_agrees_with_state_at(
    license: License, a: timedelta, b: timedelta
) -> None:
    start, end = sorted((license.opened_at + a, license.opened_at + b))
    intervals = license.timeline(start, end)
    if start == end:
        assert () == intervals
        return
    assert (start, end) == (intervals[0].start, intervals[-1].end)
    for left, right in pairwise(intervals):
        assert left.end == right.start
        assert left.state != right.state
    for interval in intervals:
        assert interval.end is not None
        assert interval.state == license.state_at(interval.start)
        assert interval.state == license.state_at(interval.end - timedelta(microseconds=1))


@given(licenses())
def test_the_open_ended_timeline_ends_with_the_state_forever(license: License) -> None:
    intervals = license.timeline()
    assert None is intervals[-1].end
    assert intervals[-1].state == license.state_at(datetime(9000, 1, 1, tzinfo=UTC))
    assert all(i.end is not None for i in intervals[:-1])


@given(licenses())
def test_a_licence_survives_a_round_trip_through_the_converter(license: License) -> None:
    converter = make_converter()
    data = unstructure(license, converter=converter)
    loaded = structure(data, License, converter=converter)
    assert (license, license.timeline()) == (loaded, loaded.timeline())


@given(licenses())
def test_a_licence_has_at_most_one_trial(license: License) -> None:
    trials = [i for i in license.timeline(license.opened_at) if i.state is TRIAL]
    assert len(trials) <= 1
    if trials:
        assert (license.trial_started_at, license.trial_ends_at) == (
            trials[0].start,
            trials[0].end,
        )
