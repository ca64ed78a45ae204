from __future__ import annotations

import pytest

from partnercore import (
    AccessDeniedError,
    InvalidTransitionError,
    NotFoundError,
    ValidationError,
)
from partnercore.content import (
    ClientTemplate,
    CopyChange,
    PushReport,
    TemplateContent,
    add_template,
    install,
    installed,
    publish,
    push,
    repush,
    uninstall,
)
from partnercore.memory import InMemoryContent
from partnercore.tenancy import suspend_team

from .conftest import NOV_1, NOV_5, NOV_10, NOV_20


def copies(world: InMemoryContent, client: str, at: object = NOV_20) -> dict[str, tuple[int, bool]]:
    return {c.item_id: (c.version, c.locked) for c in installed(world, client, at)}  # type: ignore[arg-type]


def test_a_pull_records_item_version_instant_and_who(world: InMemoryContent) -> None:
    copy = install(world, "c1", "acme-gap", NOV_1, by="carol")

    assert ("acme-gap", 2, NOV_1, "carol", False, CopyChange.INSTALL) == (
        copy.item_id,
        copy.version,
        copy.at,
        copy.by,
        copy.locked,
        copy.source,
    )


def test_installing_what_is_installed_changes_nothing(world: InMemoryContent) -> None:
    install(world, "c1", "acme-gap", NOV_1)
    install(world, "c1", "acme-gap", NOV_5)

    assert 1 == len(world.installs.for_client("c1"))


def test_a_client_cannot_install_another_partners_item(world: InMemoryContent) -> None:
    with pytest.raises(NotFoundError):
        install(world, "c1", "bolt-pack", NOV_1)


def test_a_client_cannot_install_a_draft(world: InMemoryContent) -> None:
    with pytest.raises(NotFoundError):
        install(world, "c1", "acme-draft", NOV_1)


def test_a_member_may_not_install_content(world: InMemoryContent) -> None:
    with pytest.raises(AccessDeniedError):
        install(world, "c1", "acme-gap", NOV_1, by="mia")

    assert () == installed(world, "c1", NOV_20)


def test_a_suspended_client_cannot_install(world: InMemoryContent) -> None:
    suspend_team(world.tenancy, "c1", at=NOV_1, by="paula")

    with pytest.raises(InvalidTransitionError):
        install(world, "c1", "acme-gap", NOV_5)


def test_an_install_dated_before_the_last_change_is_rejected(world: InMemoryContent) -> None:
    install(world, "c1", "acme-gap", NOV_10)

    with pytest.raises(InvalidTransitionError):
        uninstall(world, "c1", "acme-gap", NOV_5)


def test_an_uninstalled_item_is_gone_from_its_instant(world: InMemoryContent) -> None:
    install(world, "c1", "acme-gap", NOV_1)
    uninstall(world, "c1", "acme-gap", NOV_10, by="carol")

    assert ({"acme-gap": (2, False)}, {}) == (copies(world, "c1", NOV_5), copies(world, "c1"))


def test_uninstalling_what_is_not_installed_is_not_found(world: InMemoryContent) -> None:
    with pytest.raises(NotFoundError):
        uninstall(world, "c1", "acme-gap", NOV_10)


def test_a_push_gives_each_chosen_client_a_versioned_copy(world: InMemoryContent) -> None:
    report = push(world, "acme", "acme-gap", NOV_5, clients=["c1", "c2"], locked=True, by="paula")
    copy = installed(world, "c2", NOV_20)[0]

    assert (("c1", "c2"), 2, CopyChange.PUSH, "paula", NOV_5, True) == (
        report.changed,
        copy.version,
        copy.source,
        copy.by,
        copy.at,
        copy.locked,
    )


def test_a_locked_copy_cannot_be_removed_by_the_client(world: InMemoryContent) -> None:
    push(world, "acme", "acme-gap", NOV_5, clients=["c1"], locked=True, by="paula")

    with pytest.raises(InvalidTransitionError):
        uninstall(world, "c1", "acme-gap", NOV_10, by="carol")


def test_a_locked_copy_cannot_be_updated_by_the_client(world: InMemoryContent) -> None:
    push(world, "acme", "acme-gap", NOV_5, clients=["c1"], locked=True)
    publish(world, "acme-gap", 3, NOV_10)

    with pytest.raises(InvalidTransitionError):
        install(world, "c1", "acme-gap", NOV_20)


def test_pushing_it_unlocked_lets_the_client_remove_it(world: InMemoryContent) -> None:
    push(world, "acme", "acme-gap", NOV_5, clients=["c1"], locked=True)
    push(world, "acme", "acme-gap", NOV_10, clients=["c1"], locked=False)
    uninstall(world, "c1", "acme-gap", NOV_20)

    assert {} == copies(world, "c1")


def test_a_push_to_a_client_already_holding_the_copy_reports_it_unchanged(
    world: InMemoryContent,
) -> None:
    install(world, "c1", "acme-gap", NOV_1)

    report = push(world, "acme", "acme-gap", NOV_5, clients=["c1", "c2"])

    assert (("c2",), ("c1",)) == (report.changed, report.unchanged)


def test_a_partner_cannot_push_to_another_partners_client(world: InMemoryContent) -> None:
    with pytest.raises(ValidationError) as raised:
        push(world, "acme", "acme-gap", NOV_5, clients=["c1", "c3"])

    assert ("clients[1]", {}) == (raised.value.problems[0].path, copies(world, "c1"))


def test_a_partner_cannot_push_another_partners_item(world: InMemoryContent) -> None:
    with pytest.raises(NotFoundError):
        push(world, "acme", "bolt-pack", NOV_5, clients=["c1"])


def test_only_a_content_manager_may_push(world: InMemoryContent) -> None:
    with pytest.raises(AccessDeniedError):
        push(world, "acme", "acme-gap", NOV_5, clients=["c1"], by="alice")


def add_readiness_template(world: InMemoryContent) -> None:
    add_template(
        world,
        ClientTemplate(
            id="readiness",
            partner_id="acme",
            name="ISO 27001 readiness",
            billing_model="reseller",
            operated_by="partner",
            content=["iso27001"],
        ),
    )


def test_a_push_to_a_template_pins_the_version_pushed(world: InMemoryContent) -> None:
    add_readiness_template(world)

    report = push(
        world, "acme", "acme-gap", NOV_5, templates=["readiness"], locked=True, by="paula"
    )

    assert (
        ("readiness",),
        TemplateContent(
            item_id="acme-gap", locked=True, version=2, pushed_by="paula", pushed_at=NOV_5
        ),
    ) == (report.templates_changed, world.templates.get("readiness").entry("acme-gap"))


def test_a_repush_updates_the_pushed_copies_and_reports_who_changed(
    world: InMemoryContent,
) -> None:
    push(world, "acme", "acme-gap", NOV_1, clients=["c1"], locked=True)
    push(world, "acme", "acme-gap", NOV_1, clients=["c2"])
    publish(world, "acme-gap", 3, NOV_5)
    push(world, "acme", "acme-gap", NOV_10, clients=["c2"])

    report = repush(world, "acme", "acme-gap", NOV_20, by="paula")

    assert (("c1",), ("c2",), {"acme-gap": (3, True)}) == (
        report.changed,
        report.unchanged,
        copies(world, "c1"),
    )


def test_a_repush_leaves_the_copies_clients_pulled_themselves(world: InMemoryContent) -> None:
    install(world, "c1", "acme-gap", NOV_1)
    publish(world, "acme-gap", 3, NOV_5)

    report = repush(world, "acme", "acme-gap", NOV_10)

    assert ((), {"acme-gap": (2, False)}) == (report.changed, copies(world, "c1"))


def test_a_repush_moves_templates_that_pinned_an_older_version(world: InMemoryContent) -> None:
    add_readiness_template(world)
    push(world, "acme", "acme-gap", NOV_1, templates=["readiness"])
    publish(world, "acme-gap", 3, NOV_5)

    report = repush(world, "acme", "acme-gap", NOV_10)

    assert (("readiness",), 3) == (
        report.templates_changed,
        world.templates.get("readiness").entry("acme-gap").version,  # type: ignore[union-attr]
    )


def test_a_failing_write_during_a_push_leaves_nothing(world: InMemoryContent) -> None:
    add_readiness_template(world)

    def broken(template: object) -> None:
        raise RuntimeError("disk full")

    world.templates.save = broken  # type: ignore[method-assign]

    with pytest.raises(RuntimeError):
        push(world, "acme", "acme-gap", NOV_5, clients=["c1"], templates=["readiness"])

    assert {} == copies(world, "c1")


def test_a_push_report_is_a_plain_record(world: InMemoryContent) -> None:
    report = push(world, "acme", "acme-risks", NOV_5, clients=["c1"])

    assert (
        PushReport(
            partner_id="acme",
            item_id="acme-risks",
            version=1,
            at=NOV_5,
            by=None,
            locked=False,
            changed=("c1",),
        )
        == report
    )
