"""The Team record: partners and clients, and the fields that belong to each."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import attrs
import pytest

from partnercore import ValidationError
from partnercore.tenancy import BillingModel, OperatedBy, Team, TeamKind, TeamStatus
from tests.tenancy.conftest import T0


def _client(**changes: object) -> Team:
    fields: dict[str, object] = {
        "id": "c1",
        "name": "Client",
        "kind": "client",
        "parent_id": "p1",
        "operated_by": "client",
        "billing_model": "reseller",
        "created_at": T0,
    }
    fields.update(changes)
    return Team(**fields)  # type: ignore[arg-type]


def test_enum_fields_accept_their_spec_spelling() -> None:
    team = _client(operated_by="partner", billing_model="non_reseller", status="suspended")
    assert (
        TeamKind.CLIENT,
        OperatedBy.PARTNER,
        BillingModel.NON_RESELLER,
        TeamStatus.SUSPENDED,
    ) == (
        team.kind,
        team.operated_by,
        team.billing_model,
        team.status,
    )
    assert ("UTC", None) == (team.timezone, team.organisation_key)


def test_a_partner_defaults_to_active_in_utc() -> None:
    partner = Team.partner("p1", "Partner", created_at=T0)
    assert (TeamKind.PARTNER, TeamStatus.ACTIVE, "UTC", None) == (
        partner.kind,
        partner.status,
        partner.timezone,
        partner.parent_id,
    )


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: _client(id="has space"), "id"),
        (lambda: _client(id="x" * 65), "id"),
        (lambda: _client(id="*"), "id"),
        (lambda: _client(name=""), "name"),
        (lambda: _client(kind="reseller"), "kind"),
        (lambda: _client(parent_id=None), "parent_id"),
        (lambda: _client(parent_id="c1"), "parent_id"),
        (lambda: _client(operated_by=None), "operated_by"),
        (lambda: _client(operated_by="robot"), "operated_by"),
        (lambda: _client(billing_model=None), "billing_model"),
        (lambda: _client(status="deleted"), "status"),
        (lambda: _client(timezone="Mars/Olympus"), "timezone"),
        (lambda: _client(created_at=datetime(2026, 1, 1)), "created_at"),
        (
            lambda: Team(id="p1", name="P", kind="partner", parent_id="p0", created_at=T0),
            "parent_id",
        ),
        (
            lambda: Team(id="p1", name="P", kind="partner", operated_by="client", created_at=T0),
            "operated_by",
        ),
        (
            lambda: Team(
                id="p1", name="P", kind="partner", billing_model="reseller", created_at=T0
            ),
            "billing_model",
        ),
    ],
)
def test_an_invalid_team_is_rejected_naming_the_field(
    build: Callable[[], Team], field: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        build()
    assert field == raised.value.problems[0].path


def test_ids_allow_letters_digits_dots_dashes_and_underscores() -> None:
    assert "A.b-c_9" == _client(id="A.b-c_9").id
    assert 64 == len(_client(id="x" * 64).id)


def test_kind_is_read_as_is_partner_and_is_client() -> None:
    partner = Team.partner("p1", "Partner", created_at=T0)

    assert (True, False, False, True) == (
        partner.is_partner,
        partner.is_client,
        _client().is_partner,
        _client().is_client,
    )


def test_a_client_gives_its_client_fields_typed() -> None:
    client = _client(parent_id="p9", operated_by="partner", billing_model="non_reseller")

    assert ("p9", OperatedBy.PARTNER, BillingModel.NON_RESELLER) == (
        client.client_partner_id,
        client.client_operated_by,
        client.client_billing_model,
    )


@pytest.mark.parametrize(
    ("read", "field"),
    [
        (lambda team: team.client_partner_id, "parent_id"),
        (lambda team: team.client_operated_by, "operated_by"),
        (lambda team: team.client_billing_model, "billing_model"),
    ],
)
def test_a_partner_has_no_client_fields_to_give(read: Callable[[Team], object], field: str) -> None:
    partner = Team.partner("p1", "Partner", created_at=T0)

    with pytest.raises(ValidationError) as raised:
        read(partner)

    assert (field, f"{field}: 'p1' is a partner team: {field} is for clients only") == (
        raised.value.problems[0].path,
        str(raised.value),
    )


def test_a_client_keeps_its_client_fields_through_evolve() -> None:
    with pytest.raises(ValidationError) as raised:
        attrs.evolve(_client(), billing_model=None)

    assert "billing_model" == raised.value.problems[0].path
