"""Who may write: every write service authorises its actor (§7) before it writes anything.

A refusal is an :class:`~partnercore.AccessDeniedError` whose ``decision`` says why: the
access decision that denied the permission, or (for an unknown user and for platform
operations) a ``default`` denial.
"""

from __future__ import annotations

from datetime import datetime

from partnercore._errors import AccessDeniedError, NotFoundError
from partnercore.events import SYSTEM, Actor, check_actor
from partnercore.tenancy._access import check
from partnercore.tenancy._decision import Decision
from partnercore.tenancy._permissions import Permission, Rule
from partnercore.tenancy._ports import TenancyReader

__all__ = ["authorise", "system_only"]


def authorise(
    store: TenancyReader,
    by: Actor,
    permission: Permission,
    team_id: str,
    at: datetime,
    doing: str,
) -> Decision | None:
    """Let ``by`` go on only if it may ``doing`` (it holds ``permission`` on ``team_id``).

    :data:`~partnercore.events.SYSTEM` always may (``None`` is returned: no decision was
    needed). A user who may not raises :class:`~partnercore.AccessDeniedError` carrying
    the decision; an unknown user is refused the same way, with a ``default`` denial.
    An unknown team is :class:`~partnercore.NotFoundError`.
    """
    actor = check_actor(by)
    if actor is SYSTEM:
        return None
    assert isinstance(actor, str)
    try:
        decision = check(store, actor, permission, team_id, at)
    except NotFoundError as error:
        if error.kind != "user":
            raise
        unknown = Decision(False, Rule.DEFAULT, f"unknown user {actor!r}")
        raise AccessDeniedError(
            f"{actor} may not {doing}: {unknown.explanation}", decision=unknown
        ) from None
    if not decision.allowed:
        raise AccessDeniedError(
            f"{actor} may not {doing}: {decision.explanation}", decision=decision
        )
    return decision


def system_only(by: Actor, doing: str) -> None:
    """Let only :data:`~partnercore.events.SYSTEM` go on (platform operations).

    Anyone else raises :class:`~partnercore.AccessDeniedError` with a ``default`` denial.
    """
    actor = check_actor(by)
    if actor is not SYSTEM:
        decision = Decision(False, Rule.DEFAULT, f"only the platform (SYSTEM) may {doing}")
        raise AccessDeniedError(
            f"{actor} may not {doing}: {decision.explanation}", decision=decision
        )
