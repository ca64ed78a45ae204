"""Licence policies and event sequences."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import strategies as st

from partnercore.licensing import (
    TRANSITIONS,
    License,
    LicenseEventKind,
    LicensePolicy,
    LicenseState,
)

#: Zones for licences: DST in both hemispheres, half-hour DST, odd offsets, and UTC.
LICENSING_ZONES = (
    "UTC",
    "Europe/London",
    "America/New_York",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Asia/Kolkata",
)

#: Licences in these tests open on or after this instant.
LICENSE_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


def license_policies() -> st.SearchStrategy[LicensePolicy]:
    """Short and standard trials, ending free or full."""
    return st.builds(
        LicensePolicy,
        trial_days=st.one_of(st.just(14), st.integers(1, 31)),
        on_trial_end=st.sampled_from([LicenseState.FREE, LicenseState.FULL]),
    )


def license_steps() -> st.SearchStrategy[timedelta]:
    """How far time moves between two licence events: nothing, minutes or weeks."""
    return st.one_of(
        st.just(timedelta(0)),
        st.integers(1, 60 * 24 * 3).map(lambda m: timedelta(minutes=m)),
        st.integers(1, 45).map(lambda d: timedelta(days=d)),
    )


def apply_license_event(
    license: License,
    kind: LicenseEventKind,
    at: datetime,
    *,
    at_period_end: bool = False,
    trial_used: bool = False,
) -> License:
    """Call the licence's method for ``kind`` (the aggregate, not a service)."""
    if kind is LicenseEventKind.REQUEST_UPGRADE:
        return license.request_upgrade(at, trial_used=trial_used)
    if kind is LicenseEventKind.UPGRADE:
        return license.upgrade(at)
    if kind is LicenseEventKind.CONVERT:
        return license.convert(at)
    if kind is LicenseEventKind.CANCEL_TRIAL:
        return license.cancel_trial(at)
    return license.downgrade(at, at_period_end=at_period_end)


@st.composite
def licenses(draw: st.DrawFn, *, max_events: int = 6) -> License:
    """A licence with a random valid history: any zone and policy, events of every kind,
    instants exactly on trial ends and scheduled downgrades, deferred downgrades."""
    opened_at = LICENSE_EPOCH + draw(license_steps())
    license = License.open(
        "c1",
        opened_at,
        timezone=draw(st.sampled_from(LICENSING_ZONES)),
        organisation_key=draw(st.sampled_from([None, "one.example"])),
        initial_state=draw(st.sampled_from(list(LicenseState))),
        policy=draw(license_policies()),
        billing_timezone=draw(st.sampled_from(LICENSING_ZONES)),
    )
    at = opened_at
    for _ in range(draw(st.integers(0, max_events))):
        ahead = [s.start for s in license.timeline(at) if s.start > at]
        jump = draw(st.booleans())  # sometimes exactly when the next change takes effect
        at = draw(st.sampled_from(ahead)) if ahead and jump else at + draw(license_steps())
        kind = draw(st.sampled_from(sorted(TRANSITIONS[license.state_at(at)])))
        license = apply_license_event(
            license,
            kind,
            at,
            at_period_end=draw(st.booleans()),
            trial_used=draw(st.booleans()),
        )
    return license
