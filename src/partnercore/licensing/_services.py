"""Licence services: authorise the actor, load, decide in the aggregate, save, append events.

Every write service runs in one unit of work of the store (joining the caller's when one is
open): the one-trial-per-organisation rule is checked and the licence saved in the same
transaction, so two trials requested at once for one organisation give one trial.
"""

from __future__ import annotations

from datetime import datetime

from partnercore._errors import ConflictError, ValidationError
from partnercore._fields import check_id, to_enum
from partnercore.events import Actor, Event, LicenseChanged, TrialStarted, actor_id, check_actor
from partnercore.licensing._license import License, instant
from partnercore.licensing._policy import LicensePolicy
from partnercore.licensing._ports import LicensingStore
from partnercore.licensing._states import LicenseState
from partnercore.tenancy import Permission, Team, authorise, client_partner_at
from partnercore.time import format_instant

__all__ = [
    "cancel_trial",
    "convert",
    "downgrade",
    "open_license",
    "organisation_trial_used",
    "request_upgrade",
    "trial_available",
    "upgrade",
]


def organisation_trial_used(
    store: LicensingStore,
    organisation_key: str | None,
    at: datetime,
    *,
    excluding: str | None = None,
) -> bool:
    """Whether a team of the organisation started a trial at or before ``at``.

    ``excluding`` leaves one team out (the one asking, which knows its own history).
    A trial that another team of the organisation started *after* ``at`` cannot be
    ordered after a new one: :class:`~partnercore.ConflictError` (see docs/licensing.md).
    """
    when = instant(at, "at")
    if organisation_key is None:
        return False
    used = False
    later: License | None = None
    for other in store.licenses.for_organisation(organisation_key):
        started = other.trial_started_at
        if other.team_id == excluding or started is None:
            continue
        if started <= when:
            used = True
        elif later is None:
            later = other
    if not used and later is not None and later.trial_started_at is not None:
        raise ConflictError(
            f"organisation {organisation_key!r} already has a trial, on team "
            f"{later.team_id!r} from {format_instant(later.trial_started_at)}; a trial "
            f"dated {format_instant(when)} would come before it and make it a second trial: "
            "record the organisation's licence events in chronological order",
            kind="license",
            id=later.team_id,
        )
    return used


def trial_available(store: LicensingStore, team_id: str, at: datetime) -> bool:
    """Whether ``request_upgrade`` for ``team_id`` at ``at`` would start a trial.

    False once the team or any team with its ``organisation_key`` used a trial at or
    before ``at``. (Whether the licence is ``free`` at ``at`` is not asked here.)
    """
    license = store.licenses.get(team_id)
    if not license.trial_available:
        return False
    try:
        return not organisation_trial_used(store, license.organisation_key, at, excluding=team_id)
    except ConflictError:
        return False


def open_license(
    store: LicensingStore,
    team_id: str,
    *,
    at: datetime,
    by: Actor,
    timezone: str | None = None,
    organisation_key: str | None = None,
    initial_state: LicenseState | str = LicenseState.FREE,
    policy: LicensePolicy | None = None,
    billing_timezone: str | None = None,
) -> License:
    """Create and store the licence of the client team ``team_id``, starting at ``at``.

    ``timezone`` and ``organisation_key`` default to the client team's own;
    ``billing_timezone`` to its partner's time zone (the partner's billing time zone).
    ``at`` may not be before the team was created. ``initial_state`` comes from the
    client's template (default ``free``). Starting in ``trial`` obeys the
    one-trial-per-organisation rule: if the organisation already used its trial, the
    licence starts ``full``, as ``request_upgrade`` would decide. ``by`` needs
    ``license.manage`` on the client (its partner's admins), or is
    :data:`~partnercore.events.SYSTEM`.
    """
    check_id(team_id, "team_id")
    when = instant(at, "at")
    check_actor(by)
    state = to_enum(LicenseState, initial_state, "initial_state")
    with store.unit_of_work():
        team = _licensed_team(store, team_id, when)
        authorise(
            store, by, Permission.LICENSE_MANAGE, team_id, when, f"open the licence of {team_id}"
        )
        key = team.organisation_key if organisation_key is None else organisation_key
        if billing_timezone is None:
            billing_timezone = _partner_timezone(store, team, when)
        trial_used = state is LicenseState.TRIAL and organisation_trial_used(
            store, key, when, excluding=team_id
        )
        license = License.open(
            team_id,
            when,
            timezone=team.timezone if timezone is None else timezone,
            organisation_key=key,
            initial_state=state,
            policy=policy,
            billing_timezone=billing_timezone,
            trial_used=trial_used,
        )
        stored = store.licenses.add(license)
        store.events.append(_opened(stored, by))
        return stored


def _licensed_team(store: LicensingStore, team_id: str, at: datetime) -> Team:
    """The client team a licence opens for at ``at``: licences belong to existing clients."""
    team = store.teams.get(team_id)
    if not team.is_client:
        raise ValidationError.at(
            "team_id", f"{team_id!r} is a partner team; licences belong to client teams"
        )
    if at < team.created_at:
        raise ValidationError.at(
            "at",
            f"the licence of {team_id} cannot open at {format_instant(at)}, before the "
            f"team was created at {format_instant(team.created_at)}",
        )
    return team


def _partner_timezone(store: LicensingStore, client: Team, at: datetime) -> str:
    """The time zone of the client's partner at ``at``: its billing time zone."""
    partner_id = client_partner_at(client, store.history.for_team(client.id), at)
    return store.teams.get(partner_id).timezone


def request_upgrade(store: LicensingStore, team_id: str, *, at: datetime, by: Actor) -> License:
    """``free`` -> ``trial``, or ``full`` when the team's organisation already used its trial.

    ``by`` needs ``license.manage`` on the client, or is ``SYSTEM``.
    """
    with store.unit_of_work():
        license = _load(store, team_id, at, by, f"request an upgrade for {team_id}")
        used = _trial_used_elsewhere(store, license, at)
        return _save(store, license.request_upgrade(at, trial_used=used), by)


def upgrade(
    store: LicensingStore, team_id: str, *, at: datetime, by: Actor, skip_trial: bool = True
) -> License:
    """``free`` -> ``full`` paid from ``at`` (``skip_trial=False``: :func:`request_upgrade`).

    ``by`` needs ``license.manage`` on the client, or is ``SYSTEM``.
    """
    with store.unit_of_work():
        license = _load(store, team_id, at, by, f"upgrade {team_id}")
        if skip_trial is False:
            used = _trial_used_elsewhere(store, license, at)
            return _save(store, license.upgrade(at, skip_trial=False, trial_used=used), by)
        return _save(store, license.upgrade(at, skip_trial=skip_trial), by)


def convert(store: LicensingStore, team_id: str, *, at: datetime, by: Actor) -> License:
    """``trial`` -> ``full`` paid from ``at`` (before the trial ends).

    ``by`` needs ``license.manage`` on the client, or is ``SYSTEM``.
    """
    with store.unit_of_work():
        license = _load(store, team_id, at, by, f"convert the trial of {team_id}")
        return _save(store, license.convert(at), by)


def cancel_trial(store: LicensingStore, team_id: str, *, at: datetime, by: Actor) -> License:
    """``trial`` -> ``free`` from ``at``.

    ``by`` needs ``license.manage`` on the client, or is ``SYSTEM``.
    """
    with store.unit_of_work():
        license = _load(store, team_id, at, by, f"cancel the trial of {team_id}")
        return _save(store, license.cancel_trial(at), by)


def downgrade(
    store: LicensingStore,
    team_id: str,
    *,
    at: datetime,
    by: Actor,
    at_period_end: bool = False,
    billing_timezone: str | None = None,
) -> License:
    """``full`` -> ``free`` from ``at``, or from the next billing period with ``at_period_end``.

    ``by`` needs ``license.manage`` on the client, or is ``SYSTEM``.
    """
    with store.unit_of_work():
        license = _load(store, team_id, at, by, f"downgrade {team_id}")
        changed = license.downgrade(
            at, at_period_end=at_period_end, billing_timezone=billing_timezone
        )
        return _save(store, changed, by)


def _load(store: LicensingStore, team_id: str, at: datetime, by: Actor, doing: str) -> License:
    """The licence of ``team_id``, once ``by`` is allowed to ``doing`` at ``at``."""
    check_id(team_id, "team_id")
    when = instant(at, "at")
    check_actor(by)
    authorise(store, by, Permission.LICENSE_MANAGE, team_id, when, doing)
    return store.licenses.get(team_id)


def _trial_used_elsewhere(store: LicensingStore, license: License, at: datetime) -> bool:
    if license.has_used_trial or license.organisation_key is None:
        return False  # the licence decides from its own history
    # Let the licence reject a backdated or out-of-state event first, so that error wins.
    license.request_upgrade(at)
    return organisation_trial_used(store, license.organisation_key, at, excluding=license.team_id)


def _save(store: LicensingStore, license: License, by: Actor) -> License:
    """Save ``license`` (one event more than stored) and append the events of that event."""
    stored = store.licenses.save(license)
    event = stored.events[-1]
    changed = LicenseChanged(
        at=event.at,
        by=actor_id(by),
        team_id=stored.team_id,
        change=event.kind.value,
        state=event.to.value,
        effective_at=event.effective_at,
        version=stored.version,
    )
    store.events.append([changed, *_trial(stored, event.to, event.at, by)])
    return stored


def _opened(stored: License, by: Actor) -> list[Event]:
    opened = LicenseChanged(
        at=stored.opened_at,
        by=actor_id(by),
        team_id=stored.team_id,
        change="open",
        state=stored.initial_state.value,
        effective_at=stored.opened_at,
        version=stored.version,
    )
    return [opened, *_trial(stored, stored.initial_state, stored.opened_at, by)]


def _trial(stored: License, state: LicenseState, at: datetime, by: Actor) -> list[Event]:
    if state is not LicenseState.TRIAL or stored.trial_ends_at is None:
        return []
    return [
        TrialStarted(
            at=at,
            by=actor_id(by),
            team_id=stored.team_id,
            ends_at=stored.trial_ends_at,
            organisation_key=stored.organisation_key,
        )
    ]
