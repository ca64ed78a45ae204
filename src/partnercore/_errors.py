"""The library's exception hierarchy.

Every error raised on purpose by ``partnercore`` derives from :class:`PartnercoreError`
and also from the nearest builtin exception, so callers can catch either. Each error
carries structured attributes besides its message.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs

__all__ = [
    "AccessDeniedError",
    "ConflictError",
    "CurrencyMismatchError",
    "InvalidTransitionError",
    "NotFoundError",
    "PartnercoreError",
    "Problem",
    "StaleWriteError",
    "StoreClosedError",
    "StoreError",
    "ValidationError",
]


class PartnercoreError(Exception):
    """Root of every error the library raises on purpose."""

    def __reduce__(self) -> tuple[Any, ...]:
        # The subclasses' constructors take structured arguments, not the message, so the
        # default pickling (``cls(*args)``) cannot rebuild them: restore args and attributes.
        return (_rebuild, (type(self), self.args, dict(vars(self))))


def _rebuild(
    cls: type[PartnercoreError], args: tuple[Any, ...], state: dict[str, Any]
) -> PartnercoreError:
    error = cls.__new__(cls, *args)
    error.args = args
    vars(error).update(state)
    return error


@attrs.frozen
class Problem:
    """One thing wrong with an input: where (a dotted/indexed path) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class ValidationError(PartnercoreError, ValueError):
    """Input was rejected. ``problems`` lists every problem found, each with its path."""

    problems: tuple[Problem, ...]

    def __init__(self, problems: Iterable[Problem] | str, *, path: str = "") -> None:
        if isinstance(problems, str):
            problems = (Problem(path, problems),)
        self.problems = tuple(problems)
        if not self.problems:
            self.problems = (Problem(path, "invalid input"),)
        super().__init__("; ".join(str(p) for p in self.problems))

    @classmethod
    def at(cls, path: str, message: str) -> ValidationError:
        """A validation error with one problem at ``path``."""
        return cls((Problem(path, message),))

    def prefixed(self, prefix: str) -> ValidationError:
        """The same problems with ``prefix`` put in front of each path."""

        if not prefix:
            return type(self)(self.problems)

        def join(path: str) -> str:
            if not path:
                return prefix
            return f"{prefix}{path}" if path.startswith("[") else f"{prefix}.{path}"

        return type(self)(Problem(join(p.path), p.message) for p in self.problems)


class NotFoundError(PartnercoreError, LookupError):
    """Something looked up by id does not exist.

    ``kind`` is the kind of thing (``"team"``, ``"item"``), one word or two, so that a caller
    can branch on it; ``where`` optionally says where it was looked for (``"in the library of
    acme-advisory"``) and only adds to the message.
    """

    def __init__(self, kind: str, id: str, *, where: str = "") -> None:
        self.kind = kind
        self.id = id
        self.where = where
        suffix = f" {where}" if where else ""
        super().__init__(f"unknown {kind} {id!r}{suffix}")

    def __str__(self) -> str:
        return str(self.args[0])


class ConflictError(PartnercoreError, RuntimeError):
    """A write conflicts with what is already stored (a duplicate id, a differing re-run)."""

    def __init__(self, message: str, *, kind: str = "", id: str = "") -> None:
        self.kind = kind
        self.id = id
        super().__init__(message)


class StaleWriteError(ConflictError):
    """An aggregate was saved from a stale copy: someone else saved it first."""

    def __init__(self, kind: str, id: str, *, expected: int, actual: int) -> None:
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"stale write to {kind} {id!r}: saved from version {expected}, "
            f"but the stored version is {actual}",
            kind=kind,
            id=id,
        )


class StoreClosedError(PartnercoreError, RuntimeError):
    """A store was used after it was closed (reopen it; retrying never helps)."""

    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(f"the store {path!r} is closed: open it again to use it")


class StoreError(PartnercoreError, OSError):
    """A store's file cannot be used: not a partnercore database, damaged, unreadable or
    unwritable (a full disk, a read-only file). ``path`` names the file, ``reason`` says what
    is wrong. Retrying does not help (a busy database is a :class:`ConflictError`)."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")

    def __str__(self) -> str:
        return str(self.args[0])


class InvalidTransitionError(PartnercoreError, ValueError):
    """An event is not allowed in the current state (or is out of order)."""

    def __init__(self, state: str, event: str, reason: str = "") -> None:
        self.state = state
        self.event = event
        self.reason = reason
        message = f"cannot {event} in state {state!r}"
        super().__init__(f"{message}: {reason}" if reason else message)


class CurrencyMismatchError(PartnercoreError, ValueError):
    """Two amounts in different currencies were combined."""

    def __init__(self, left: str, right: str, operation: str = "combine") -> None:
        self.left = left
        self.right = right
        self.operation = operation
        super().__init__(f"cannot {operation} {left} and {right}: currencies differ")


class AccessDeniedError(PartnercoreError, PermissionError):
    """An operation needs a permission the actor does not hold."""

    def __init__(self, message: str, *, decision: Any = None) -> None:
        self.decision = decision
        super().__init__(message)


# The errors are public as ``partnercore.<Name>``: say so in tracebacks and reprs.
for _error in (
    PartnercoreError,
    Problem,
    ValidationError,
    NotFoundError,
    ConflictError,
    StaleWriteError,
    StoreClosedError,
    StoreError,
    InvalidTransitionError,
    CurrencyMismatchError,
    AccessDeniedError,
):
    _error.__module__ = "partnercore"
del _error
