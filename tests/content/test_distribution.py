from __future__ import annotations

from collections.abc import Callable

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
from partnercore.events import (
    SYSTEM,
    ContentInstalled,
    ContentPushed,
    ContentUninstalled,
    TemplateChanged,
)
from partnercore.memory import InMemoryStore
from partnercore.tenancy import suspend_team

from .conftest import NOV_1, NOV_5, NOV_10, NOV_20


def copies(world: InMemoryStore, client: str, at: object = NOV_20) -> dict[str, tuple[int, bool]]:
    return {c.item_id: (c.version, c.locked) for c in installed(world, client, at)}  # type: ignore[arg-type]


def test_a_pull_records_item_version_instant_and_who(world: InMemoryStore) -> None:
    copy = install(world, "c1", "acme-gap", at=NOV_1, by="carol")

    assert ("acme-gap", 2, NOV_1, "carol", False, CopyChange.INSTALL) == (
        copy.item_id,
        copy.version,
        copy.at,
        copy.by,
        copy.locked,
        copy.source,
    )


def test_installing_what_is_installed_changes_nothing(world: InMemoryStore) -> None:
    install(world, "c1", "acme-gap", at=NOV_1, by=SYSTEM)
    install(world, "c1", "acme-gap", at=NOV_5, by=SYSTEM)

    assert 1 == len(world.installs.for_client("c1"))


def test_a_client_cannot_install_another_partners_item(world: InMemoryStore) -> None:
    with pytest.raises(NotFoundError) as raised:
        install(world, "c1", "bolt-pack", at=NOV_1, by=SYSTEM)

    assert ("item", "bolt-pack") == (raised.value.kind, raised.value.id)
    assert str(raised.value).startswith("unknown item 'bolt-pack' in the library of acme")


def test_a_client_cannot_install_a_draft(world: InMemoryStore) -> None:
    with pytest.raises(NotFoundError):
        install(world, "c1", "acme-draft", at=NOV_1, by=SYSTEM)


def test_a_member_may_not_install_content(world: InMemoryStore) -> None:
    with pytest.raises(AccessDeniedError):
        install(world, "c1", "acme-gap", at=NOV_1, by="mia")

    assert () == installed(world, "c1", NOV_20)


def test_a_suspended_client_cannot_install(world: InMemoryStore) -> None:
    suspend_team(world, "c1", at=NOV_1, by="paula")

    with pytest.raises(InvalidTransitionError):
        install(world, "c1", "acme-gap", at=NOV_5, by=SYSTEM)


def test_an_install_dated_before_the_last_change_is_rejected(world: InMemoryStore) -> None:
    install(world, "c1", "acme-gap", at=NOV_10, by=SYSTEM)

    with pytest.raises(InvalidTransitionError):
        uninstall(world, "c1", "acme-gap", at=NOV_5, by=SYSTEM)


def test_an_uninstalled_item_is_gone_from_its_instant(world: InMemoryStore) -> None:
    install(world, "c1", "acme-gap", at=NOV_1, by=SYSTEM)
    uninstall(world, "c1", "acme-gap", at=NOV_10, by="carol")

    assert ({"acme-gap": (2, False)}, {}) == (copies(world, "c1", NOV_5), copies(world, "c1"))


def test_uninstalling_what_is_not_installed_is_not_found(world: InMemoryStore) -> None:
    with pytest.raises(NotFoundError) as raised:
        uninstall(world, "c1", "acme-gap", at=NOV_10, by=SYSTEM)

    assert ("installed copy", "unknown installed copy 'acme-gap' on c1") == (
        raised.value.kind,
        str(raised.value),
    )


def test_a_push_gives_each_chosen_client_a_versioned_copy(world: InMemoryStore) -> None:
    report = push(
        world, "acme", "acme-gap", at=NOV_5, by="paula", clients=["c1", "c2"], locked=True
    )
    copy = installed(world, "c2", NOV_20)[0]

    assert (("c1", "c2"), 2, CopyChange.PUSH, "paula", NOV_5, True) == (
        report.changed,
        copy.version,
        copy.source,
        copy.by,
        copy.at,
        copy.locked,
    )


def test_a_locked_copy_cannot_be_removed_by_the_client(world: InMemoryStore) -> None:
    push(world, "acme", "acme-gap", at=NOV_5, by="paula", clients=["c1"], locked=True)

    with pytest.raises(InvalidTransitionError):
        uninstall(world, "c1", "acme-gap", at=NOV_10, by="carol")


def test_a_locked_copy_cannot_be_updated_by_the_client(world: InMemoryStore) -> None:
    push(world, "acme", "acme-gap", at=NOV_5, by=SYSTEM, clients=["c1"], locked=True)
    publish(world, "acme-gap", 3, at=NOV_10, by=SYSTEM)

    with pytest.raises(InvalidTransitionError):
        install(world, "c1", "acme-gap", at=NOV_20, by=SYSTEM)


def test_pushing_it_unlocked_lets_the_client_remove_it(world: InMemoryStore) -> None:
    push(world, "acme", "acme-gap", at=NOV_5, by=SYSTEM, clients=["c1"], locked=True)
    push(world, "acme", "acme-gap", at=NOV_10, by=SYSTEM, clients=["c1"], locked=False)
    uninstall(world, "c1", "acme-gap", at=NOV_20, by=SYSTEM)

    assert {} == copies(world, "c1")


def test_a_push_to_a_client_already_holding_the_copy_reports_it_unchanged(
    world: InMemoryStore,
) -> None:
    install(world, "c1", "acme-gap", at=NOV_1, by=SYSTEM)

    report = push(world, "acme", "acme-gap", at=NOV_5, by=SYSTEM, clients=["c1", "c2"])

    assert (("c2",), ("c1",)) == (report.changed, report.unchanged)


def test_a_partner_cannot_push_to_another_partners_client(world: InMemoryStore) -> None:
    with pytest.raises(ValidationError) as raised:
        push(world, "acme", "acme-gap", at=NOV_5, by=SYSTEM, clients=["c1", "c3"])

    assert ("clients[1]", {}) == (raised.value.problems[0].path, copies(world, "c1"))


def test_a_partner_cannot_push_another_partners_item(world: InMemoryStore) -> None:
    with pytest.raises(NotFoundError):
        push(world, "acme", "bolt-pack", at=NOV_5, by=SYSTEM, clients=["c1"])


def test_only_a_content_manager_may_push(world: InMemoryStore) -> None:
    with pytest.raises(AccessDeniedError):
        push(world, "acme", "acme-gap", at=NOV_5, by="alice", clients=["c1"])


def add_readiness_template(world: InMemoryStore) -> None:
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
        at=NOV_1,
        by=SYSTEM,
    )


def test_a_push_to_a_template_pins_the_version_pushed(world: InMemoryStore) -> None:
    add_readiness_template(world)

    report = push(
        world,
        "acme",
        "acme-gap",
        at=NOV_5,
        by="paula",
        templates=["readiness"],
        locked=True,
    )

    assert (
        ("readiness",),
        TemplateContent(
            item_id="acme-gap", locked=True, version=2, pushed_by="paula", pushed_at=NOV_5
        ),
    ) == (report.templates_changed, world.templates.get("readiness").entry("acme-gap"))


def test_a_repush_updates_the_pushed_copies_and_reports_who_changed(
    world: InMemoryStore,
) -> None:
    push(world, "acme", "acme-gap", at=NOV_1, by=SYSTEM, clients=["c1"], locked=True)
    push(world, "acme", "acme-gap", at=NOV_1, by=SYSTEM, clients=["c2"])
    publish(world, "acme-gap", 3, at=NOV_5, by=SYSTEM)
    push(world, "acme", "acme-gap", at=NOV_10, by=SYSTEM, clients=["c2"])

    report = repush(world, "acme", "acme-gap", at=NOV_20, by="paula")

    assert (("c1",), ("c2",), {"acme-gap": (3, True)}) == (
        report.changed,
        report.unchanged,
        copies(world, "c1"),
    )


def test_a_repush_leaves_the_copies_clients_pulled_themselves(world: InMemoryStore) -> None:
    install(world, "c1", "acme-gap", at=NOV_1, by=SYSTEM)
    publish(world, "acme-gap", 3, at=NOV_5, by=SYSTEM)

    report = repush(world, "acme", "acme-gap", at=NOV_10, by=SYSTEM)

    assert ((), {"acme-gap": (2, False)}) == (report.changed, copies(world, "c1"))


def test_a_repush_moves_templates_that_pinned_an_older_version(world: InMemoryStore) -> None:
    add_readiness_template(world)
    push(world, "acme", "acme-gap", at=NOV_1, by=SYSTEM, templates=["readiness"])
    publish(world, "acme-gap", 3, at=NOV_5, by=SYSTEM)

    report = repush(world, "acme", "acme-gap", at=NOV_10, by=SYSTEM)

    assert (("readiness",), 3) == (
        report.templates_changed,
        world.templates.get("readiness").entry("acme-gap").version,  # type: ignore[union-attr]
    )


def test_a_failing_write_during_a_push_leaves_nothing(world: InMemoryStore) -> None:
    add_readiness_template(world)

    def broken(template: object) -> None:
        raise RuntimeError("disk full")

    world.templates.save = broken  # type: ignore[method-assign]

    with pytest.raises(RuntimeError):
        push(
            world, "acme", "acme-gap", at=NOV_5, by=SYSTEM, clients=["c1"], templates=["readiness"]
        )

    assert {} == copies(world, "c1")


def test_a_push_report_is_a_plain_record(world: InMemoryStore) -> None:
    report = push(world, "acme", "acme-risks", at=NOV_5, by=SYSTEM, clients=["c1"])

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


# -- who may act, and what they leave behind -------------------------------------------------

#: Every distribution write, done by ``by`` (each would succeed for paula).
WRITES: dict[str, Callable[[InMemoryStore, str], object]] = {
    "install": lambda w, by: install(w, "c1", "acme-gap", at=NOV_5, by=by),
    "uninstall": lambda w, by: uninstall(w, "c1", "acme-risks", at=NOV_5, by=by),
    "push": lambda w, by: push(w, "acme", "acme-gap", at=NOV_5, by=by, clients=["c1"]),
    "repush": lambda w, by: repush(w, "acme", "acme-policies", at=NOV_5, by=by),
    "add_template": lambda w, by: add_template(
        w,
        ClientTemplate(
            id="t",
            partner_id="acme",
            name="T",
            billing_model="reseller",
            operated_by="partner",
        ),
        at=NOV_5,
        by=by,
    ),
}


@pytest.fixture
def acting(world: InMemoryStore) -> InMemoryStore:
    """c1 holds acme-risks (pulled) and acme-policies v1 (pushed); acme-policies is at v2."""
    install(world, "c1", "acme-risks", at=NOV_1, by=SYSTEM)
    push(world, "acme", "acme-policies", at=NOV_1, by=SYSTEM, clients=["c1"])
    publish(world, "acme-policies", 2, at=NOV_1, by=SYSTEM)
    return world


def distribution(world: InMemoryStore) -> tuple[object, ...]:
    return (
        world.installs.for_client("c1"),
        world.templates.for_partner("acme"),
        world.revision(),
    )


@pytest.mark.parametrize("write", sorted(WRITES))
@pytest.mark.parametrize("by", ["mia", "alice", "bob", "nobody"])
def test_an_actor_without_the_right_is_refused_and_nothing_is_written(
    acting: InMemoryStore, write: str, by: str
) -> None:
    before = distribution(acting)
    with pytest.raises(AccessDeniedError) as raised:
        WRITES[write](acting, by)

    assert (before, False) == (distribution(acting), raised.value.decision.allowed)


@pytest.mark.parametrize("write", sorted(WRITES))
def test_the_clients_partner_admin_may_and_the_events_name_her(
    acting: InMemoryStore, write: str
) -> None:
    revision = acting.revision()
    WRITES[write](acting, "paula")

    assert {"paula"} == {event.by for event in acting.events.since(revision)}


@pytest.mark.parametrize("write", ["install", "uninstall"])
def test_a_client_admin_may_pull_and_remove_content(acting: InMemoryStore, write: str) -> None:
    WRITES[write](acting, "carol")

    assert "carol" == acting.installs.for_client("c1")[-1].by


def test_pulling_and_removing_append_their_events(world: InMemoryStore) -> None:
    revision = world.revision()
    install(world, "c1", "acme-gap", at=NOV_1, by="carol")
    install(world, "c1", "acme-gap", at=NOV_5, by="carol")  # already installed: nothing
    uninstall(world, "c1", "acme-gap", at=NOV_10, by="carol")

    assert [
        ContentInstalled(
            at=NOV_1, by="carol", team_id="c1", item_id="acme-gap", version=2, pushed=False,
            revision=revision + 1,
        ),
        ContentUninstalled(
            at=NOV_10, by="carol", team_id="c1", item_id="acme-gap", revision=revision + 2
        ),
    ] == world.events.since(revision)  # fmt: skip


def test_a_push_appends_what_it_changed_for_the_partner_and_each_client(
    world: InMemoryStore,
) -> None:
    add_readiness_template(world)
    install(world, "c1", "acme-gap", at=NOV_1, by=SYSTEM)
    revision = world.revision()
    push(
        world, "acme", "acme-gap", at=NOV_5, by="paula", clients=["c1", "c2"],
        templates=["readiness"],
    )  # fmt: skip

    assert [
        ContentPushed(
            at=NOV_5, by="paula", team_id="acme", item_id="acme-gap", version=2, locked=False,
            clients=("c1", "c2"), templates=("readiness",), changed=("c2",),
            revision=revision + 1,
        ),
        ContentInstalled(
            at=NOV_5, by="paula", team_id="c2", item_id="acme-gap", version=2, pushed=True,
            revision=revision + 2,
        ),
        TemplateChanged(
            at=NOV_5, by="paula", team_id="acme", template_id="readiness", revision=revision + 3
        ),
    ] == world.events.since(revision)  # fmt: skip


def test_a_push_that_changes_nothing_appends_nothing(world: InMemoryStore) -> None:
    push(world, "acme", "acme-gap", at=NOV_1, by=SYSTEM, clients=["c1"])
    revision = world.revision()

    report = push(world, "acme", "acme-gap", at=NOV_5, by="paula", clients=["c1"])

    assert (("c1",), []) == (report.unchanged, world.events.since(revision))


def test_a_repush_appends_the_clients_it_changed(acting: InMemoryStore) -> None:
    revision = acting.revision()
    repush(acting, "acme", "acme-policies", at=NOV_5, by="paula")
    pushed, installed_again = acting.events.since(revision)

    assert (("c1",), ("c1",), "c1", 2) == (
        pushed.clients,  # type: ignore[attr-defined]
        pushed.changed,  # type: ignore[attr-defined]
        installed_again.team_id,
        installed_again.version,  # type: ignore[attr-defined]
    )


def test_a_failing_write_in_the_hosts_unit_of_work_undoes_the_install_and_its_event(
    world: InMemoryStore,
) -> None:
    revision = world.revision()

    def host() -> None:
        with world.unit_of_work():
            install(world, "c1", "acme-gap", at=NOV_1, by="carol")
            raise RuntimeError("the host's own write failed")

    with pytest.raises(RuntimeError):
        host()

    assert ((), revision) == (installed(world, "c1", NOV_20), world.revision())
