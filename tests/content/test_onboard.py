"""Onboarding from client templates: all or nothing, once per request id, and a client that
behaves exactly like one built by hand."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from partnercore import AccessDeniedError, ConflictError, NotFoundError, ValidationError
from partnercore.billing import BillingAccount, PriceBook, bill_period
from partnercore.content import (
    ClientTemplate,
    ContentStore,
    InitialLicense,
    InstalledContentCharges,
    TemplateContent,
    TemplateGrant,
    add_template,
    installed,
    onboard,
    push,
)
from partnercore.events import SYSTEM, ClientOnboarded, ContentInstalled
from partnercore.licensing import LicenseState, open_license
from partnercore.memory import InMemoryStore
from partnercore.tenancy import (
    BillingModel,
    Grant,
    OperatedBy,
    Permission,
    check,
    create_client,
    grant_access,
)

from .conftest import DEC_1, JAN_5, NOV_3, NOV_5, NOV_10, NOV_20

READINESS = ClientTemplate(
    id="readiness",
    partner_id="acme",
    name="ISO 27001 readiness",
    license="trial",
    billing_model="reseller",
    operated_by="partner",
    content=["iso27001", TemplateContent(item_id="acme-gap", locked=True)],
    grants=[TemplateGrant("*", "advisor"), TemplateGrant("alice", "advisor_admin")],
)


@pytest.fixture
def world(world: InMemoryStore) -> InMemoryStore:
    add_template(world, READINESS, at=NOV_3, by=SYSTEM)
    return world


def onboard_c9(store: ContentStore, **changes: Any) -> Any:
    fields: dict[str, Any] = {
        "template_id": "readiness",
        "client_id": "c9",
        "name": "Client Nine",
        "at": NOV_3,
        "by": SYSTEM,
        "request_id": "req-1",
    }
    fields.update(changes)
    return onboard(store, **fields)


def snapshot(world: InMemoryStore) -> dict[str, Any]:
    """Everything an onboarding of c9 could write."""
    t = world
    return {
        "teams": [team.id for team in t.teams.clients_of("acme")],
        "c9": t.teams.find("c9"),
        "licence": world.licenses.find("c9"),
        "grants": t.grants.for_partner("acme"),
        "events": world.events.since(0),
        "installs": world.installs.for_client("c9"),
        "onboarding": world.onboardings.find("req-1"),
    }


def test_onboarding_creates_the_client_with_everything_its_template_says(
    world: InMemoryStore,
) -> None:
    result = onboard_c9(world)
    team = world.teams.get("c9")

    assert (
        ("acme", BillingModel.RESELLER, OperatedBy.PARTNER),
        LicenseState.TRIAL,
        {"iso27001": (3, False), "acme-gap": (2, True)},
        [("*", "advisor"), ("alice", "advisor_admin")],
        LicenseState.TRIAL,
    ) == (
        (team.parent_id, team.billing_model, team.operated_by),
        world.licenses.get("c9").state_at(NOV_5),
        {c.item_id: (c.version, c.locked) for c in installed(world, "c9", NOV_5)},
        [(g.advisor_id, g.role.value) for g in world.grants.for_client("acme", "c9")],
        result.license,
    )


def test_onboarding_records_which_template_installed_each_copy(world: InMemoryStore) -> None:
    onboard_c9(world, by="paula")

    assert {("readiness", "paula", NOV_3)} == {
        (c.template_id, c.by, c.at) for c in installed(world, "c9", NOV_5)
    }


def test_the_same_request_twice_creates_one_client(world: InMemoryStore) -> None:
    first = onboard_c9(world)
    after_first = snapshot(world)

    second = onboard_c9(world)

    assert (first, after_first) == (second, snapshot(world))


def test_a_request_id_reused_with_other_details_is_a_conflict(world: InMemoryStore) -> None:
    onboard_c9(world)
    before = snapshot(world)

    with pytest.raises(ConflictError):
        onboard_c9(world, client_id="c10", name="Client Ten")

    assert (before, None) == (snapshot(world), world.teams.find("c10"))


class Failing:
    """A port that delegates to a real one but fails on the n-th call of one method."""

    def __init__(self, inner: object, method: str, fail_on_call: int = 1) -> None:
        self._inner = inner
        self._method = method
        self._left = fail_on_call

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._inner, name)
        if name != self._method:
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            self._left -= 1
            if self._left == 0:
                raise OSError(f"injected failure in {name}")
            return attribute(*args, **kwargs)

        return call


class FailingStore:
    """A store whose repository ``port`` fails on the n-th call of ``method``; everything
    else (the other repositories, the unit of work) is the real store's."""

    def __init__(self, inner: InMemoryStore, port: str, method: str, call: int) -> None:
        self._inner = inner
        self._failing = Failing(getattr(inner, port), method, call)
        self._port = port

    def __getattr__(self, name: str) -> Any:
        return self._failing if name == self._port else getattr(self._inner, name)


def with_failing(world: InMemoryStore, port: str, method: str, call: int) -> ContentStore:
    """The world with one repository failing, in the same units of work."""
    return FailingStore(world, port, method, call)  # type: ignore[return-value]


@pytest.mark.parametrize(
    ("port", "method", "call"),
    [
        ("teams", "add", 1),
        ("events", "append", 1),
        ("licenses", "add", 1),
        ("events", "append", 2),
        ("grants", "add", 1),
        ("grants", "add", 2),
        ("events", "append", 4),
        ("installs", "add_all", 1),
        ("onboardings", "add", 1),
        ("events", "append", 5),
    ],
)
def test_a_write_failing_part_way_leaves_nothing(
    world: InMemoryStore, port: str, method: str, call: int
) -> None:
    before = snapshot(world)

    with pytest.raises(OSError, match="injected failure"):
        onboard_c9(with_failing(world, port, method, call))

    assert before == snapshot(world)


def test_after_a_failure_the_same_request_can_be_retried(world: InMemoryStore) -> None:
    with pytest.raises(OSError, match="injected failure"):
        onboard_c9(with_failing(world, "onboardings", "add", 1))

    result = onboard_c9(world)

    assert ("c9", "acme") == (result.client_id, world.teams.get("c9").parent_id)


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"client_id": "c1"}, ConflictError),
        ({"template_id": "nope"}, NotFoundError),
        ({"at": datetime(2026, 11, 3)}, ValidationError),
        ({"timezone": "Mars/Olympus"}, ValidationError),
        ({"by": "alice"}, AccessDeniedError),
        ({"by": "bob"}, AccessDeniedError),
        ({"by": "carol"}, AccessDeniedError),
        ({"by": "nobody"}, AccessDeniedError),
        ({"by": None}, ValidationError),
    ],
)
def test_a_rejected_onboarding_writes_nothing(
    world: InMemoryStore, change: dict[str, Any], error: type[Exception]
) -> None:
    before = snapshot(world)

    with pytest.raises(error):
        onboard_c9(world, **change)

    assert before == snapshot(world)


def test_a_template_whose_item_is_a_draft_cannot_onboard(world: InMemoryStore) -> None:
    add_template(
        world,
        ClientTemplate(
            id="next",
            partner_id="acme",
            name="Next",
            billing_model="reseller",
            operated_by="client",
            content=["acme-draft"],
        ),
        at=NOV_3,
        by=SYSTEM,
    )
    before = snapshot(world)

    with pytest.raises(ValidationError) as raised:
        onboard_c9(world, template_id="next")

    assert ("template.content[0]", before) == (raised.value.problems[0].path, snapshot(world))


def test_a_template_cannot_name_another_partners_item(world: InMemoryStore) -> None:
    with pytest.raises(NotFoundError):
        add_template(
            world,
            ClientTemplate(
                id="theft",
                partner_id="acme",
                name="Theft",
                billing_model="reseller",
                operated_by="client",
                content=["bolt-pack"],
            ),
            at=NOV_3,
            by=SYSTEM,
        )


def test_a_default_grant_to_a_stranger_is_rejected_before_anything_is_written(
    world: InMemoryStore,
) -> None:
    add_template(
        world,
        ClientTemplate(
            id="odd",
            partner_id="acme",
            name="Odd",
            billing_model="reseller",
            operated_by="client",
            grants=[TemplateGrant("carol", "advisor")],
        ),
        at=NOV_3,
        by=SYSTEM,
    )
    before = snapshot(world)

    with pytest.raises(ValidationError):
        onboard_c9(world, template_id="odd")

    assert before == snapshot(world)


def test_a_full_licence_template_starts_paid(world: InMemoryStore) -> None:
    add_template(
        world,
        ClientTemplate(
            id="managed",
            partner_id="acme",
            name="Managed",
            license=InitialLicense.FULL,
            billing_model="non_reseller",
            operated_by="partner",
        ),
        at=NOV_3,
        by=SYSTEM,
    )

    result = onboard_c9(world, template_id="managed")

    assert LicenseState.FULL == result.license


def build_by_hand(world: InMemoryStore) -> None:
    """c8: the same client as c9 from READINESS, built step by step."""
    create_client(
        world,
        "c8",
        "Client Eight",
        partner_id="acme",
        operated_by="partner",
        billing_model="reseller",
        at=NOV_3,
        by=SYSTEM,
    )
    open_license(world, "c8", at=NOV_3, by=SYSTEM, initial_state="trial")
    for number, (advisor, role) in enumerate([("*", "advisor"), ("alice", "advisor_admin")]):
        grant_access(
            world,
            Grant(
                id=f"hand-{number}",
                partner_id="acme",
                client_id="c8",
                advisor_id=advisor,
                role=role,
                granted_at=NOV_3,
                granted_by="paula",
            ),
            at=NOV_3,
            by=SYSTEM,
        )
    push(world, "acme", "iso27001", at=NOV_3, by=SYSTEM, clients=["c8"])
    push(world, "acme", "acme-gap", at=NOV_3, by=SYSTEM, clients=["c8"], locked=True)


INSTANTS = [NOV_3, NOV_10, NOV_20, DEC_1, JAN_5]
USERS = ["paula", "alice", "bob", "carol"]


def decisions(world: InMemoryStore, client: str) -> list[tuple[str, str, datetime, bool, str]]:
    return [
        (user, permission.value, at, decision.allowed, decision.rule.value)
        for user in USERS
        for permission in Permission
        for at in INSTANTS
        for decision in [check(world, user, permission, client, at)]
    ]


def test_an_onboarded_client_passes_access_checks_exactly_as_a_hand_built_one(
    world: InMemoryStore,
) -> None:
    onboard_c9(world)
    build_by_hand(world)

    assert decisions(world, "c8") == decisions(world, "c9")


def test_an_onboarded_client_has_the_licence_of_a_hand_built_one(world: InMemoryStore) -> None:
    onboard_c9(world)
    build_by_hand(world)

    def timeline(client: str) -> list[tuple[str, datetime, datetime | None]]:
        return [
            (i.state.value, i.start, i.end)
            for i in world.licenses.get(client).timeline(NOV_3, JAN_5)
        ]

    assert timeline("c8") == timeline("c9")


def client_lines(world: InMemoryStore, client: str, period: str) -> list[tuple[str, str]]:
    if world.price_books.find("std") is None:
        world.price_books.add(
            PriceBook.of(
                "std", "USD", advisor_monthly_fee="50.00", full_license_monthly_fee="300.00"
            )
        )
        world.accounts.add(BillingAccount("acme", "std", "0.20"))
        world.accounts.add(BillingAccount("bolt", "std", "0.20"))
    run = bill_period(world, period, content=InstalledContentCharges(world))
    group = next(
        g for g in run.invoice("inv-acme-" + period).to_dict()["clients"] if g["client"] == client
    )
    return [(line["kind"], line["amount"]) for line in group["lines"]]


@pytest.mark.parametrize("period", ["2026-11", "2026-12"])
def test_an_onboarded_client_is_billed_exactly_as_a_hand_built_one(
    world: InMemoryStore, period: str
) -> None:
    onboard_c9(world)
    build_by_hand(world)

    assert client_lines(world, "c8", period) == client_lines(world, "c9", period)


def test_the_side_by_side_bills_are_what_the_template_implies(world: InMemoryStore) -> None:
    onboard_c9(world)

    # Trial from Nov 3 for 14 days, then free (default policy): no licence charge; the
    # locked monthly gap assessment is charged in full each month.
    assert ([("content", "25.00")], [("content", "25.00")]) == (
        client_lines(world, "c9", "2026-11"),
        client_lines(world, "c9", "2026-12"),
    )


def test_failing_helpers_only_fail_the_chosen_call() -> None:
    calls: list[int] = []
    proxy = Failing(type("Inner", (), {"add": lambda self, n: calls.append(n)})(), "add", 2)
    proxy.add(1)
    with pytest.raises(OSError, match="injected failure"):
        proxy.add(2)

    assert [1] == calls


# -- actors and events ------------------------------------------------------------------------


def test_the_partner_admin_onboards_and_every_event_names_her(world: InMemoryStore) -> None:
    revision = world.revision()
    onboard_c9(world, by="paula")
    events = world.events.since(revision)

    assert (
        [
            "client_created",
            "license_changed",
            "trial_started",
            "grant_created",
            "grant_created",
            "content_installed",
            "content_installed",
            "client_onboarded",
        ],
        {"paula"},
        {"c9"},
    ) == (
        [event.kind for event in events],
        {event.by for event in events},
        {event.team_id for event in events if event.kind != "grant_created"},
    )


def test_onboarding_ends_with_client_onboarded_after_the_copies_it_installed(
    world: InMemoryStore,
) -> None:
    onboard_c9(world)
    *_, first, second, onboarded = world.events.since(0)

    assert [
        ContentInstalled(
            at=NOV_3, by="system", team_id="c9", item_id="iso27001", version=3, pushed=True,
            revision=onboarded.revision - 2,
        ),
        ContentInstalled(
            at=NOV_3, by="system", team_id="c9", item_id="acme-gap", version=2, pushed=True,
            revision=onboarded.revision - 1,
        ),
        ClientOnboarded(
            at=NOV_3, by="system", team_id="c9", partner_id="acme", template_id="readiness",
            request_id="req-1", revision=onboarded.revision,
        ),
    ] == [first, second, onboarded]  # fmt: skip


def test_the_same_request_again_appends_no_event(world: InMemoryStore) -> None:
    onboard_c9(world)
    revision = world.revision()
    onboard_c9(world)

    assert [] == world.events.since(revision)


def test_the_same_request_by_someone_without_the_right_is_refused(world: InMemoryStore) -> None:
    onboard_c9(world, by="paula")

    with pytest.raises(AccessDeniedError):
        onboard_c9(world, by="alice")


def test_a_failure_later_in_the_hosts_unit_of_work_undoes_the_whole_onboarding(
    world: InMemoryStore,
) -> None:
    before = snapshot(world)

    def host() -> None:
        with world.unit_of_work():
            onboard_c9(world, by="paula")
            raise RuntimeError("the host's own write failed")

    with pytest.raises(RuntimeError):
        host()

    assert before == snapshot(world)


@pytest.mark.parametrize("by", ["alice", "bob", "carol", "nobody"])
def test_only_a_content_manager_of_the_partner_adds_templates(
    world: InMemoryStore, by: str
) -> None:
    revision = world.revision()
    template = ClientTemplate(
        id="t2", partner_id="acme", name="T2", billing_model="reseller", operated_by="client"
    )
    with pytest.raises(AccessDeniedError):
        add_template(world, template, at=NOV_5, by=by)

    assert (None, revision) == (world.templates.find("t2"), world.revision())


def test_adding_a_template_appends_template_changed(world: InMemoryStore) -> None:
    revision = world.revision()
    template = ClientTemplate(
        id="t2", partner_id="acme", name="T2", billing_model="reseller", operated_by="client"
    )
    add_template(world, template, at=NOV_5, by="paula")

    assert [("template_changed", "acme", "paula", "t2")] == [
        (e.kind, e.team_id, e.by, getattr(e, "template_id", None))
        for e in world.events.since(revision)
    ]
