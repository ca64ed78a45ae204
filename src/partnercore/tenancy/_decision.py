"""The result of an access check, and an entry of the "who can reach this team" lookup."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

import attrs

from partnercore.tenancy._permissions import Rule

__all__ = ["Decision", "Holder"]


class Decision:
    """An explained access decision: an immutable value.

    ``allowed`` says whether access is given, ``rule`` the rule that decided (``R1`` ..
    ``R7``, or ``Rule.DEFAULT`` for deny by default), ``explanation`` a human sentence (never
    empty), ``via`` the id of the membership or grant that granted access (``None`` for a
    denial). Two decisions are equal when these four are.

    The explanation may be given as ``(write, *values)`` instead of a sentence: it is then
    written as ``write(*values)`` when first read (``write`` must be a pure function of
    immutable values). The access check builds its decisions so, and a caller that asks only
    ``allowed`` does not pay for the sentence; every read, comparison, hash, repr or pickle
    sees the same plain string.
    """

    __slots__ = ("_explanation", "allowed", "rule", "via")
    __match_args__ = ("allowed", "rule", "explanation", "via")

    allowed: bool
    rule: Rule
    via: str | None
    _explanation: str | tuple[Any, ...]

    def __init__(
        self,
        allowed: bool,
        rule: Rule,
        explanation: str | tuple[Callable[..., str], *tuple[Any, ...]],
        via: str | None = None,
    ) -> None:
        _set_allowed(self, allowed)
        _set_rule(self, rule)
        _set_explanation(self, explanation)
        _set_via(self, via)

    @property
    def explanation(self) -> str:
        """Why: a sentence naming the user, the team and what decided."""
        text = self._explanation
        if type(text) is tuple:  # (write, *values): written now, once
            text = text[0](*text[1:])
            _set_explanation(self, text)
        return text  # type: ignore[return-value]

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"a Decision is immutable: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"a Decision is immutable: cannot delete {name!r}")

    def _fields(self) -> tuple[bool, Rule, str, str | None]:
        return (self.allowed, self.rule, self.explanation, self.via)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Decision):
            return NotImplemented
        return self is other or self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __reduce__(self) -> tuple[type[Decision], tuple[bool, Rule, str, str | None]]:
        return (Decision, self._fields())

    def __str__(self) -> str:
        verdict = "allowed" if self.allowed else "denied"
        via = f", via {self.via}" if self.via is not None else ""
        return f"{verdict} ({self.rule.value}{via}): {self.explanation}"

    def __repr__(self) -> str:
        return f"<Decision {self._headline()}: {self.explanation}>"

    def _repr_html_(self) -> str:
        """The decision in a notebook: the verdict, the rule and ``via``, then the sentence."""
        colour = "#1a7f37" if self.allowed else "#cf222e"
        return (
            '<div class="partnercore-decision">'
            f'<strong style="color: {colour}">{escape(self._headline())}</strong>'
            f"<br>{escape(self.explanation)}</div>"
        )

    def _headline(self) -> str:
        """``allowed by R2 via m-7``, ``denied by R5`` or ``denied by default``."""
        verdict = "allowed" if self.allowed else "denied"
        via = f" via {self.via}" if self.via is not None else ""
        return f"{verdict} by {self.rule.value}{via}"


# The slots, written by ``__init__`` only (``__setattr__`` refuses everyone else).
_set_allowed = Decision.__dict__["allowed"].__set__
_set_rule = Decision.__dict__["rule"].__set__
_set_explanation = Decision.__dict__["_explanation"].__set__
_set_via = Decision.__dict__["via"].__set__


@attrs.frozen(order=True)
class Holder:
    """A user who holds a permission on a team, through which rule and membership or grant."""

    user_id: str
    rule: Rule = attrs.field(order=False)
    via: str | None = attrs.field(order=False)
