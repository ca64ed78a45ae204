from __future__ import annotations

from datetime import UTC, datetime

import pytest

from partnercore import ValidationError
from partnercore.content import CopyChange, CopyEvent
from partnercore.content._copies import copies_at, departures_applied, presence
from partnercore.time import Span

NOV_1 = datetime(2026, 11, 1, tzinfo=UTC)
NOV_10 = datetime(2026, 11, 10, tzinfo=UTC)
NOV_20 = datetime(2026, 11, 20, tzinfo=UTC)
DEC_5 = datetime(2026, 12, 5, tzinfo=UTC)


def event(change: str, at: datetime, version: int | None = 1, **more: object) -> CopyEvent:
    return CopyEvent(
        client_id="c1",
        item_id=str(more.pop("item", "gap")),
        change=change,
        at=at,
        version=version,
        **more,  # type: ignore[arg-type]
    )


def test_an_uninstall_carries_no_version() -> None:
    with pytest.raises(ValidationError) as raised:
        event("uninstall", NOV_1, version=2)

    assert "version" == raised.value.problems[0].path


def test_a_pull_cannot_lock_a_copy() -> None:
    with pytest.raises(ValidationError) as raised:
        event("install", NOV_1, locked=True)

    assert "locked" == raised.value.problems[0].path


def test_an_onboard_names_its_template() -> None:
    with pytest.raises(ValidationError) as raised:
        event("onboard", NOV_1)

    assert "template_id" == raised.value.problems[0].path


def test_a_copy_keeps_its_version_until_updated() -> None:
    log = [event("install", NOV_1, 1), event("install", NOV_20, 2)]

    assert (1, 2) == (copies_at(log, NOV_10)["gap"].version, copies_at(log, NOV_20)["gap"].version)


def test_a_push_records_who_pushed_when_and_the_lock() -> None:
    log = [event("push", NOV_10, 3, locked=True, by="paula")]
    copy = copies_at(log, NOV_20)["gap"]

    assert (CopyChange.PUSH, "paula", NOV_10, True, 3) == (
        copy.source,
        copy.by,
        copy.at,
        copy.locked,
        copy.version,
    )


def test_an_update_keeps_the_first_installation_instant() -> None:
    log = [event("install", NOV_1, 1), event("push", NOV_10, 2)]

    assert (NOV_1, NOV_10) == (
        copies_at(log, NOV_20)["gap"].installed_at,
        copies_at(log, NOV_20)["gap"].at,
    )


def test_an_uninstalled_copy_is_gone_from_its_instant() -> None:
    log = [event("install", NOV_1), event("uninstall", NOV_10, None)]

    assert (["gap"], []) == (list(copies_at(log, NOV_1)), list(copies_at(log, NOV_10)))


def test_presence_lists_every_interval_an_item_was_held() -> None:
    log = [
        event("install", NOV_1),
        event("install", NOV_10, 2),
        event("uninstall", NOV_20, None),
        event("install", DEC_5, 2),
    ]

    assert {"gap": (Span(NOV_1, NOV_20), Span(DEC_5))} == presence(log)


def test_an_empty_interval_overlaps_nothing() -> None:
    assert False is Span(NOV_10, NOV_10).overlaps(NOV_1, NOV_20)


def test_an_interval_overlaps_a_window_it_touches_inside() -> None:
    assert (True, False) == (
        Span(NOV_1, NOV_10).overlaps(datetime(2026, 11, 9, 23, 59, tzinfo=UTC), DEC_5),
        Span(NOV_1, NOV_10).overlaps(NOV_10, DEC_5),
    )


def test_leaving_a_partner_ends_the_copies_of_its_items_only() -> None:
    log = [event("install", NOV_1, item="acme-gap"), event("install", NOV_1, item="iso")]
    owners = {"acme-gap": "acme", "iso": "platform"}

    applied = departures_applied(log, owners, [(NOV_10, "acme")])

    assert (["acme-gap", "iso"], ["iso"]) == (
        list(copies_at(applied, NOV_1)),
        list(copies_at(applied, NOV_10)),
    )


def test_returning_to_a_partner_does_not_bring_an_ended_copy_back() -> None:
    log = [event("install", NOV_1, item="acme-gap")]

    applied = departures_applied(log, {"acme-gap": "acme"}, [(NOV_10, "acme"), (NOV_20, "bolt")])

    assert {"acme-gap": (Span(NOV_1, NOV_10),)} == presence(applied)


def test_a_transfer_at_the_instant_of_an_install_ends_that_copy_at_once() -> None:
    log = [event("install", NOV_10, item="acme-gap")]

    applied = departures_applied(log, {"acme-gap": "acme"}, [(NOV_10, "acme")])

    assert ({}, {"acme-gap": (Span(NOV_10, NOV_10),)}) == (
        dict(copies_at(applied, NOV_10)),
        presence(applied),
    )
