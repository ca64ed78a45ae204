"""The licence aggregate: a client team's recorded licence events and what follows from them."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from datetime import UTC, datetime

import attrs

from partnercore._errors import InvalidTransitionError, ValidationError
from partnercore._fields import id_validator, optional_instant, to_enum
from partnercore._trusted import trusted_builder
from partnercore.licensing._events import LicenseEvent
from partnercore.licensing._intervals import LicenseInterval
from partnercore.licensing._policy import LicensePolicy
from partnercore.licensing._states import TRANSITIONS, LicenseEventKind, LicenseState
from partnercore.time import (
    BillingPeriod,
    add_calendar_days,
    check_timezone,
    ensure_aware,
    format_instant,
)

__all__ = ["License", "instant"]

#: A timeline's intervals, built from a licence's own checked starts and states.
_interval = trusted_builder(LicenseInterval)

_MAX_KEY = 256
_LATEST_YEAR = 9980  # leaves room for a ten-year trial and the next billing period
_BEFORE_EVERYTHING = datetime.min.replace(tzinfo=UTC)


def instant(value: object, field: str) -> datetime:
    """``value`` as an aware UTC datetime the licence can do calendar arithmetic with."""
    result = ensure_aware(value, field)
    if not 2 <= result.year <= _LATEST_YEAR:
        raise ValidationError.at(field, f"year must be 2..{_LATEST_YEAR}, got {result.year}")
    return result


def _organisation_key(value: object) -> str | None:
    if value is None:
        return None
    if (
        not isinstance(value, str)
        or not value
        or value != value.strip()
        or len(value) > _MAX_KEY
        or not value.isprintable()
    ):
        raise ValidationError.at(
            "organisation_key",
            f"expected a non-empty printable string of at most {_MAX_KEY} characters "
            f"without surrounding spaces, or None; got {value!r}",
        )
    return value


def _opened_at(value: object) -> datetime:
    return instant(value, "opened_at")


def _initial_state(value: object) -> LicenseState:
    return to_enum(LicenseState, value, "initial_state")


def _policy(_: object, __: object, value: object) -> None:
    if not isinstance(value, LicensePolicy):
        raise ValidationError.at("policy", f"expected a LicensePolicy, got {value!r}")


def _events(value: object) -> tuple[LicenseEvent, ...]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise ValidationError.at("events", f"expected a sequence of LicenseEvent, got {value!r}")
    events = tuple(value)
    for index, event in enumerate(events):
        if not isinstance(event, LicenseEvent):
            raise ValidationError.at(f"events[{index}]", f"expected a LicenseEvent, got {event!r}")
        instant(event.at, f"events[{index}].at")
        instant(event.effective_at, f"events[{index}].effective_at")
    return events


def _version(_: object, __: object, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationError.at("version", f"expected a non-negative integer, got {value!r}")


def _zone(value: object, field: str) -> None:
    check_timezone(value, field)


def _timezone(_: object, __: object, value: object) -> None:
    _zone(value, "timezone")


def _billing_timezone(_: object, __: object, value: object) -> None:
    _zone(value, "billing_timezone")


def _allowed(state: LicenseState) -> str:
    return ", ".join(kind.value for kind in TRANSITIONS[state])


@attrs.frozen(kw_only=True)
class License:
    """The licence of one client team: its recorded events, and the states they imply.

    A licence is immutable: every event method returns a new ``License`` with the event
    recorded (the original is unchanged), or raises and records nothing. The state at any
    instant, the timeline and the trial's end are derived from the recorded events, the
    team's time zone and the policy; trial expiry needs no event and no scheduler.

    ``version`` is the stored version this copy was loaded at (``0``: never stored); the
    repository uses it for optimistic concurrency. Before ``opened_at`` the licence is
    ``free`` (nothing is ever charged for time before a licence existed).
    """

    team_id: str = attrs.field(validator=id_validator)
    opened_at: datetime = attrs.field(converter=_opened_at)
    timezone: str = attrs.field(default="UTC", validator=_timezone)
    organisation_key: str | None = attrs.field(default=None, converter=_organisation_key)
    initial_state: LicenseState = attrs.field(default=LicenseState.FREE, converter=_initial_state)
    policy: LicensePolicy = attrs.field(factory=LicensePolicy, validator=_policy)
    billing_timezone: str = attrs.field(default="UTC", validator=_billing_timezone)
    events: tuple[LicenseEvent, ...] = attrs.field(default=(), converter=_events)
    version: int = attrs.field(default=0, validator=_version)

    # Derived from the fields above when the licence is built (not part of equality).
    _starts: tuple[datetime, ...] = attrs.field(init=False, eq=False, repr=False)
    _states: tuple[LicenseState, ...] = attrs.field(init=False, eq=False, repr=False)
    _trial_started_at: datetime | None = attrs.field(init=False, eq=False, repr=False)
    _trial_ends_at: datetime | None = attrs.field(init=False, eq=False, repr=False)

    # -- opening ----------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        team_id: str,
        at: datetime,
        *,
        timezone: str = "UTC",
        organisation_key: str | None = None,
        initial_state: LicenseState | str = LicenseState.FREE,
        policy: LicensePolicy | None = None,
        billing_timezone: str = "UTC",
        trial_used: bool = False,
    ) -> License:
        """A new licence for ``team_id`` starting at ``at`` in ``initial_state``.

        Starting in ``trial`` is a trial like any other: when ``trial_used`` says the
        organisation already used its trial, the licence starts ``full`` instead, exactly
        as ``request_upgrade`` would decide.
        """
        state = to_enum(LicenseState, initial_state, "initial_state")
        if state is LicenseState.TRIAL and _flag(trial_used, "trial_used"):
            state = LicenseState.FULL
        return cls(
            team_id=team_id,
            opened_at=at,
            timezone=timezone,
            organisation_key=organisation_key,
            initial_state=state,
            policy=LicensePolicy() if policy is None else policy,
            billing_timezone=billing_timezone,
        )

    # -- events -----------------------------------------------------------------------

    def request_upgrade(self, at: datetime, *, trial_used: bool = False) -> License:
        """``free`` -> ``trial`` if no trial was used, else ``full`` paid from ``at``.

        ``trial_used`` tells the licence that another team of its organisation used a
        trial at or before ``at``; the licence knows its own history itself.
        """
        used = _flag(trial_used, "trial_used")
        when = self._check(LicenseEventKind.REQUEST_UPGRADE, at)
        to = LicenseState.FULL if used or self.has_used_trial else LicenseState.TRIAL
        return self._record(LicenseEvent(kind=LicenseEventKind.REQUEST_UPGRADE, at=when, to=to))

    def upgrade(
        self, at: datetime, *, skip_trial: bool = True, trial_used: bool = False
    ) -> License:
        """``free`` -> ``full`` paid from ``at``.

        With ``skip_trial=False`` this is :meth:`request_upgrade` (and is recorded as one).
        """
        if not _flag(skip_trial, "skip_trial"):
            return self.request_upgrade(at, trial_used=trial_used)
        _flag(trial_used, "trial_used")
        when = self._check(LicenseEventKind.UPGRADE, at)
        return self._record(
            LicenseEvent(kind=LicenseEventKind.UPGRADE, at=when, to=LicenseState.FULL)
        )

    def convert(self, at: datetime) -> License:
        """``trial`` -> ``full`` paid from ``at``; ``at`` must be before the trial end."""
        when = self._check(LicenseEventKind.CONVERT, at)
        return self._record(
            LicenseEvent(kind=LicenseEventKind.CONVERT, at=when, to=LicenseState.FULL)
        )

    def cancel_trial(self, at: datetime) -> License:
        """``trial`` -> ``free`` from ``at``."""
        when = self._check(LicenseEventKind.CANCEL_TRIAL, at)
        return self._record(
            LicenseEvent(kind=LicenseEventKind.CANCEL_TRIAL, at=when, to=LicenseState.FREE)
        )

    def downgrade(
        self,
        at: datetime,
        *,
        at_period_end: bool = False,
        billing_timezone: str | None = None,
    ) -> License:
        """``full`` -> ``free``: from ``at``, or with ``at_period_end=True`` from the start
        of the billing period after the one containing ``at``.

        Billing periods are calendar months in ``billing_timezone`` (default: the
        licence's own ``billing_timezone``). Until then the licence stays ``full``; the only
        event it accepts meanwhile is another downgrade, which replaces the scheduled one.
        """
        deferred = _flag(at_period_end, "at_period_end")
        zone = self.billing_timezone if billing_timezone is None else billing_timezone
        _zone(zone, "billing_timezone")
        when = self._check(LicenseEventKind.DOWNGRADE, at)
        effective = BillingPeriod.containing(when, zone).end if deferred else when
        return self._record(
            LicenseEvent(
                kind=LicenseEventKind.DOWNGRADE,
                at=when,
                to=LicenseState.FREE,
                effective_at=effective,
            )
        )

    # -- questions --------------------------------------------------------------------

    def state_at(self, at: datetime) -> LicenseState:
        """The state at instant ``at`` (``free`` before the licence was opened)."""
        when = ensure_aware(at, "at")
        return self._states[bisect_right(self._starts, when) - 1]

    def timeline(
        self, start: datetime | None = None, end: datetime | None = None
    ) -> tuple[LicenseInterval, ...]:
        """The states over ``[start, end)`` as contiguous intervals, oldest first.

        ``start`` defaults to ``opened_at``; ``end=None`` runs forever (the last interval
        is then open-ended). The intervals cover the window exactly, never overlap, and two
        neighbours never share a state. An empty window gives no intervals.
        """
        begin = self.opened_at if start is None else ensure_aware(start, "start")
        stop = optional_instant(end, "end")
        if stop is not None and stop < begin:
            raise ValidationError.at(
                "end",
                f"must not be before start {format_instant(begin)}, got {format_instant(stop)}",
            )
        if stop == begin:
            return ()
        starts, states = self._starts, self._states
        index = bisect_right(starts, begin) - 1
        intervals: list[LicenseInterval] = []
        lower = begin
        while True:
            upper = starts[index + 1] if index + 1 < len(starts) else None
            # In UTC, each after its start, states as recorded: built without checking again.
            if stop is not None and (upper is None or upper >= stop):
                intervals.append(_interval(state=states[index], start=lower, end=stop))
                break
            intervals.append(_interval(state=states[index], start=lower, end=upper))
            if upper is None:
                break
            lower = upper
            index += 1
        return tuple(intervals)

    @property
    def last_event_at(self) -> datetime:
        """When the last event happened (``opened_at`` when none was recorded)."""
        return self.events[-1].at if self.events else self.opened_at

    @property
    def trial_started_at(self) -> datetime | None:
        """When this licence's trial started (``None``: it never had one)."""
        return self._trial_started_at

    @property
    def trial_ends_at(self) -> datetime | None:
        """When this licence's trial ends or ended (``None``: it never had one).

        The policy's end (``trial_days`` calendar days after the start, same local
        wall-clock time in the team's time zone), or the instant it was converted or
        cancelled if that came first.
        """
        return self._trial_ends_at

    @property
    def has_used_trial(self) -> bool:
        """Whether this licence ever had a trial."""
        return self._trial_started_at is not None

    @property
    def trial_available(self) -> bool:
        """Whether this licence's own history leaves a trial available.

        The organisation's other teams are not considered here: ask the service
        :func:`partnercore.licensing.trial_available`, which loads them.
        """
        return self._trial_started_at is None

    # -- internals --------------------------------------------------------------------

    def _check(self, kind: LicenseEventKind, at: object) -> datetime:
        """``at`` in UTC, if ``kind`` may happen then; else raise and record nothing."""
        when = instant(at, "at")
        last = self.last_event_at
        if when < last:
            what = "the last recorded event" if self.events else "the licence was opened"
            raise InvalidTransitionError(
                self.state_at(last).value,
                kind.value,
                f"dated {format_instant(when)}, before {what} at {format_instant(last)}: "
                "events are chronological",
            )
        state = self.state_at(when)
        if kind not in TRANSITIONS[state]:
            raise InvalidTransitionError(state.value, kind.value, self._why_not(state, when))
        return when

    def _why_not(self, state: LicenseState, when: datetime) -> str:
        reason = f"in state {state.value!r} only {_allowed(state)} can happen"
        ends = self._trial_ends_at
        if state is LicenseState.TRIAL and ends is not None:
            return f"{reason} (the trial runs until {format_instant(ends)})"
        if ends is not None and ends <= when and self._trial_started_at is not None:
            return f"{reason} (the trial ended at {format_instant(ends)})"
        return reason

    def _record(self, event: LicenseEvent) -> License:
        return attrs.evolve(self, events=(*self.events, event))

    def _trial_end(self, start: datetime) -> datetime:
        return add_calendar_days(start, self.policy.trial_days, self.timezone)

    def __attrs_post_init__(self) -> None:
        replay = _Replay(self.opened_at, self.initial_state)
        if self.initial_state is LicenseState.TRIAL:
            replay.start_trial(self.opened_at, self._trial_end(self.opened_at), self.policy)
        last = self.opened_at
        for index, event in enumerate(self.events):
            if event.at < last:
                raise ValidationError.at(
                    f"events[{index}].at",
                    f"{format_instant(event.at)} is before {format_instant(last)}",
                )
            replay.apply(event, f"events[{index}]", self)
            last = event.at
        replay.finish()
        object.__setattr__(self, "_starts", tuple(replay.starts))
        object.__setattr__(self, "_states", tuple(replay.states))
        object.__setattr__(self, "_trial_started_at", replay.trial_started)
        object.__setattr__(self, "_trial_ends_at", replay.trial_ends)


class _Replay:
    """A licence's events replayed in order: the instants its state changes, and its trial.

    ``pending`` is a change due later: the trial's end, or a downgrade at period end.
    """

    __slots__ = ("pending", "starts", "states", "trial_ends", "trial_started")

    def __init__(self, opened_at: datetime, initial_state: LicenseState) -> None:
        self.starts: list[datetime] = [_BEFORE_EVERYTHING]
        self.states: list[LicenseState] = [LicenseState.FREE]
        self.trial_started: datetime | None = None
        self.trial_ends: datetime | None = None
        self.pending: tuple[datetime, LicenseState] | None = None
        self.change(opened_at, initial_state)

    def change(self, at: datetime, state: LicenseState) -> None:
        starts, states = self.starts, self.states
        if starts[-1] == at:
            states[-1] = state
            if len(states) > 1 and states[-2] is state:
                starts.pop()
                states.pop()
        elif states[-1] is not state:
            starts.append(at)
            states.append(state)

    def start_trial(self, at: datetime, ends: datetime, policy: LicensePolicy) -> None:
        self.trial_started = at
        self.trial_ends = ends
        self.pending = (ends, policy.on_trial_end)

    def apply(self, event: LicenseEvent, path: str, license: License) -> None:
        """Replays ``event``, or raises naming ``path`` if it may not happen then."""
        if self.pending is not None and self.pending[0] <= event.at:
            self.change(*self.pending)
            self.pending = None
        state = self.states[-1]
        if event.kind not in TRANSITIONS[state]:
            raise ValidationError.at(
                f"{path}.kind", f"cannot {event.kind.value} in state {state.value!r}"
            )
        if self.pending is not None:
            # The event happens before the due change and replaces it: a trial converted
            # or cancelled early, or a scheduled downgrade superseded.
            if state is LicenseState.TRIAL:
                self.trial_ends = event.at
            self.pending = None
        if event.to is LicenseState.TRIAL:
            if self.trial_started is not None:
                raise ValidationError.at(f"{path}.to", "the licence already had a trial")
            self.start_trial(event.at, license._trial_end(event.at), license.policy)
        if event.deferred:
            self.pending = (event.effective_at, event.to)
        else:
            self.change(event.at, event.to)

    def finish(self) -> None:
        if self.pending is not None:
            self.change(*self.pending)
            self.pending = None


def _flag(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise ValidationError.at(name, f"expected True or False, got {value!r}")
    return value
