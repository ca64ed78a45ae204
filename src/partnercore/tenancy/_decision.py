"""The result of an access check, and an entry of the "who can reach this team" lookup."""

from __future__ import annotations

import attrs

from partnercore.tenancy._permissions import Rule

__all__ = ["Decision", "Holder"]


@attrs.frozen
class Decision:
    """An explained access decision.

    ``rule`` is the rule that decided (``R1`` .. ``R7``, or ``Rule.DEFAULT`` for deny by
    default), ``explanation`` a human sentence (never empty), ``via`` the id of the membership
    or grant that granted access (``None`` for a denial).
    """

    allowed: bool
    rule: Rule
    explanation: str
    via: str | None = None

    def __str__(self) -> str:
        verdict = "allowed" if self.allowed else "denied"
        via = f", via {self.via}" if self.via is not None else ""
        return f"{verdict} ({self.rule.value}{via}): {self.explanation}"


@attrs.frozen(order=True)
class Holder:
    """A user who holds a permission on a team, through which rule and membership or grant."""

    user_id: str
    rule: Rule = attrs.field(order=False)
    via: str | None = attrs.field(order=False)
