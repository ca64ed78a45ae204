"""Building a world: domain errors from applying an entry name the table, entry and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from partnercore import ValidationError
from partnercore.scenario import loads

BASE = (
    (Path(__file__).resolve().parent.parent / "data" / "bad" / "float_money.toml")
    .read_text(encoding="utf-8")
    .replace("400.0", '"400.00"')
)

ZETA = """
[[partners]]
id = "zeta"
name = "Zeta"
pricebook = "standard"
referral_rate = "0.10"
"""


def problem(text: str) -> str:
    with pytest.raises(ValidationError) as caught:
        loads(text)
    (only,) = caught.value.problems
    return str(only)


def test_the_base_document_loads() -> None:
    expected = ["c1", "c2"]
    assert expected == [team.id for team in loads(BASE).clients_of("acme")]


def test_a_role_that_does_not_fit_the_team_names_the_membership_and_its_role() -> None:
    expected = "memberships[0].role: client_admin fits client teams, but 'acme' is a partner team"
    assert expected == problem(BASE.replace('role = "advisor"', 'role = "client_admin"'))


def test_a_grant_on_another_partners_client_names_the_grant_and_its_client() -> None:
    text = (
        BASE
        + ZETA
        + (
            '[[grants]]\nid = "g1"\npartner = "zeta"\nclient = "c1"\nadvisor = "*"\n'
            'role = "advisor"\ngranted_at = 2026-02-01T00:00:00Z\n'
        )
    )

    expected = (
        "grants[0] (id \"g1\").client: 'c1' is not a client of 'zeta' at "
        "2026-02-01T00:00:00Z (its partner then: 'acme')"
    )
    assert expected == problem(text)


def test_consent_changed_by_someone_who_is_not_client_admin_names_by() -> None:
    text = BASE + (
        '[[consent]]\nclient = "c2"\npartner_access = "revoked"\n'
        'at = 2026-11-02T00:00:00Z\nby = "alice"\n'
    )

    expected = (
        "consent[0].by: alice may not revoke partner access to c2: alice is not a client_admin "
        "of c2 at 2026-11-02T00:00:00Z: only a client_admin can revoke or restore the partner's "
        "data access"
    )
    assert expected == problem(text)


def test_a_backdated_licence_event_names_the_event() -> None:
    text = BASE + (
        '[[license_events]]\nteam = "c2"\nevent = "upgrade"\nat = 2026-11-10T00:00:00Z\n'
        '[[license_events]]\nteam = "c2"\nevent = "downgrade"\nat = 2026-11-01T00:00:00Z\n'
    )

    expected = (
        "license_events[1].event: cannot downgrade in state 'full': dated 2026-11-01T00:00:00Z, "
        "before the last recorded event at 2026-11-10T00:00:00Z: events are chronological"
    )
    assert expected == problem(text)


def test_an_id_breaking_the_id_rule_is_named_with_every_other_problem_of_the_file() -> None:
    text = BASE.replace('"c2"', '"c 2"').replace('"acme"', '"ac me"', 1)

    with pytest.raises(ValidationError) as caught:
        loads(text)

    assert [
        'partners[0] (id "ac me").id: not a valid id: "ac me" '
        "(an id is 1-64 characters of [A-Za-z0-9._-])",
        'clients[1] (id "c 2").id: not a valid id: "c 2" '
        "(an id is 1-64 characters of [A-Za-z0-9._-])",
    ] == [str(p) for p in caught.value.problems if p.path.endswith(").id")]


def test_overlapping_memberships_name_the_second_one() -> None:
    text = BASE + (
        '[[memberships]]\nuser = "alice"\nteam = "acme"\nrole = "partner_admin"\n'
        "from = 2026-02-01T00:00:00Z\n"
    )

    assert problem(text).startswith("memberships[1].from: 'alice' already has a membership")


def test_a_draft_cannot_be_selected_into_a_library() -> None:
    text = BASE + (
        '[[content]]\nid = "x"\nkind = "framework"\ntitle = "X"\nowner = "platform"\n'
        'status = "draft"\n[[library]]\npartner = "acme"\nitem = "x"\n'
    )

    expected = "library[0].item: 'x' is not published"
    assert expected == problem(text)


def test_onboarding_onto_an_existing_client_names_the_onboarding() -> None:
    text = BASE + (
        '[[templates]]\nid = "t"\npartner = "acme"\nname = "T"\nbilling_model = "reseller"\n'
        'operated_by = "partner"\n[[onboard]]\nrequest_id = "r1"\ntemplate = "t"\n'
        'client = "c1"\nname = "Again"\nat = 2026-11-03T00:00:00Z\n'
    )

    expected = "onboard[0].client: team 'c1' already exists"
    assert expected == problem(text)


def test_installing_another_partners_item_is_refused() -> None:
    text = (
        BASE
        + ZETA
        + (
            '[[content]]\nid = "z-item"\nkind = "framework"\ntitle = "Z"\nowner = "zeta"\n'
            '[[installs]]\nclient = "c1"\nitem = "z-item"\nat = 2026-11-03T00:00:00Z\n'
        )
    )

    assert problem(text).startswith(
        "installs[0].item: unknown item 'z-item' in the library of acme"
    )


def test_a_client_created_outside_the_licence_range_names_created_at() -> None:
    text = BASE.replace(
        'operated_by = "partner"', 'operated_by = "partner"\ncreated_at = 0001-01-02T00:00:00Z'
    )

    expected = 'clients[0] (id "c1").created_at: year must be 2..9980, got 1'
    assert expected == problem(text)
