# Assertions read ``expected == actual``.
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from partnercore import (
    AccessDeniedError,
    ConflictError,
    InvalidTransitionError,
    NotFoundError,
    StaleWriteError,
    ValidationError,
)
from partnercore.events import SYSTEM, Event, LicenseChanged, TrialStarted
from partnercore.licensing import (
    License,
    LicenseInterval,
    LicensePolicy,
    LicenseState,
    TrialEnding,
    cancel_trial,
    convert,
    downgrade,
    open_license,
    organisation_trial_used,
    request_upgrade,
    trial_available,
    trials_ending,
    upgrade,
)
from partnercore.memory import InMemoryStore
from partnercore.tenancy import Membership, Team, User

FREE, TRIAL, FULL = LicenseState.FREE, LicenseState.TRIAL, LicenseState.FULL
LONDON = ZoneInfo("Europe/London")
T0 = datetime(2026, 10, 1, tzinfo=UTC)
ORG = "clientone.example"


def day(n: int) -> datetime:
    return datetime(2026, 10, n, 9, tzinfo=UTC)


def add_client(
    store: InMemoryStore,
    team_id: str,
    *,
    key: str | None = None,
    created: datetime = T0,
    timezone: str = "UTC",
    partner: str = "p1",
) -> Team:
    team = Team.client(
        team_id,
        f"Client {team_id}",
        parent_id=partner,
        operated_by="client",
        billing_model="reseller",
        created_at=created,
        timezone=timezone,
        organisation_key=key,
    )
    store.teams.add(team)
    return team


@pytest.fixture
def store() -> InMemoryStore:
    """Partner p1 (billing in Paris) with clients c1, c2 (both of ORG) and c3; paula is
    p1's partner admin, alice its advisor, carol c1's client admin."""
    store = InMemoryStore()
    store.teams.add(Team.partner("p1", "Partner One", created_at=T0, timezone="Europe/Paris"))
    store.teams.add(Team.partner("p2", "Partner Two", created_at=T0))
    add_client(store, "c1", key=ORG, timezone="Europe/London")
    add_client(store, "c2", key=ORG)
    add_client(store, "c3")
    for user, team, role in [
        ("paula", "p1", "partner_admin"),
        ("alice", "p1", "advisor"),
        ("carol", "c1", "client_admin"),
        ("bob", "p2", "partner_admin"),
    ]:
        store.users.add(User(user, f"{user}@example.com"))
        store.memberships.add(Membership(user_id=user, team_id=team, role=role, active_from=T0))
    return store


def opened(store: InMemoryStore, team_id: str, **options: object) -> License:
    return open_license(store, team_id, at=T0, by=SYSTEM, **options)  # type: ignore[arg-type]


def kinds(events: list[Event]) -> list[str]:
    return [event.kind for event in events]


# -- opening ---------------------------------------------------------------------------------


def test_opening_stores_a_free_licence_at_version_one_with_the_teams_zone_and_key(
    store: InMemoryStore,
) -> None:
    license = opened(store, "c1")
    assert (1, FREE, "Europe/London", ORG, "Europe/Paris") == (
        license.version,
        license.state_at(T0),
        license.timezone,
        license.organisation_key,
        license.billing_timezone,
    )
    assert license == store.licenses.get("c1")


def test_opening_may_name_the_zones_and_the_key(store: InMemoryStore) -> None:
    license = opened(
        store, "c3", timezone="Asia/Tokyo", organisation_key="k.example", billing_timezone="UTC"
    )
    assert ("Asia/Tokyo", "k.example", "UTC") == (
        license.timezone,
        license.organisation_key,
        license.billing_timezone,
    )


def test_the_billing_zone_is_that_of_the_partner_the_client_has_when_the_licence_opens(
    store: InMemoryStore,
) -> None:
    add_client(store, "c4", partner="p2")

    assert "UTC" == opened(store, "c4").billing_timezone
    assert "Europe/Paris" == opened(store, "c3").billing_timezone


def test_a_client_whose_partner_is_not_stored_gets_no_guessed_billing_zone(
    store: InMemoryStore,
) -> None:
    add_client(store, "c4", partner="ghost")

    with pytest.raises(NotFoundError) as raised:
        open_license(store, "c4", at=T0, by=SYSTEM)

    assert ("team", "ghost") == (raised.value.kind, raised.value.id)
    assert store.licenses.find("c4") is None


def test_a_template_may_open_a_client_in_trial_or_full(store: InMemoryStore) -> None:
    trial = opened(store, "c1", initial_state="trial")
    full = opened(store, "c3", initial_state=FULL)
    assert (TRIAL, FULL) == (trial.state_at(T0), full.state_at(T0))


def test_opening_a_team_twice_conflicts(store: InMemoryStore) -> None:
    opened(store, "c1")
    with pytest.raises(ConflictError):
        opened(store, "c1", initial_state=FULL)
    assert FREE == store.licenses.get("c1").state_at(T0)


def test_opening_before_the_team_was_created_names_at_and_stores_nothing(
    store: InMemoryStore,
) -> None:
    add_client(store, "late", created=day(10))
    with pytest.raises(ValidationError) as raised:
        open_license(store, "late", at=day(9), by=SYSTEM)
    assert ["at"] == [problem.path for problem in raised.value.problems]
    assert (None, 0) == (store.licenses.find("late"), store.revision())


def test_opening_for_a_partner_team_names_the_team_and_stores_nothing(
    store: InMemoryStore,
) -> None:
    with pytest.raises(ValidationError) as raised:
        open_license(store, "p1", at=T0, by=SYSTEM)
    assert ["team_id"] == [problem.path for problem in raised.value.problems]
    assert (None, 0) == (store.licenses.find("p1"), store.revision())


def test_opening_for_an_unknown_team_raises_not_found(store: InMemoryStore) -> None:
    with pytest.raises(NotFoundError):
        open_license(store, "nobody", at=T0, by=SYSTEM)
    assert 0 == store.revision()


def test_the_services_save_every_transition(store: InMemoryStore) -> None:
    opened(store, "c3")
    request_upgrade(store, "c3", at=day(2), by=SYSTEM)
    convert(store, "c3", at=day(5), by=SYSTEM)
    downgrade(store, "c3", at=day(10), by=SYSTEM)
    upgrade(store, "c3", at=day(12), by=SYSTEM)
    final = downgrade(
        store, "c3", at=day(20), by=SYSTEM, at_period_end=True, billing_timezone="UTC"
    )
    assert final == store.licenses.get("c3")
    assert 6 == final.version
    assert (
        LicenseInterval(FREE, T0, day(2)),
        LicenseInterval(TRIAL, day(2), day(5)),
        LicenseInterval(FULL, day(5), day(10)),
        LicenseInterval(FREE, day(10), day(12)),
        LicenseInterval(FULL, day(12), datetime(2026, 11, 1, tzinfo=UTC)),
        LicenseInterval(FREE, datetime(2026, 11, 1, tzinfo=UTC)),
    ) == final.timeline()


def test_cancel_trial_through_the_service(store: InMemoryStore) -> None:
    opened(store, "c3")
    request_upgrade(store, "c3", at=day(2), by=SYSTEM)
    assert FREE == cancel_trial(store, "c3", at=day(3), by=SYSTEM).state_at(day(3))


def test_a_deferred_downgrade_takes_the_partners_billing_zone_unless_named(
    store: InMemoryStore,
) -> None:
    opened(store, "c3", initial_state=FULL)
    own = downgrade(store, "c3", at=day(5), by=SYSTEM, at_period_end=True)
    assert datetime(2026, 10, 31, 23, tzinfo=UTC) == own.events[-1].effective_at
    opened(store, "c2", initial_state=FULL)
    named = downgrade(store, "c2", at=day(5), by=SYSTEM, at_period_end=True, billing_timezone="UTC")
    assert datetime(2026, 11, 1, tzinfo=UTC) == named.events[-1].effective_at


def test_the_acceptance_trial_across_the_clock_change(store: InMemoryStore) -> None:
    opened(store, "c1", policy=LicensePolicy(on_trial_end="full"))
    license = request_upgrade(store, "c1", at=datetime(2026, 10, 20, 9, tzinfo=LONDON), by=SYSTEM)
    end = datetime(2026, 11, 3, 9, tzinfo=UTC)
    assert (datetime(2026, 11, 3, 9, tzinfo=LONDON), end) == (license.trial_ends_at, end)
    assert (
        LicenseInterval(TRIAL, datetime(2026, 10, 20, 8, tzinfo=UTC), end),
        LicenseInterval(FULL, end),
    ) == license.timeline(datetime(2026, 10, 20, 8, tzinfo=UTC))


# -- one trial per organisation ---------------------------------------------------------


def test_after_a_used_trial_request_upgrade_goes_straight_to_full_on_the_same_team(
    store: InMemoryStore,
) -> None:
    opened(store, "c1")
    request_upgrade(store, "c1", at=day(2), by=SYSTEM)
    cancel_trial(store, "c1", at=day(3), by=SYSTEM)
    license = request_upgrade(store, "c1", at=day(4), by=SYSTEM)
    assert (FULL, FULL) == (license.events[-1].to, license.state_at(day(4)))


def test_after_an_expired_trial_request_upgrade_goes_straight_to_full_on_the_same_team(
    store: InMemoryStore,
) -> None:
    opened(store, "c3")
    request_upgrade(store, "c3", at=day(2), by=SYSTEM)
    license = request_upgrade(store, "c3", at=day(30), by=SYSTEM)
    assert FULL == license.state_at(day(30))


def test_after_a_used_trial_request_upgrade_goes_to_full_on_another_team_of_the_organisation(
    store: InMemoryStore,
) -> None:
    opened(store, "c1")
    request_upgrade(store, "c1", at=day(2), by=SYSTEM)
    add_client(store, "c1-again", key=ORG, created=day(10))
    open_license(store, "c1-again", at=day(10), by=SYSTEM)
    license = request_upgrade(store, "c1-again", at=day(11), by=SYSTEM)
    assert (FULL, None) == (license.state_at(day(11)), license.trial_started_at)


def test_a_trial_in_progress_elsewhere_counts_as_used(store: InMemoryStore) -> None:
    opened(store, "c1")
    opened(store, "c2")
    request_upgrade(store, "c1", at=day(2), by=SYSTEM)
    assert FULL == request_upgrade(store, "c2", at=day(3), by=SYSTEM).state_at(day(3))


def test_a_template_trial_for_an_organisation_that_used_its_trial_opens_full(
    store: InMemoryStore,
) -> None:
    opened(store, "c1", initial_state=TRIAL)
    again = open_license(store, "c2", at=day(20), by=SYSTEM, initial_state=TRIAL)
    assert (FULL, None) == (again.state_at(day(20)), again.trial_started_at)


def test_a_template_trial_counts_as_the_organisations_trial(store: InMemoryStore) -> None:
    opened(store, "c1", initial_state=TRIAL)
    opened(store, "c2")
    assert FULL == request_upgrade(store, "c2", at=day(2), by=SYSTEM).state_at(day(2))


def test_teams_of_different_organisations_each_get_a_trial(store: InMemoryStore) -> None:
    opened(store, "c1")
    opened(store, "c2", organisation_key="other.example")
    opened(store, "c3")
    states = [
        request_upgrade(store, t, at=day(2), by=SYSTEM).state_at(day(2)) for t in ("c1", "c2", "c3")
    ]
    assert [TRIAL, TRIAL, TRIAL] == states


def test_organisation_keys_are_compared_exactly(store: InMemoryStore) -> None:
    opened(store, "c1")
    opened(store, "c2", organisation_key=ORG.upper())
    request_upgrade(store, "c1", at=day(2), by=SYSTEM)
    assert TRIAL == request_upgrade(store, "c2", at=day(3), by=SYSTEM).state_at(day(3))


def test_a_trial_dated_before_the_organisations_trial_conflicts_and_stores_nothing(
    store: InMemoryStore,
) -> None:
    opened(store, "c1")
    opened(store, "c2")
    request_upgrade(store, "c1", at=day(10), by=SYSTEM)
    with pytest.raises(ConflictError):
        organisation_trial_used(store, ORG, day(5), excluding="c2")
    before, revision = store.licenses.get("c2"), store.revision()
    with pytest.raises(ConflictError) as raised:
        request_upgrade(store, "c2", at=day(5), by=SYSTEM)
    assert ("c1", before, revision) == (
        raised.value.id,
        store.licenses.get("c2"),
        store.revision(),
    )


def test_a_template_trial_cannot_precede_the_organisations_trial(store: InMemoryStore) -> None:
    opened(store, "c1")
    request_upgrade(store, "c1", at=day(10), by=SYSTEM)
    with pytest.raises(ConflictError):
        open_license(store, "c2", at=day(5), by=SYSTEM, initial_state=TRIAL)
    assert store.licenses.find("c2") is None


def test_a_backdated_request_is_rejected_as_such_before_the_organisation_is_asked(
    store: InMemoryStore,
) -> None:
    open_license(store, "c1", at=day(5), by=SYSTEM)
    with pytest.raises(InvalidTransitionError):
        request_upgrade(store, "c1", at=day(4), by=SYSTEM)


def test_the_organisation_does_not_count_the_asking_team(store: InMemoryStore) -> None:
    opened(store, "c1")
    request_upgrade(store, "c1", at=day(2), by=SYSTEM)
    assert not organisation_trial_used(store, ORG, day(3), excluding="c1")
    assert organisation_trial_used(store, ORG, day(3))
    assert not organisation_trial_used(store, None, day(3))


def test_trial_available_considers_the_team_and_its_organisation(store: InMemoryStore) -> None:
    opened(store, "c1")
    opened(store, "c2")
    assert (True, True) == (
        trial_available(store, "c1", day(2)),
        trial_available(store, "c2", day(2)),
    )
    request_upgrade(store, "c1", at=day(3), by=SYSTEM)
    assert (False, False, False) == (
        trial_available(store, "c1", day(4)),
        trial_available(store, "c2", day(4)),
        trial_available(store, "c2", day(2)),  # it would precede the organisation's trial
    )


def test_upgrade_without_skipping_the_trial_obeys_the_organisation(store: InMemoryStore) -> None:
    opened(store, "c1")
    opened(store, "c2")
    assert TRIAL == upgrade(store, "c1", at=day(2), by=SYSTEM, skip_trial=False).state_at(day(2))
    assert FULL == upgrade(store, "c2", at=day(3), by=SYSTEM, skip_trial=False).state_at(day(3))


# -- failures change nothing --------------------------------------------------------------


def test_an_invalid_transition_through_a_service_stores_nothing(store: InMemoryStore) -> None:
    stored = opened(store, "c3")
    revision = store.revision()
    for service in (convert, cancel_trial, downgrade):
        with pytest.raises(InvalidTransitionError):
            service(store, "c3", at=day(2), by=SYSTEM)
    assert (stored, revision) == (store.licenses.get("c3"), store.revision())


def test_a_naive_instant_through_a_service_is_rejected_and_stores_nothing(
    store: InMemoryStore,
) -> None:
    stored = opened(store, "c1")
    with pytest.raises(ValidationError):
        request_upgrade(store, "c1", at=datetime(2026, 10, 2), by=SYSTEM)
    with pytest.raises(ValidationError):
        open_license(store, "c2", at=datetime(2026, 10, 2), by=SYSTEM)
    assert (stored, None, 1) == (
        store.licenses.get("c1"),
        store.licenses.find("c2"),
        len(store.events.since(0)),
    )


def test_an_actor_that_is_neither_a_user_id_nor_system_is_a_validation_error(
    store: InMemoryStore,
) -> None:
    for by in (None, "", "not an id", 7):
        with pytest.raises(ValidationError, match="by"):
            open_license(store, "c3", at=T0, by=by)  # type: ignore[arg-type]
    assert (None, 0) == (store.licenses.find("c3"), store.revision())


def test_a_service_on_an_unknown_team_raises_not_found(store: InMemoryStore) -> None:
    with pytest.raises(NotFoundError):
        upgrade(store, "nobody", at=day(2), by=SYSTEM)


def test_two_writers_the_second_gets_a_stale_write(store: InMemoryStore) -> None:
    opened(store, "c3")
    mine = store.licenses.get("c3")
    upgrade(store, "c3", at=day(2), by=SYSTEM)
    with pytest.raises(StaleWriteError):
        store.licenses.save(mine.request_upgrade(day(3)))
    assert FULL == store.licenses.get("c3").state_at(day(3))


def test_the_first_instant_after_a_trial_is_free(store: InMemoryStore) -> None:
    opened(store, "c3")
    license = request_upgrade(store, "c3", at=day(2), by=SYSTEM)
    assert license.trial_ends_at is not None
    assert FREE == license.state_at(license.trial_ends_at)
    assert TRIAL == license.state_at(license.trial_ends_at - timedelta(microseconds=1))
    assert isinstance(license, License)


def test_a_failure_later_in_the_hosts_unit_of_work_undoes_the_licence_and_its_events(
    store: InMemoryStore,
) -> None:
    opened(store, "c3")
    before, revision = store.licenses.get("c3"), store.revision()

    def host() -> None:
        with store.unit_of_work():
            request_upgrade(store, "c3", at=day(2), by=SYSTEM)
            raise RuntimeError("the host's own write failed")

    with pytest.raises(RuntimeError):
        host()
    assert (before, revision) == (store.licenses.get("c3"), store.revision())


# -- actors ---------------------------------------------------------------------------------

#: Every licence write service, run on c1 at day 5 by ``by`` (c1 is open and free then).
SERVICES: dict[str, Callable[[InMemoryStore, str], object]] = {
    "open_license": lambda s, by: open_license(s, "c3", at=day(5), by=by),
    "request_upgrade": lambda s, by: request_upgrade(s, "c1", at=day(5), by=by),
    "upgrade": lambda s, by: upgrade(s, "c1", at=day(5), by=by),
    "convert": lambda s, by: convert(s, "c2", at=day(5), by=by),
    "cancel_trial": lambda s, by: cancel_trial(s, "c2", at=day(5), by=by),
    "downgrade": lambda s, by: downgrade(s, "c3full", at=day(5), by=by),
}


@pytest.fixture
def actors(store: InMemoryStore) -> InMemoryStore:
    """c1 free, c2 in trial, c3full full (c3 has no licence yet)."""
    opened(store, "c1")
    opened(store, "c2", organisation_key="two.example", initial_state=TRIAL)
    add_client(store, "c3full")
    opened(store, "c3full", initial_state=FULL)
    return store


@pytest.mark.parametrize("service", sorted(SERVICES))
@pytest.mark.parametrize("by", ["alice", "carol", "bob"])
def test_a_user_without_license_manage_is_refused_with_the_decision_and_nothing_is_written(
    actors: InMemoryStore, service: str, by: str
) -> None:
    licenses = {team: actors.licenses.find(team) for team in ("c1", "c2", "c3", "c3full")}
    revision = actors.revision()
    with pytest.raises(AccessDeniedError) as raised:
        SERVICES[service](actors, by)
    decision = raised.value.decision
    assert decision is not None
    assert (False, True, True) == (
        decision.allowed,
        str(raised.value).startswith(f"{by} may not "),
        str(raised.value).endswith(decision.explanation),
    )
    assert (licenses, revision) == (
        {team: actors.licenses.find(team) for team in licenses},
        actors.revision(),
    )


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_an_unknown_user_is_refused_by_default(actors: InMemoryStore, service: str) -> None:
    revision = actors.revision()
    with pytest.raises(AccessDeniedError, match="unknown user 'mallory'") as raised:
        SERVICES[service](actors, "mallory")
    decision = raised.value.decision
    assert (False, "default", revision) == (
        decision.allowed,
        decision.rule.value,
        actors.revision(),
    )


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_the_clients_partner_admin_may_and_the_events_name_her(
    actors: InMemoryStore, service: str
) -> None:
    revision = actors.revision()
    SERVICES[service](actors, "paula")
    events = actors.events.since(revision)
    assert ["paula"] * len(events) == [event.by for event in events]
    assert "license_changed" == events[0].kind


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_system_may_and_the_events_say_system(actors: InMemoryStore, service: str) -> None:
    revision = actors.revision()
    SERVICES[service](actors, SYSTEM)
    assert {"system"} == {event.by for event in actors.events.since(revision)}


def test_a_user_may_manage_licences_only_while_a_partner_admin(store: InMemoryStore) -> None:
    opened(store, "c3")
    store.memberships.save(
        Membership(user_id="paula", team_id="p1", role="partner_admin", active_from=T0,
                   active_until=day(3))
    )  # fmt: skip
    with pytest.raises(AccessDeniedError):
        upgrade(store, "c3", at=day(4), by="paula")
    assert FREE == store.licenses.get("c3").state_at(day(4))


# -- events ---------------------------------------------------------------------------------


def test_each_licence_event_appends_a_licence_changed_event(store: InMemoryStore) -> None:
    opened(store, "c3")
    upgrade(store, "c3", at=day(2), by="paula")
    downgrade(store, "c3", at=day(3), by="paula", at_period_end=True)
    assert [
        LicenseChanged(
            at=T0, by="system", team_id="c3", change="open", state="free", effective_at=T0,
            version=1, revision=1,
        ),
        LicenseChanged(
            at=day(2), by="paula", team_id="c3", change="upgrade", state="full",
            effective_at=day(2), version=2, revision=2,
        ),
        LicenseChanged(
            at=day(3), by="paula", team_id="c3", change="downgrade", state="free",
            effective_at=datetime(2026, 10, 31, 23, tzinfo=UTC), version=3, revision=3,
        ),
    ] == store.events.since(0)  # fmt: skip


def test_a_trial_appends_trial_started_with_its_end(store: InMemoryStore) -> None:
    opened(store, "c1")
    license = request_upgrade(store, "c1", at=day(2), by="paula")
    assert ["license_changed", "trial_started"] == kinds(store.events.since(1))
    started = store.events.since(2)[0]
    assert TrialStarted(
        at=day(2), by="paula", team_id="c1", ends_at=license.trial_ends_at, organisation_key=ORG,
        revision=3,
    ) == started  # fmt: skip


def test_opening_in_trial_appends_trial_started_too(store: InMemoryStore) -> None:
    opened(store, "c1", initial_state=TRIAL)
    opened(store, "c2", initial_state=TRIAL)  # the organisation's trial is used: full
    assert [
        ("license_changed", "c1", "trial"),
        ("trial_started", "c1", None),
        ("license_changed", "c2", "full"),
    ] == [(e.kind, e.team_id, getattr(e, "state", None)) for e in store.events.since(0)]


def test_a_request_upgrade_that_gives_full_starts_no_trial(store: InMemoryStore) -> None:
    opened(store, "c1")
    opened(store, "c2")
    request_upgrade(store, "c1", at=day(2), by=SYSTEM)
    revision = store.revision()
    request_upgrade(store, "c2", at=day(3), by=SYSTEM)
    assert ["license_changed"] == kinds(store.events.since(revision))


def test_the_licence_events_are_the_teams_audit_trail(store: InMemoryStore) -> None:
    opened(store, "c1")
    opened(store, "c3")
    request_upgrade(store, "c1", at=day(2), by="paula")
    assert ["license_changed", "license_changed", "trial_started"] == kinds(
        store.events.about("c1")
    )


# -- trials ending --------------------------------------------------------------------------


def ending(team_id: str, ends: datetime, key: str | None = None) -> TrialEnding:
    return TrialEnding(team_id=team_id, ends_at=ends, organisation_key=key, becomes=FREE)


def test_trials_ending_lists_the_trials_that_end_within_the_window_soonest_first(
    store: InMemoryStore,
) -> None:
    for team in ("c1", "c3", "c4", "c5"):
        if store.teams.find(team) is None:
            add_client(store, team)
        opened(store, team)
    request_upgrade(store, "c3", at=day(2), by=SYSTEM)  # ends 16 Oct 09:00
    request_upgrade(store, "c1", at=day(3), by=SYSTEM)  # ends 17 Oct 09:00
    request_upgrade(store, "c4", at=day(6), by=SYSTEM)  # ends 20 Oct 09:00
    assert [ending("c3", day(16)), ending("c1", day(17), ORG)] == trials_ending(
        store, within=timedelta(days=3, hours=1), at=day(14)
    )
    assert [ending("c1", day(17), ORG)] == trials_ending(
        store, within=timedelta(days=3), at=day(16) + timedelta(microseconds=1)
    )
    assert [] == trials_ending(store, within=timedelta(hours=1), at=day(18))


def test_the_window_is_half_open(store: InMemoryStore) -> None:
    opened(store, "c3")
    request_upgrade(store, "c3", at=day(2), by=SYSTEM)  # ends 16 Oct 09:00
    assert ([], [ending("c3", day(16))]) == (
        trials_ending(store, within=timedelta(days=1), at=day(15)),
        trials_ending(store, within=timedelta(days=1), at=day(16)),
    )


def test_a_trial_converted_or_cancelled_is_not_ending(store: InMemoryStore) -> None:
    opened(store, "c1")
    opened(store, "c3")
    request_upgrade(store, "c1", at=day(2), by=SYSTEM)
    request_upgrade(store, "c3", at=day(2), by=SYSTEM)
    convert(store, "c1", at=day(4), by=SYSTEM)
    cancel_trial(store, "c3", at=day(5), by=SYSTEM)
    assert ([], []) == (
        trials_ending(store, within=timedelta(days=30), at=day(6)),
        trials_ending(store, within=timedelta(days=30), at=day(1)),
    )


def test_a_trial_ending_names_what_the_licence_becomes(store: InMemoryStore) -> None:
    opened(store, "c3", policy=LicensePolicy(trial_days=7, on_trial_end="full"))
    request_upgrade(store, "c3", at=day(2), by=SYSTEM)
    (found,) = trials_ending(store, within=timedelta(days=3), at=day(7))
    assert (day(9), FULL) == (found.ends_at, found.becomes)


def test_trials_ending_refuses_a_window_that_is_not_a_positive_duration(
    store: InMemoryStore,
) -> None:
    for within in (timedelta(0), timedelta(days=-1), 3, None):
        with pytest.raises(ValidationError, match="within"):
            trials_ending(store, within=within, at=day(1))  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="at"):
        trials_ending(store, within=timedelta(days=1), at=datetime(2026, 10, 1))


def test_a_huge_window_reaches_every_trial(store: InMemoryStore) -> None:
    opened(store, "c3")
    request_upgrade(store, "c3", at=day(2), by=SYSTEM)
    assert ["c3"] == [t.team_id for t in trials_ending(store, within=timedelta.max, at=day(3))]
