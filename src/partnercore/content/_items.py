"""Content items: kinds, statuses, prices and the version history of each item."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime

import attrs

from partnercore._errors import InvalidTransitionError, ValidationError
from partnercore._fields import id_validator, optional_instant, to_enum
from partnercore.content._checks import PLATFORM, valid_text, version_number
from partnercore.money import Money
from partnercore.time import ensure_aware, format_instant

__all__ = [
    "ContentItem",
    "ContentKind",
    "ContentPrice",
    "ContentRelease",
    "ContentStatus",
    "PriceType",
]


class ContentKind(enum.StrEnum):
    """What a content item is."""

    FRAMEWORK = "framework"
    ASSESSMENT_TEMPLATE = "assessment_template"
    POLICY_TEMPLATE = "policy_template"
    RISK_LIBRARY = "risk_library"
    CONTROL_SET = "control_set"


class ContentStatus(enum.StrEnum):
    """Where an item is in its life: only ``published`` items reach clients."""

    DRAFT = "draft"
    PUBLISHED = "published"
    RETIRED = "retired"


class PriceType(enum.StrEnum):
    """How a priced item is charged (domain.md §6)."""

    ONE_OFF = "one_off"
    MONTHLY = "monthly"


def _kind(value: object) -> ContentKind:
    return to_enum(ContentKind, value, "kind")


def _status(value: object) -> ContentStatus:
    return to_enum(ContentStatus, value, "status")


def _price_type(value: object) -> PriceType:
    return to_enum(PriceType, value, "price.type")


def _positive(_: object, __: object, value: Money) -> None:
    if not isinstance(value, Money):
        raise ValidationError.at("price.amount", f"expected Money, got {value!r}")
    if value.amount <= 0:
        raise ValidationError.at(
            "price.amount", f"a price must be above zero (omit it for free content), got {value}"
        )


@attrs.frozen
class ContentPrice:
    """A partner item's price: ``ContentPrice(Money.of("25.00", "USD"), "monthly")``."""

    amount: Money = attrs.field(validator=_positive)
    type: PriceType = attrs.field(converter=_price_type)

    def __str__(self) -> str:
        return f"{self.amount} {'monthly' if self.type is PriceType.MONTHLY else 'one-off'}"


@attrs.frozen
class ContentRelease:
    """One step of an item's history: from ``at`` on, ``version`` is current with ``status``.

    ``at`` is ``None`` only for the first step of an item recorded without a date: it is
    then in force since the item is known.
    """

    version: int = attrs.field(converter=version_number)
    status: ContentStatus = attrs.field(converter=_status)
    at: datetime | None = attrs.field(default=None, converter=optional_instant)

    def in_force_at(self, at: datetime) -> bool:
        return self.at is None or self.at <= at


def _history(value: Iterable[ContentRelease]) -> tuple[ContentRelease, ...]:
    steps = tuple(value)
    if not steps:
        raise ValidationError.at("history", "an item needs at least one release")
    for index, step in enumerate(steps):
        if not isinstance(step, ContentRelease):
            raise ValidationError.at(
                f"history[{index}]", f"expected a ContentRelease, got {step!r}"
            )
    return steps


def _check_step(before: ContentRelease, after: ContentRelease, path: str) -> None:
    """The transition rules of the history, shared by construction and by the events."""
    prefix = f"{path}." if path else ""
    event = "retire" if after.status is ContentStatus.RETIRED else "publish"
    if after.status is ContentStatus.DRAFT or before.status is ContentStatus.RETIRED:
        raise InvalidTransitionError(before.status.value, event)
    if after.at is None:
        raise ValidationError.at(f"{prefix}at", "only the first release may be undated")
    if before.at is not None and after.at < before.at:
        raise InvalidTransitionError(
            before.status.value,
            event,
            f"{format_instant(after.at)} is before the last change at {format_instant(before.at)}",
        )
    if after.status is ContentStatus.RETIRED:
        if after.version != before.version:
            raise ValidationError.at(f"{prefix}version", "retiring keeps the current version")
        return
    newest = before.version if before.status is ContentStatus.DRAFT else before.version + 1
    if after.version < newest:
        raise ValidationError.at(
            f"{prefix}version",
            f"version {after.version} is not newer than the current version {before.version}",
        )


@attrs.frozen(kw_only=True)
class ContentItem:
    """A content item and its version history.

    ``owner`` is ``"platform"`` for the open library, else the id of the partner team
    that uploaded it. Only partner items may carry a price. The history is chronological:
    publishing a newer version (:meth:`publish`) makes it current from its ``at``;
    :meth:`retire` takes the item out of every library from its ``at`` on.
    """

    id: str = attrs.field(validator=id_validator)
    kind: ContentKind = attrs.field(converter=_kind)
    title: str = attrs.field(validator=valid_text)
    owner: str = attrs.field(validator=id_validator)
    history: tuple[ContentRelease, ...] = attrs.field(converter=_history)
    price: ContentPrice | None = attrs.field(default=None)

    def __attrs_post_init__(self) -> None:
        if self.price is not None and not isinstance(self.price, ContentPrice):
            raise ValidationError.at("price", f"expected a ContentPrice, got {self.price!r}")
        if self.price is not None and self.owner == PLATFORM:
            raise ValidationError.at("price", "open-library (platform) items cannot carry a price")
        for index in range(1, len(self.history)):
            _check_step(self.history[index - 1], self.history[index], f"history[{index}]")

    @classmethod
    def create(
        cls,
        *,
        id: str,
        kind: ContentKind | str,
        title: str,
        owner: str,
        version: int = 1,
        status: ContentStatus | str = ContentStatus.DRAFT,
        price: ContentPrice | None = None,
        at: datetime | None = None,
    ) -> ContentItem:
        """A new item at ``version`` with ``status`` from ``at`` (``None``: since always)."""
        return cls(
            id=id,
            kind=to_enum(ContentKind, kind, "kind"),
            title=title,
            owner=owner,
            price=price,
            history=(ContentRelease(version, to_enum(ContentStatus, status, "status"), at),),
        )

    # -- now (the latest release) -----------------------------------------------------

    @property
    def current(self) -> ContentRelease:
        return self.history[-1]

    @property
    def version(self) -> int:
        """The latest version recorded."""
        return self.current.version

    @property
    def status(self) -> ContentStatus:
        """The latest status recorded."""
        return self.current.status

    @property
    def revision(self) -> int:
        """How many releases are recorded: stores use it to detect stale writes."""
        return len(self.history)

    @property
    def is_open(self) -> bool:
        """Whether the item belongs to the open library (owned by the platform)."""
        return self.owner == PLATFORM

    # -- at an instant ------------------------------------------------------------------

    def release_at(self, at: datetime) -> ContentRelease | None:
        """The release in force at ``at``; ``None`` before the item existed."""
        moment = ensure_aware(at)
        found = None
        for step in self.history:
            if not step.in_force_at(moment):
                break
            found = step
        return found

    def published_version_at(self, at: datetime) -> int | None:
        """The version clients may receive at ``at``; ``None`` unless published then."""
        step = self.release_at(at)
        if step is None or step.status is not ContentStatus.PUBLISHED:
            return None
        return step.version

    def is_published_at(self, at: datetime) -> bool:
        return self.published_version_at(at) is not None

    # -- events ---------------------------------------------------------------------------

    def publish(self, version: int, at: datetime) -> ContentItem:
        """Publish ``version`` from ``at``: a draft's first version, or a newer one."""
        step = ContentRelease(
            version_number(version), ContentStatus.PUBLISHED, ensure_aware(at, "at")
        )
        _check_step(self.current, step, "")
        return attrs.evolve(self, history=(*self.history, step))

    def retire(self, at: datetime) -> ContentItem:
        """Retire the item from ``at``: no new installs; installed copies stay."""
        step = ContentRelease(self.version, ContentStatus.RETIRED, ensure_aware(at, "at"))
        _check_step(self.current, step, "")
        return attrs.evolve(self, history=(*self.history, step))
