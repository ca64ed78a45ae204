"""Who may write: every write service authorises its actor (§7) before it writes anything."""

from __future__ import annotations

from datetime import datetime

from partnercore._errors import AccessDeniedError, NotFoundError
from partnercore.events import SYSTEM, Actor, check_actor
from partnercore.tenancy._access import check
from partnercore.tenancy._decision import Decision
from partnercore.tenancy._permissions import Permission
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
    the decision; an unknown user is refused the same way (``decision`` is ``None``).
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
        raise AccessDeniedError(f"{actor} may not {doing}: unknown user {actor!r}") from None
    if not decision.allowed:
        raise AccessDeniedError(
            f"{actor} may not {doing}: {decision.explanation}", decision=decision
        )
    return decision


def system_only(by: Actor, doing: str) -> None:
    """Let only :data:`~partnercore.events.SYSTEM` go on (platform operations)."""
    actor = check_actor(by)
    if actor is not SYSTEM:
        raise AccessDeniedError(f"{actor} may not {doing}: only the platform (SYSTEM) may {doing}")
