"""Who acts: a user (by id) or the platform itself (:data:`SYSTEM`)."""

from __future__ import annotations

from typing import Final, TypeAlias, final

from partnercore._fields import check_id

__all__ = ["SYSTEM", "SYSTEM_ID", "Actor", "SystemActor", "actor_id", "check_actor"]

SYSTEM_ID: Final = "system"
"""How :data:`SYSTEM` is written in events and scenario files; no user may have this id."""


@final
class SystemActor:
    """The platform acting on its own behalf (billing runs, imports, scheduled work).

    There is exactly one, :data:`SYSTEM`. It is an object, not a string, so that a user id
    handed in from a host's session can never be mistaken for it.
    """

    __slots__ = ()
    _instance: SystemActor | None = None

    def __new__(cls) -> SystemActor:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "SYSTEM"

    def __str__(self) -> str:
        return SYSTEM_ID

    def __reduce__(self) -> str:
        return "SYSTEM"


SYSTEM: Final = SystemActor()
"""The system actor: platform operations that no user performs."""

Actor: TypeAlias = str | SystemActor
"""A user id, or :data:`SYSTEM`."""


def check_actor(value: object, path: str = "by") -> Actor:
    """``value`` if it is :data:`SYSTEM` or a user id, else :class:`ValidationError`."""
    if value is SYSTEM:
        return SYSTEM
    return check_id(value, path)


def actor_id(actor: Actor) -> str:
    """The id written in events: the user id, or ``"system"``."""
    return SYSTEM_ID if actor is SYSTEM else str(actor)
