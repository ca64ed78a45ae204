"""Random event sequences against a small reference model of §4."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import attrs
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from partnercore import InvalidTransitionError
from partnercore.events import SYSTEM
from partnercore.licensing import (
    LicenseEventKind,
    LicensePolicy,
    LicenseState,
    cancel_trial,
    convert,
    downgrade,
    open_license,
    request_upgrade,
    upgrade,
)
from partnercore.memory import InMemoryStore
from partnercore.tenancy import Team
from partnercore.time import BillingPeriod, add_calendar_days
from tests.strategies.licensing import LICENSING_ZONES, license_policies, license_steps

FREE, TRIAL, FULL = LicenseState.FREE, LicenseState.TRIAL, LicenseState.FULL
TEAMS = ("c1", "c2", "c3")
ORGANISATIONS = (None, "one.example", "one.example", "two.example")
#: Machines start a little before daylight-saving changes (Europe, America, Lord Howe,
#: Chatham) and month ends, so trials and deferred downgrades cross them.
STARTS = tuple(
    datetime(2026, month, day, hour, tzinfo=UTC)
    for month, day, hour in [
        (1, 1, 0),
        (2, 25, 9),
        (3, 20, 23),
        (3, 27, 1),
        (9, 20, 14),
        (10, 20, 8),
    ]
)
TICK = timedelta(microseconds=1)

#: What each state accepts, written out again independently of the library's table.
ACCEPTS = {
    FREE: {LicenseEventKind.REQUEST_UPGRADE, LicenseEventKind.UPGRADE},
    TRIAL: {LicenseEventKind.CONVERT, LicenseEventKind.CANCEL_TRIAL},
    FULL: {LicenseEventKind.DOWNGRADE},
}


@attrs.define
class ModelLicence:
    """What a licence should be, simulated as time moves forward."""

    zone: str
    billing_zone: str
    organisation: str | None
    opened_at: datetime
    changes: list[tuple[datetime, LicenseState]]  # materialised, in order
    pending: tuple[datetime, LicenseState] | None = None  # a trial end or a deferred downgrade
    last_event_at: datetime | None = None
    trial: tuple[datetime, datetime] | None = None  # start, end

    def catch_up(self, now: datetime) -> None:
        if self.pending is not None and self.pending[0] <= now:
            self.changes.append(self.pending)
            self.pending = None

    def state_at(self, at: datetime) -> LicenseState:
        state = FREE
        for when, to in [*self.changes, *([self.pending] if self.pending else [])]:
            if when <= at:
                state = to
        return state


class LicenceMachine(RuleBasedStateMachine):
    teams = Bundle("teams")

    @initialize(policy=license_policies(), start=st.sampled_from(STARTS))
    def start(self, policy: LicensePolicy, start: datetime) -> None:
        self.store = InMemoryStore()
        self.store.teams.add(Team.partner("p", "P", created_at=min(STARTS)))
        self.licenses = self.store.licenses
        self.policy = policy
        self.now = start
        self.model: dict[str, ModelLicence] = {}

    # -- helpers ----------------------------------------------------------------------

    def trial_used(self, organisation: str | None, team: str) -> bool:
        model = self.model[team]
        if model.trial is not None:
            return True
        return organisation is not None and any(
            other.trial is not None and other.organisation == organisation
            for name, other in self.model.items()
            if name != team
        )

    def start_trial(self, model: ModelLicence, at: datetime) -> None:
        end = add_calendar_days(at, self.policy.trial_days, model.zone)
        model.trial = (at, end)
        model.pending = (end, self.policy.on_trial_end)

    # -- rules ------------------------------------------------------------------------

    @rule(
        target=teams,
        team=st.sampled_from(TEAMS),
        organisation=st.sampled_from(ORGANISATIONS),
        zone=st.sampled_from(LICENSING_ZONES),
        billing_zone=st.sampled_from(LICENSING_ZONES),
        initial=st.sampled_from(list(LicenseState)),
    )
    def open(
        self,
        team: str,
        organisation: str | None,
        zone: str,
        billing_zone: str,
        initial: LicenseState,
    ) -> str:
        if team in self.model:
            return team
        model = ModelLicence(zone, billing_zone, organisation, self.now, [(self.now, initial)])
        self.model[team] = model
        if initial is TRIAL and self.trial_used(organisation, team):
            model.changes = [(self.now, FULL)]
        elif initial is TRIAL:
            self.start_trial(model, self.now)
        self.store.teams.add(
            Team.client(
                team,
                team.upper(),
                parent_id="p",
                operated_by="client",
                billing_model="reseller",
                created_at=self.now,
                timezone=zone,
                organisation_key=organisation,
            )
        )
        opened = open_license(
            self.store,
            team,
            at=self.now,
            by=SYSTEM,
            timezone=zone,
            organisation_key=organisation,
            initial_state=initial,
            policy=self.policy,
            billing_timezone=billing_zone,
        )
        assert model.changes[0][1] == opened.state_at(self.now)
        return team

    @rule(step=st.one_of(license_steps(), st.integers(1, 72).map(lambda h: timedelta(hours=h))))
    def wait(self, step: timedelta) -> None:
        self.now += step

    @precondition(lambda self: any(m.pending for m in getattr(self, "model", {}).values()))
    @rule(data=st.data())
    def wait_for_a_scheduled_change(self, data: st.DataObject) -> None:
        due = sorted(m.pending[0] for m in self.model.values() if m.pending)
        when = data.draw(st.sampled_from(due))
        self.now = max(self.now, when + data.draw(st.sampled_from([-TICK, timedelta(0)])))

    @rule(team=teams, data=st.data(), at_period_end=st.booleans())
    def allowed_event(self, team: str, data: st.DataObject, at_period_end: bool) -> None:
        model = self.model[team]
        model.catch_up(self.now)
        kind = data.draw(st.sampled_from(sorted(ACCEPTS[model.state_at(self.now)])))
        self.event(team, kind, at_period_end)

    @rule(
        team=teams,
        kind=st.sampled_from(list(LicenseEventKind)),
        at_period_end=st.booleans(),
    )
    def event(self, team: str, kind: LicenseEventKind, at_period_end: bool) -> None:
        model = self.model[team]
        model.catch_up(self.now)
        state = model.state_at(self.now)
        before = self.licenses.get(team)
        if kind not in ACCEPTS[state]:
            with pytest.raises(InvalidTransitionError) as raised:
                self.send(team, kind, at_period_end)
            assert (state.value, kind.value) == (raised.value.state, raised.value.event)
            assert before == self.licenses.get(team)
            return
        self.send(team, kind, at_period_end)
        model.pending = None  # an event before a due change replaces it
        if kind is LicenseEventKind.REQUEST_UPGRADE and not self.trial_used(
            model.organisation, team
        ):
            model.changes.append((self.now, TRIAL))
            self.start_trial(model, self.now)
        elif kind in (LicenseEventKind.REQUEST_UPGRADE, LicenseEventKind.UPGRADE):
            model.changes.append((self.now, FULL))
        elif kind is LicenseEventKind.CONVERT:
            model.changes.append((self.now, FULL))
            model.trial = (model.trial[0], self.now) if model.trial else None
        elif kind is LicenseEventKind.CANCEL_TRIAL:
            model.changes.append((self.now, FREE))
            model.trial = (model.trial[0], self.now) if model.trial else None
        elif at_period_end:
            model.pending = (BillingPeriod.containing(self.now, model.billing_zone).end, FREE)
        else:
            model.changes.append((self.now, FREE))
        model.last_event_at = self.now

    @rule(
        team=teams,
        kind=st.sampled_from(list(LicenseEventKind)),
        back=st.integers(1, 10**12).map(lambda us: timedelta(microseconds=us)),
    )
    def backdated_event(self, team: str, kind: LicenseEventKind, back: timedelta) -> None:
        model = self.model[team]
        last = model.last_event_at or model.opened_at
        before = self.licenses.get(team)
        with pytest.raises(InvalidTransitionError) as raised:
            self.send(team, kind, False, at=last - back)
        assert "events are chronological" in str(raised.value)
        assert before == self.licenses.get(team)

    def send(
        self, team: str, kind: LicenseEventKind, at_period_end: bool, at: datetime | None = None
    ) -> None:
        when = self.now if at is None else at
        if kind is LicenseEventKind.REQUEST_UPGRADE:
            request_upgrade(self.store, team, at=when, by=SYSTEM)
        elif kind is LicenseEventKind.UPGRADE:
            upgrade(self.store, team, at=when, by=SYSTEM)
        elif kind is LicenseEventKind.CONVERT:
            convert(self.store, team, at=when, by=SYSTEM)
        elif kind is LicenseEventKind.CANCEL_TRIAL:
            cancel_trial(self.store, team, at=when, by=SYSTEM)
        else:
            downgrade(self.store, team, at=when, by=SYSTEM, at_period_end=at_period_end)

    # -- invariants -------------------------------------------------------------------

    def windows(self, team: str) -> list[tuple[datetime, datetime | None]]:
        opened = self.model[team].opened_at
        return [
            (opened - timedelta(days=1), self.now + timedelta(days=60)),
            (opened, None),
            (self.now, self.now + timedelta(hours=1)),
        ]

    @invariant()
    def timelines_are_contiguous_cover_their_window_and_agree_with_state_at(self) -> None:
        for team in self.model:
            license = self.licenses.get(team)
            for start, end in self.windows(team):
                intervals = license.timeline(start, end)
                assert (start, end) == (intervals[0].start, intervals[-1].end)
                for left, right in pairwise(intervals):
                    assert left.end == right.start  # contiguous, so no overlap or gap
                    assert left.state != right.state
                for interval in intervals:
                    assert interval.state == license.state_at(interval.start)
                    last = (interval.end or interval.start + timedelta(days=999)) - TICK
                    assert interval.state == license.state_at(last)

    @invariant()
    def the_licence_agrees_with_the_model(self) -> None:
        for team, model in self.model.items():
            license = self.licenses.get(team)
            instants = {self.now, model.opened_at - TICK, self.now + timedelta(days=400)}
            for when, _ in [*model.changes, *([model.pending] if model.pending else [])]:
                instants |= {when - TICK, when, when + TICK}
            for when in sorted(instants):
                assert model.state_at(when) == license.state_at(when), when
            assert model.trial == (
                None
                if license.trial_started_at is None
                else (license.trial_started_at, license.trial_ends_at)
            )

    @invariant()
    def at_most_one_trial_per_organisation(self) -> None:
        trials = Counter(
            license.organisation_key
            for team in self.model
            for license in [self.licenses.get(team)]
            if license.organisation_key is not None and license.has_used_trial
        )
        assert all(count == 1 for count in trials.values())


LicenceMachine.TestCase.settings = settings(stateful_step_count=30)
test_licence_state_machine = LicenceMachine.TestCase
