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
    ContentPorts,
    InitialLicense,
    InstalledContentCharges,
    TemplateContent,
    TemplateGrant,
    add_template,
    installed,
    onboard,
    push,
)
from partnercore.licensing import LicenseState, open_license
from partnercore.memory import InMemoryBilling, InMemoryContent
from partnercore.tenancy import (
    BillingModel,
    Grant,
    OperatedBy,
    Permission,
    TenancyPorts,
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
def world(world: InMemoryContent) -> InMemoryContent:
    add_template(world, READINESS)
    return world


def onboard_c9(ports: ContentPorts, **changes: Any) -> Any:
    fields: dict[str, Any] = {
        "template_id": "readiness",
        "client_id": "c9",
        "name": "Client Nine",
        "at": NOV_3,
        "request_id": "req-1",
    }
    fields.update(changes)
    return onboard(ports, **fields)


def snapshot(world: InMemoryContent) -> dict[str, Any]:
    """Everything an onboarding of c9 could write."""
    t = world.tenancy
    return {
        "teams": [team.id for team in t.teams.clients_of("acme")],
        "c9": t.teams.find("c9"),
        "licence": world.licenses.find("c9"),
        "grants": t.grants.for_partner("acme"),
        "audit": t.audit.entries(),
        "installs": world.installs.for_client("c9"),
        "onboarding": world.onboardings.find("req-1"),
    }


def test_onboarding_creates_the_client_with_everything_its_template_says(
    world: InMemoryContent,
) -> None:
    result = onboard_c9(world)
    team = world.tenancy.teams.get("c9")

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
        [(g.advisor_id, g.role.value) for g in world.tenancy.grants.for_client("acme", "c9")],
        result.license,
    )


def test_onboarding_records_which_template_installed_each_copy(world: InMemoryContent) -> None:
    onboard_c9(world, by="paula")

    assert {("readiness", "paula", NOV_3)} == {
        (c.template_id, c.by, c.at) for c in installed(world, "c9", NOV_5)
    }


def test_the_same_request_twice_creates_one_client(world: InMemoryContent) -> None:
    first = onboard_c9(world)
    after_first = snapshot(world)

    second = onboard_c9(world)

    assert (first, after_first) == (second, snapshot(world))


def test_a_request_id_reused_with_other_details_is_a_conflict(world: InMemoryContent) -> None:
    onboard_c9(world)
    before = snapshot(world)

    with pytest.raises(ConflictError):
        onboard_c9(world, client_id="c10", name="Client Ten")

    assert (before, None) == (snapshot(world), world.tenancy.teams.find("c10"))


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


def with_failing(world: InMemoryContent, port: str, method: str, call: int) -> ContentPorts:
    """The world's ports with one of them failing; the same unit of work over the stores."""
    tenancy = {
        name: getattr(world.tenancy, name)
        for name in ("teams", "users", "memberships", "grants", "consents", "history", "audit")
    }
    content = {
        name: getattr(world, name)
        for name in ("licenses", "items", "libraries", "installs", "templates", "onboardings")
    }
    if port in tenancy:
        tenancy[port] = Failing(tenancy[port], method, call)
    else:
        content[port] = Failing(content[port], method, call)
    return ContentPorts(tenancy=TenancyPorts(**tenancy), unit_of_work=world.unit_of_work, **content)


@pytest.mark.parametrize(
    ("port", "method", "call"),
    [
        ("teams", "add", 1),
        ("audit", "append", 1),
        ("licenses", "add", 1),
        ("grants", "add", 1),
        ("grants", "add", 2),
        ("audit", "append", 3),
        ("installs", "add_all", 1),
        ("onboardings", "add", 1),
    ],
)
def test_a_write_failing_part_way_leaves_nothing(
    world: InMemoryContent, port: str, method: str, call: int
) -> None:
    before = snapshot(world)

    with pytest.raises(OSError, match="injected failure"):
        onboard_c9(with_failing(world, port, method, call))

    assert before == snapshot(world)


def test_after_a_failure_the_same_request_can_be_retried(world: InMemoryContent) -> None:
    with pytest.raises(OSError, match="injected failure"):
        onboard_c9(with_failing(world, "onboardings", "add", 1))

    result = onboard_c9(world)

    assert ("c9", "acme") == (result.client_id, world.tenancy.teams.get("c9").parent_id)


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"client_id": "c1"}, ConflictError),
        ({"template_id": "nope"}, NotFoundError),
        ({"at": datetime(2026, 11, 3)}, ValidationError),
        ({"timezone": "Mars/Olympus"}, ValidationError),
        ({"by": "alice"}, AccessDeniedError),
        ({"by": "bob"}, AccessDeniedError),
    ],
)
def test_a_rejected_onboarding_writes_nothing(
    world: InMemoryContent, change: dict[str, Any], error: type[Exception]
) -> None:
    before = snapshot(world)

    with pytest.raises(error):
        onboard_c9(world, **change)

    assert before == snapshot(world)


def test_a_template_whose_item_is_a_draft_cannot_onboard(world: InMemoryContent) -> None:
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
    )
    before = snapshot(world)

    with pytest.raises(ValidationError) as raised:
        onboard_c9(world, template_id="next")

    assert ("template.content[0]", before) == (raised.value.problems[0].path, snapshot(world))


def test_a_template_cannot_name_another_partners_item(world: InMemoryContent) -> None:
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
        )


def test_a_default_grant_to_a_stranger_is_rejected_before_anything_is_written(
    world: InMemoryContent,
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
    )
    before = snapshot(world)

    with pytest.raises(ValidationError):
        onboard_c9(world, template_id="odd")

    assert before == snapshot(world)


def test_a_full_licence_template_starts_paid(world: InMemoryContent) -> None:
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
    )

    result = onboard_c9(world, template_id="managed")

    assert LicenseState.FULL == result.license


def build_by_hand(world: InMemoryContent) -> None:
    """c8: the same client as c9 from READINESS, built step by step."""
    create_client(
        world.tenancy,
        "c8",
        "Client Eight",
        partner_id="acme",
        operated_by="partner",
        billing_model="reseller",
        at=NOV_3,
    )
    open_license(world.licenses, "c8", NOV_3, initial_state="trial")
    for number, (advisor, role) in enumerate([("*", "advisor"), ("alice", "advisor_admin")]):
        grant_access(
            world.tenancy,
            Grant(
                id=f"hand-{number}",
                partner_id="acme",
                client_id="c8",
                advisor_id=advisor,
                role=role,
                granted_at=NOV_3,
                granted_by="paula",
            ),
        )
    push(world, "acme", "iso27001", NOV_3, clients=["c8"])
    push(world, "acme", "acme-gap", NOV_3, clients=["c8"], locked=True)


INSTANTS = [NOV_3, NOV_10, NOV_20, DEC_1, JAN_5]
USERS = ["paula", "alice", "bob", "carol"]


def decisions(world: InMemoryContent, client: str) -> list[tuple[str, str, datetime, bool, str]]:
    return [
        (user, permission.value, at, decision.allowed, decision.rule.value)
        for user in USERS
        for permission in Permission
        for at in INSTANTS
        for decision in [check(world.tenancy, user, permission, client, at)]
    ]


def test_an_onboarded_client_passes_access_checks_exactly_as_a_hand_built_one(
    world: InMemoryContent,
) -> None:
    onboard_c9(world)
    build_by_hand(world)

    assert decisions(world, "c8") == decisions(world, "c9")


def test_an_onboarded_client_has_the_licence_of_a_hand_built_one(world: InMemoryContent) -> None:
    onboard_c9(world)
    build_by_hand(world)

    def timeline(client: str) -> list[tuple[str, datetime, datetime | None]]:
        return [
            (i.state.value, i.start, i.end)
            for i in world.licenses.get(client).timeline(NOV_3, JAN_5)
        ]

    assert timeline("c8") == timeline("c9")


def client_lines(world: InMemoryContent, client: str, period: str) -> list[tuple[str, str]]:
    stores = InMemoryBilling()
    stores.price_books.add(
        PriceBook.of("std", "USD", advisor_monthly_fee="50.00", full_license_monthly_fee="300.00")
    )
    stores.accounts.add(BillingAccount("acme", "std", "0.20"))
    stores.accounts.add(BillingAccount("bolt", "std", "0.20"))
    ports = stores.ports(tenancy=world.tenancy, licenses=world.licenses)
    run = bill_period(period, ports, content=InstalledContentCharges(world))
    group = next(
        g for g in run.invoice("inv-acme-" + period).to_dict()["clients"] if g["client"] == client
    )
    return [(line["kind"], line["amount"]) for line in group["lines"]]


@pytest.mark.parametrize("period", ["2026-11", "2026-12"])
def test_an_onboarded_client_is_billed_exactly_as_a_hand_built_one(
    world: InMemoryContent, period: str
) -> None:
    onboard_c9(world)
    build_by_hand(world)

    assert client_lines(world, "c8", period) == client_lines(world, "c9", period)


def test_the_side_by_side_bills_are_what_the_template_implies(world: InMemoryContent) -> None:
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
