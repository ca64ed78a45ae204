"""Licence services: load through the port, decide in the aggregate, save, return the licence."""

from __future__ import annotations

from datetime import datetime

from partnercore._errors import ConflictError
from partnercore._fields import to_enum
from partnercore.licensing._license import License, instant
from partnercore.licensing._policy import LicensePolicy
from partnercore.licensing._ports import LicenseRepository
from partnercore.licensing._states import LicenseState
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
    licenses: LicenseRepository,
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
    for other in licenses.for_organisation(organisation_key):
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


def trial_available(licenses: LicenseRepository, team_id: str, at: datetime) -> bool:
    """Whether ``request_upgrade`` for ``team_id`` at ``at`` would start a trial.

    False once the team or any team with its ``organisation_key`` used a trial at or
    before ``at``. (Whether the licence is ``free`` at ``at`` is not asked here.)
    """
    license = licenses.get(team_id)
    if not license.trial_available:
        return False
    try:
        return not organisation_trial_used(
            licenses, license.organisation_key, at, excluding=team_id
        )
    except ConflictError:
        return False


def open_license(
    licenses: LicenseRepository,
    team_id: str,
    at: datetime,
    *,
    timezone: str = "UTC",
    organisation_key: str | None = None,
    initial_state: LicenseState | str = LicenseState.FREE,
    policy: LicensePolicy | None = None,
    billing_timezone: str = "UTC",
) -> License:
    """Create and store the licence of a new client team, starting at ``at``.

    ``initial_state`` comes from the client's template (default ``free``). Starting in
    ``trial`` obeys the one-trial-per-organisation rule: if the organisation already used
    its trial, the licence starts ``full``, as ``request_upgrade`` would decide.
    """
    state = to_enum(LicenseState, initial_state, "initial_state")
    trial_used = state is LicenseState.TRIAL and organisation_trial_used(
        licenses, organisation_key, at, excluding=team_id
    )
    license = License.open(
        team_id,
        at,
        timezone=timezone,
        organisation_key=organisation_key,
        initial_state=state,
        policy=policy,
        billing_timezone=billing_timezone,
        trial_used=trial_used,
    )
    return licenses.add(license)


def request_upgrade(licenses: LicenseRepository, team_id: str, at: datetime) -> License:
    """``free`` -> ``trial``, or ``full`` when the team's organisation already used its trial."""
    license = licenses.get(team_id)
    used = _trial_used_elsewhere(licenses, license, at)
    return licenses.save(license.request_upgrade(at, trial_used=used))


def upgrade(
    licenses: LicenseRepository, team_id: str, at: datetime, *, skip_trial: bool = True
) -> License:
    """``free`` -> ``full`` paid from ``at`` (``skip_trial=False``: :func:`request_upgrade`)."""
    license = licenses.get(team_id)
    if skip_trial is False:
        used = _trial_used_elsewhere(licenses, license, at)
        return licenses.save(license.upgrade(at, skip_trial=False, trial_used=used))
    return licenses.save(license.upgrade(at, skip_trial=skip_trial))


def convert(licenses: LicenseRepository, team_id: str, at: datetime) -> License:
    """``trial`` -> ``full`` paid from ``at`` (before the trial ends)."""
    return licenses.save(licenses.get(team_id).convert(at))


def cancel_trial(licenses: LicenseRepository, team_id: str, at: datetime) -> License:
    """``trial`` -> ``free`` from ``at``."""
    return licenses.save(licenses.get(team_id).cancel_trial(at))


def downgrade(
    licenses: LicenseRepository,
    team_id: str,
    at: datetime,
    *,
    at_period_end: bool = False,
    billing_timezone: str | None = None,
) -> License:
    """``full`` -> ``free`` from ``at``, or from the next billing period with ``at_period_end``."""
    license = licenses.get(team_id)
    return licenses.save(
        license.downgrade(at, at_period_end=at_period_end, billing_timezone=billing_timezone)
    )


def _trial_used_elsewhere(licenses: LicenseRepository, license: License, at: datetime) -> bool:
    if license.has_used_trial or license.organisation_key is None:
        return False  # the licence decides from its own history
    # Let the licence reject a backdated or out-of-state event first, so that error wins.
    license.request_upgrade(at)
    return organisation_trial_used(
        licenses, license.organisation_key, at, excluding=license.team_id
    )
