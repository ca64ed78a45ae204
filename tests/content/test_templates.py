from __future__ import annotations

import pytest

from partnercore import ValidationError
from partnercore.content import (
    ClientTemplate,
    ContentItem,
    InitialLicense,
    Onboarding,
    TemplateContent,
    TemplateGrant,
)
from partnercore.serialization import structure, unstructure
from partnercore.tenancy import BillingModel, GrantRole
from partnercore.testing._content import _onboarding, _priced, _template


def template(**changes: object) -> ClientTemplate:
    fields: dict[str, object] = {
        "id": "readiness",
        "partner_id": "acme",
        "name": "ISO 27001 readiness",
        "billing_model": "reseller",
        "operated_by": "partner",
    }
    fields.update(changes)
    return ClientTemplate(**fields)  # type: ignore[arg-type]


def test_a_template_starts_free_unless_it_says_otherwise() -> None:
    assert (InitialLicense.FREE, InitialLicense.TRIAL) == (
        template().license,
        template(license="trial").license,
    )


def test_a_template_takes_item_ids_or_entries() -> None:
    entries = template(content=["iso", TemplateContent(item_id="gap", locked=True)]).content

    assert (TemplateContent(item_id="iso"), TemplateContent(item_id="gap", locked=True)) == entries


def test_an_item_listed_twice_is_rejected() -> None:
    with pytest.raises(ValidationError) as raised:
        template(content=["iso", "iso"])

    assert "content[1]" == raised.value.problems[0].path


def test_a_billing_model_must_be_one_of_the_spec() -> None:
    with pytest.raises(ValidationError) as raised:
        template(billing_model="wholesale")

    assert "billing_model" == raised.value.problems[0].path


def test_a_default_grant_names_an_advisor_or_every_advisor() -> None:
    assert (GrantRole.ADVISOR, "*") == (
        TemplateGrant("*", "advisor").role,
        TemplateGrant("*", "advisor").advisor,
    )


def test_a_default_grant_with_an_unknown_role_is_rejected() -> None:
    with pytest.raises(ValidationError) as raised:
        TemplateGrant("alice", "owner")

    assert "role" == raised.value.problems[0].path


def test_a_new_entry_replaces_the_items_entry_in_place_and_counts_a_revision() -> None:
    before = template(content=["iso", "gap", "pack"])
    after = before.with_entry(TemplateContent(item_id="gap", version=3))

    assert (["iso", "gap", "pack"], 3, 2) == (
        [entry.item_id for entry in after.content],
        after.entry("gap").version,  # type: ignore[union-attr]
        after.revision,
    )


def test_templates_items_and_onboardings_round_trip_through_plain_data() -> None:
    originals = [
        (_template(), ClientTemplate),
        (_priced(), ContentItem),
        (_onboarding(), Onboarding),
    ]

    assert originals == [(structure(unstructure(o), cls), cls) for o, cls in originals]


def test_a_template_keeps_its_billing_model_as_the_enum() -> None:
    assert BillingModel.RESELLER is template().billing_model
