"""The result of an access check, and an entry of the "who can reach this team" lookup."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from operator import attrgetter
from typing import TYPE_CHECKING, Any, NoReturn

import attrs

from partnercore.tenancy._permissions import Rule

__all__ = ["Decision", "Holder"]


def _refuse(doing: str, name: str) -> NoReturn:
    raise AttributeError(f"a Decision is immutable: cannot {doing} {name!r}")


def _read_only(name: str, doc: str, read: Callable[[Decision], Any] | None = None) -> property:
    """A public field of :class:`Decision`: ``read`` (by default: the private slot
    ``_name``), refusing to be set or deleted."""

    def refuse_set(decision: Decision, value: object) -> None:
        _refuse("set", name)

    def refuse_delete(decision: Decision) -> None:
        _refuse("delete", name)

    return property(read or attrgetter(f"_{name}"), refuse_set, refuse_delete, doc)


def _written(decision: Decision) -> str:
    """``Decision.explanation``: the sentence, written on first read when it was given as
    ``(write, *values)``."""
    text = decision._explanation
    if type(text) is tuple:  # (write, *values): written now, once
        text = decision._explanation = text[0](*text[1:])
    return text  # type: ignore[return-value]


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

    # Every check builds one: the values are kept in private slots, written by plain
    # assignment (the cheapest construction there is: a `__setattr__` refusing changes would
    # make each of the four writes a call), and read through read-only properties whose
    # getters are C-level (`operator.attrgetter`), that refuse to be set or deleted.
    __slots__ = ("_allowed", "_explanation", "_rule", "_via")
    __match_args__ = ("allowed", "rule", "explanation", "via")

    def __init__(
        self,
        allowed: bool,
        rule: Rule,
        explanation: str | tuple[Callable[..., str], *tuple[Any, ...]],
        via: str | None = None,
    ) -> None:
        self._allowed = allowed
        self._rule = rule
        self._explanation: str | tuple[Any, ...] = explanation
        self._via = via

    if TYPE_CHECKING:  # (what the read-only properties below give)

        @property
        def allowed(self) -> bool: ...
        @property
        def rule(self) -> Rule: ...
        @property
        def explanation(self) -> str: ...
        @property
        def via(self) -> str | None: ...

    else:
        allowed = _read_only("allowed", "Whether access is given.")
        rule = _read_only("rule", "The rule that decided (``Rule.DEFAULT``: deny by default).")
        explanation = _read_only(
            "explanation", "Why: a sentence naming the user, the team and what decided.", _written
        )
        via = _read_only("via", "The membership or grant that gave access (``None``: denied).")

    def _fields(self) -> tuple[bool, Rule, str, str | None]:
        return (self._allowed, self._rule, self.explanation, self._via)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Decision):
            return NotImplemented
        return self is other or self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __reduce__(self) -> tuple[type[Decision], tuple[bool, Rule, str, str | None]]:
        return (Decision, self._fields())

    def __str__(self) -> str:
        verdict = "allowed" if self._allowed else "denied"
        via = f", via {self._via}" if self._via is not None else ""
        return f"{verdict} ({self._rule.value}{via}): {self.explanation}"

    def __repr__(self) -> str:
        return f"<Decision {self._headline()}: {self.explanation}>"

    def _repr_html_(self) -> str:
        """The decision in a notebook: the verdict, the rule and ``via``, then the sentence."""
        colour = "#1a7f37" if self._allowed else "#cf222e"
        return (
            '<div class="partnercore-decision">'
            f'<strong style="color: {colour}">{escape(self._headline())}</strong>'
            f"<br>{escape(self.explanation)}</div>"
        )

    def _headline(self) -> str:
        """``allowed by R2 via m-7``, ``denied by R5`` or ``denied by default``."""
        verdict = "allowed" if self._allowed else "denied"
        via = f" via {self._via}" if self._via is not None else ""
        return f"{verdict} by {self._rule.value}{via}"


@attrs.frozen(order=True)
class Holder:
    """A user who holds a permission on a team, through which rule and membership or grant."""

    user_id: str
    rule: Rule = attrs.field(order=False)
    via: str | None = attrs.field(order=False)
