from __future__ import annotations

from datetime import UTC, datetime

import pytest

from partnercore import InvalidTransitionError, ValidationError
from partnercore.content import (
    ContentItem,
    ContentKind,
    ContentPrice,
    ContentRelease,
    ContentStatus,
    PriceType,
)
from partnercore.money import Money

NOV_1 = datetime(2026, 11, 1, tzinfo=UTC)
NOV_10 = datetime(2026, 11, 10, tzinfo=UTC)
NOV_20 = datetime(2026, 11, 20, tzinfo=UTC)


def item(**changes: object) -> ContentItem:
    fields: dict[str, object] = {
        "id": "gap",
        "kind": "assessment_template",
        "title": "Gap assessment",
        "owner": "acme",
        "version": 1,
        "status": "published",
        "at": NOV_1,
    }
    fields.update(changes)
    return ContentItem.create(**fields)  # type: ignore[arg-type]


def test_an_item_takes_the_spec_spellings_of_its_kind_and_status() -> None:
    created = item(kind="risk_library", status="draft")

    assert (ContentKind.RISK_LIBRARY, ContentStatus.DRAFT) == (created.kind, created.status)


def test_an_unknown_kind_is_rejected_naming_the_field() -> None:
    with pytest.raises(ValidationError) as raised:
        item(kind="playbook")

    assert "kind" == raised.value.problems[0].path


def test_a_bad_id_is_rejected_naming_the_field() -> None:
    with pytest.raises(ValidationError) as raised:
        item(id="has space")

    assert "id" == raised.value.problems[0].path


def test_a_platform_item_cannot_carry_a_price() -> None:
    price = ContentPrice(Money.of("25.00", "USD"), "monthly")

    with pytest.raises(ValidationError) as raised:
        item(owner="platform", price=price)

    assert "price" == raised.value.problems[0].path


def test_a_price_must_be_above_zero() -> None:
    with pytest.raises(ValidationError) as raised:
        ContentPrice(Money.of("0", "USD"), "one_off")

    assert "price.amount" == raised.value.problems[0].path


def test_a_price_type_must_be_one_off_or_monthly() -> None:
    with pytest.raises(ValidationError) as raised:
        ContentPrice(Money.of("5", "USD"), "yearly")

    assert "price.type" == raised.value.problems[0].path


def test_a_partner_item_can_carry_a_monthly_price() -> None:
    price = ContentPrice(Money.of("25.00", "USD"), PriceType.MONTHLY)

    assert price == item(price=price).price


def test_a_version_below_one_is_rejected() -> None:
    with pytest.raises(ValidationError) as raised:
        item(version=0)

    assert "version" == raised.value.problems[0].path


def test_a_naive_datetime_is_rejected() -> None:
    with pytest.raises(ValidationError) as raised:
        item(at=datetime(2026, 11, 1))

    assert "at" == raised.value.problems[0].path


def test_publishing_a_newer_version_makes_it_current_from_its_instant() -> None:
    published = item(version=2).publish(3, NOV_20)

    assert (2, 3, 3) == (
        published.published_version_at(NOV_10),
        published.published_version_at(NOV_20),
        published.version,
    )


def test_a_draft_is_not_published_until_it_is_published() -> None:
    draft = item(status="draft")
    published = draft.publish(1, NOV_10)

    assert (None, None, 1) == (
        draft.published_version_at(NOV_20),
        published.published_version_at(NOV_1),
        published.published_version_at(NOV_10),
    )


def test_an_item_does_not_exist_before_its_first_release() -> None:
    assert None is item(at=NOV_10).release_at(NOV_1)


def test_an_undated_item_is_in_force_since_always() -> None:
    undated = item(at=None)

    assert 1 == undated.published_version_at(datetime(1990, 1, 1, tzinfo=UTC))


def test_publishing_the_current_version_again_is_rejected() -> None:
    with pytest.raises(ValidationError) as raised:
        item(version=3).publish(3, NOV_10)

    assert "version" == raised.value.problems[0].path


def test_publishing_an_older_version_is_rejected_and_the_item_is_unchanged() -> None:
    before = item(version=3)

    with pytest.raises(ValidationError):
        before.publish(2, NOV_10)

    assert 1 == before.revision


def test_publishing_before_the_last_change_is_rejected() -> None:
    with pytest.raises(InvalidTransitionError) as raised:
        item(at=NOV_10).publish(2, NOV_1)

    assert "publish" == raised.value.event


def test_a_retired_item_leaves_every_library_from_its_instant() -> None:
    retired = item().retire(NOV_10)

    assert (1, None, ContentStatus.RETIRED) == (
        retired.published_version_at(NOV_1),
        retired.published_version_at(NOV_10),
        retired.status,
    )


def test_a_retired_item_cannot_be_published_again() -> None:
    with pytest.raises(InvalidTransitionError) as raised:
        item().retire(NOV_10).publish(2, NOV_20)

    assert ("retired", "publish") == (raised.value.state, raised.value.event)


def test_a_history_cannot_go_back_to_draft() -> None:
    with pytest.raises(InvalidTransitionError):
        ContentItem(
            id="gap",
            kind="framework",
            title="Gap",
            owner="acme",
            history=(
                ContentRelease(1, "published", NOV_1),
                ContentRelease(2, "draft", NOV_10),
            ),
        )


def test_only_the_first_release_may_be_undated() -> None:
    with pytest.raises(ValidationError) as raised:
        ContentItem(
            id="gap",
            kind="framework",
            title="Gap",
            owner="acme",
            history=(ContentRelease(1, "published"), ContentRelease(2, "published")),
        )

    assert "history[1].at" == raised.value.problems[0].path


def test_each_change_adds_one_revision() -> None:
    assert 3 == item().publish(2, NOV_10).retire(NOV_20).revision


def test_open_items_are_the_platforms() -> None:
    assert (True, False) == (item(owner="platform").is_open, item().is_open)
