"""Trials about to end: what a host reads to send "your trial ends in 3 days"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs

from partnercore._errors import ValidationError
from partnercore.licensing._license import instant
from partnercore.licensing._ports import LicensingStore
from partnercore.licensing._states import LicenseState
from partnercore.time import add_calendar_days

__all__ = ["TrialEnding", "trials_ending"]


@attrs.frozen(kw_only=True)
class TrialEnding:
    """A client's trial that ends at ``ends_at``; the licence is then ``becomes``
    (the policy's ``on_trial_end``: ``free`` by default, or ``full``)."""

    team_id: str
    ends_at: datetime
    organisation_key: str | None
    becomes: LicenseState


def _window(value: object) -> timedelta:
    if not isinstance(value, timedelta) or value <= timedelta(0):
        raise ValidationError.at("within", f"expected a positive timedelta, got {value!r}")
    return value


def trials_ending(store: LicensingStore, *, within: timedelta, at: datetime) -> list[TrialEnding]:
    """The trials that run out in ``[at, at + within)``, soonest first (ties by team id).

    A trial runs out at the policy's end (``trial_days`` calendar days after its start, at
    the same local time in the team's time zone). A trial converted or cancelled ends then,
    by the client's own act, and is not listed. The licences of every client of every
    partner are read: a host calls this from a scheduled job (say daily, with
    ``within=timedelta(days=3)``), not on every request.
    """
    start = instant(at, "at")
    window = _window(within)
    try:
        end = start + window
    except OverflowError:
        end = datetime.max.replace(tzinfo=UTC)
    found: list[TrialEnding] = []
    for partner in store.teams.partners():
        for client in store.teams.clients_of(partner.id):
            license = store.licenses.find(client.id)
            if license is None:
                continue
            started, ends = license.trial_started_at, license.trial_ends_at
            if started is None or ends is None or not start <= ends < end:
                continue
            if ends != add_calendar_days(started, license.policy.trial_days, license.timezone):
                continue  # converted or cancelled: it did not run out
            found.append(
                TrialEnding(
                    team_id=license.team_id,
                    ends_at=ends,
                    organisation_key=license.organisation_key,
                    becomes=license.policy.on_trial_end,
                )
            )
    return sorted(found, key=lambda trial: (trial.ends_at, trial.team_id))
