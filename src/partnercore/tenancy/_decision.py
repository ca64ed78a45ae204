"""The result of an access check, and an entry of the "who can reach this team" lookup."""

from __future__ import annotations

from typing import Any

import attrs

from partnercore.tenancy._permissions import Rule

__all__ = ["Decision", "Holder", "decide_later"]


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


# A decision's explanation is often never read (a host asks only whether access is allowed),
# so the access check leaves it unwritten: the slot then holds a tuple `(write, *values)` of a
# pure function and the immutable values it formats the sentence from, and the first read
# writes the sentence into the slot. Every read, comparison, hash, repr, pickle or evolve sees
# the same plain string as if it had been written at once. (An explanation given as a tuple,
# which the type does not allow, is kept as it is: stored as `(_AS_GIVEN, value)`.)
_AS_GIVEN: Any = object()

_new = object.__new__
_explanation_slot = Decision.__dict__["explanation"]
_get_explanation = _explanation_slot.__get__
_set_explanation = _explanation_slot.__set__
_set_allowed = Decision.__dict__["allowed"].__set__
_set_rule = Decision.__dict__["rule"].__set__
_set_via = Decision.__dict__["via"].__set__


class _Explanation:
    """``Decision.explanation``: the slot, written on first read when it was left unwritten."""

    __slots__ = ()

    def __get__(self, decision: Decision | None, owner: type[Decision] | None = None) -> Any:
        if decision is None:
            return self
        text = _get_explanation(decision)
        if type(text) is tuple:
            if text[0] is _AS_GIVEN:
                return text[1]
            text = text[0](*text[1:])
            _set_explanation(decision, text)
        return text

    def __set__(self, decision: Decision, text: object) -> None:
        _set_explanation(decision, (_AS_GIVEN, text) if type(text) is tuple else text)


type.__setattr__(Decision, "explanation", _Explanation())


def decide_later(
    allowed: bool, rule: Rule, via: str | None, explanation: tuple[Any, ...]
) -> Decision:
    """``Decision(allowed, rule, write(*values), via)`` for ``explanation = (write, *values)``,
    built for the access check's hot path.

    Equal to calling the class (the same frozen, slotted record, no validators to skip), at
    a fraction of the cost: the slots are filled through their descriptors directly, and the
    explanation is written on first read. ``write`` must be a pure function of ``values``,
    and the values immutable (or owned by the decision alone), so that the sentence does not
    depend on when it is read.
    """
    decision: Decision = _new(Decision)
    _set_allowed(decision, allowed)
    _set_rule(decision, rule)
    _set_explanation(decision, explanation)
    _set_via(decision, via)
    return decision
