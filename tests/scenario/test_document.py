"""Reading a scenario document: every table and key checked, every problem named."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from partnercore import ValidationError
from partnercore.scenario import Document, read_document

BASE = """
format = 1

[[pricebooks]]
id = "standard"
currency = "USD"
advisor_monthly_fee = "50.00"
full_license_monthly_fee = "400.00"
[pricebooks.usage]
assessments = "5.00"

[[partners]]
id = "acme"
name = "Acme Advisory"
pricebook = "standard"
referral_rate = "0.20"

[[clients]]
id = "c1"
name = "Client One"
partner = "acme"
billing_model = "reseller"
operated_by = "partner"

[[users]]
id = "alice"
email = "alice@acme.example"
"""


def problems(text: str) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        read_document(text)
    return [str(problem) for problem in caught.value.problems]


def test_a_valid_document_reads_into_typed_entries_with_defaults() -> None:
    document = read_document(BASE)

    book, client = document.pricebooks[0], document.clients[0]
    expected = (Decimal("50.00"), "half_up", "any_time", {"assessments": Decimal("5.00")})
    assert expected == (book.advisor_monthly_fee, book.rounding, book.seat_policy, book.usage)
    expected_client = ("UTC", "active", None)
    assert expected_client == (client.timezone, client.status, client.organisation_key)
    expected_days = 14
    assert expected_days == document.license_policy.trial_days


def test_an_empty_document_is_an_empty_world() -> None:
    assert Document() == read_document("")


def test_a_float_where_money_is_expected_is_named_with_table_entry_and_key() -> None:
    text = BASE.replace('advisor_monthly_fee = "50.00"', "advisor_monthly_fee = 50.0")

    expected = [
        'pricebooks[0] (id "standard").advisor_monthly_fee: the float 50.0 is not allowed: '
        'write money and rates as strings ("50.0") or integers'
    ]
    assert expected == problems(text)


def test_an_integer_is_accepted_as_money() -> None:
    text = BASE.replace('advisor_monthly_fee = "50.00"', "advisor_monthly_fee = 50")

    expected = Decimal(50)
    assert expected == read_document(text).pricebooks[0].advisor_monthly_fee


def test_an_unknown_enum_value_names_the_expected_values() -> None:
    text = BASE + '\n[[clients]]\nid = "c3"\nname = "C3"\npartner = "acme"\n'
    text += 'billing_model = "resell"\noperated_by = "client"\n'
    text = text.replace(
        "[[users]]",
        '[[clients]]\nid = "c2"\nname = "C2"\npartner = "acme"\n'
        'billing_model = "reseller"\noperated_by = "client"\n\n[[users]]',
    )

    expected = [
        'clients[2] (id "c3").billing_model: unknown value "resell"; '
        "expected reseller or non_reseller"
    ]
    assert expected == problems(text)


def test_a_naive_datetime_is_rejected() -> None:
    text = BASE + '\n[[memberships]]\nuser = "alice"\nteam = "acme"\nrole = "advisor"\n'
    text += "from = 2026-01-01T00:00:00\n"

    expected = [
        "memberships[0].from: naive datetime 2026-01-01T00:00:00 rejected: "
        "give it an offset, e.g. 2026-01-01T00:00:00Z"
    ]
    assert expected == problems(text)


def test_an_offset_datetime_is_read_as_utc() -> None:
    text = BASE + '\n[[memberships]]\nuser = "alice"\nteam = "acme"\nrole = "advisor"\n'
    text += "from = 2026-01-01T01:00:00+01:00\n"

    membership = read_document(text).memberships[0]

    expected = datetime(2026, 1, 1, tzinfo=UTC)
    assert expected == membership.active_from
    expected = UTC
    assert expected == membership.active_from.tzinfo


def test_a_date_without_a_time_is_rejected() -> None:
    text = BASE + '\n[[usage]]\nteam = "c1"\nmetric = "assessments"\nquantity = 1\n'
    text += "at = 2026-11-05\n"

    expected = [
        "usage[0].at: expected a datetime with an offset (2026-11-05T10:00:00Z), "
        "got the date 2026-11-05"
    ]
    assert expected == problems(text)


def test_an_unknown_key_lists_the_keys_of_its_table() -> None:
    text = BASE.replace('email = "alice@acme.example"', 'email = "a@b.c"\ncolour = "red"')

    expected = ['users[0] (id "alice").colour: unknown key; expected one of email, id, name']
    assert expected == problems(text)


def test_an_unknown_table_is_rejected() -> None:
    (problem,) = problems(BASE + "\n[[widgets]]\n")

    assert problem.startswith("widgets: unknown table or key; expected one of clients, consent,")


def test_a_missing_required_key_is_named() -> None:
    text = BASE.replace('name = "Client One"\n', "")

    expected = ['clients[0] (id "c1").name: missing required key']
    assert expected == problems(text)


def test_a_reference_to_an_unknown_partner_is_named() -> None:
    text = BASE.replace('partner = "acme"', 'partner = "acmee"')

    expected = ['clients[0] (id "c1").partner: unknown partner "acmee"']
    assert expected == problems(text)


def test_a_grant_may_name_every_client_and_every_advisor() -> None:
    text = BASE + '\n[[grants]]\nid = "g1"\npartner = "acme"\nclient = "*"\nadvisor = "*"\n'
    text += 'role = "advisor"\ngranted_at = 2026-01-01T00:00:00Z\n'

    grant = read_document(text).grants[0]

    expected = ("*", "*")
    assert expected == (grant.client, grant.advisor)


def test_a_grant_to_an_unknown_advisor_says_what_is_accepted() -> None:
    text = BASE + '\n[[grants]]\nid = "g1"\npartner = "acme"\nclient = "c1"\nadvisor = "bob"\n'
    text += 'role = "advisor"\ngranted_at = 2026-01-01T00:00:00Z\n'

    expected = ['grants[0] (id "g1").advisor: unknown user "bob"; expected a user id or "*"']
    assert expected == problems(text)


def test_an_unknown_usage_metric_names_the_price_book_and_its_metrics() -> None:
    text = BASE + '\n[[usage]]\nteam = "c1"\nmetric = "scans"\nquantity = 3\n'
    text += "at = 2026-11-05T10:00:00Z\n"

    expected = [
        'usage[0].metric: unknown usage metric "scans": price book "standard" prices assessments'
    ]
    assert expected == problems(text)


def test_a_duplicate_team_id_across_partners_and_clients_is_rejected() -> None:
    text = BASE.replace('id = "c1"', 'id = "acme"')

    expected = [
        'clients[0] (id "acme").id: duplicate id "acme": already used by partners[0] (id "acme")'
    ]
    assert expected == problems(text)


def test_every_problem_is_reported_at_once() -> None:
    text = BASE.replace('advisor_monthly_fee = "50.00"', "advisor_monthly_fee = 50.0")
    text = text.replace('billing_model = "reseller"', 'billing_model = "resell"')
    text = text.replace('email = "alice@acme.example"', "email = 3")

    expected = 3
    assert expected == len(problems(text))


def test_a_broken_entry_does_not_make_references_to_it_unknown() -> None:
    text = BASE.replace('referral_rate = "0.20"', "referral_rate = 0.2")

    expected = 1
    assert expected == len(problems(text))


def test_skip_trial_is_only_allowed_with_upgrade() -> None:
    text = BASE + '\n[[license_events]]\nteam = "c1"\nevent = "downgrade"\n'
    text += "at = 2026-11-05T10:00:00Z\nskip_trial = true\n"

    expected = ['license_events[0].skip_trial: only allowed with event = "upgrade"']
    assert expected == problems(text)


def test_a_table_written_as_a_single_table_is_rejected() -> None:
    text = BASE.replace("[[users]]", "[users]")

    expected = ["users: expected an array of tables ([[users]]), got a table"]
    assert expected == problems(text)


def test_an_unsupported_format_version_is_rejected() -> None:
    expected = ["format: unsupported format the integer 2; expected 1"]
    assert expected == problems(BASE.replace("format = 1", "format = 2"))


def test_a_license_policy_is_read_from_its_table() -> None:
    text = BASE + '\n[license_policy]\ntrial_days = 30\non_trial_end = "full"\n'

    policy = read_document(text).license_policy

    expected = (30, "full")
    assert expected == (policy.trial_days, policy.on_trial_end)


def test_a_newline_in_a_value_never_breaks_the_message_onto_two_lines() -> None:
    text = BASE.replace('billing_model = "reseller"', 'billing_model = "a\\nb"')

    (message,) = problems(text)

    assert "\n" not in message
    assert 'unknown value "a\\nb"' in message


def test_a_problem_after_a_broken_entry_names_the_entry_where_the_file_has_it() -> None:
    text = BASE + (
        '\n[[clients]]\nid = "c2"\nname = "Two"\npartner = "acme"\nbilling_model = "resell"\n'
        'operated_by = "partner"\n'
        '\n[[clients]]\nid = "c3"\nname = "Three"\npartner = "nobody"\n'
        'billing_model = "reseller"\noperated_by = "partner"\n'
    )

    expected = [
        'clients[1] (id "c2").billing_model: unknown value "resell"; expected reseller or '
        "non_reseller",
        'clients[2] (id "c3").partner: unknown partner "nobody"',
    ]
    assert expected == problems(text)


def test_each_entry_is_read_through_the_librarys_converter() -> None:
    from partnercore.scenario._document import UsageEntry
    from partnercore.scenario._keys import entry_converter

    raw = {
        "team": "c1",
        "metric": "assessments",
        "quantity": 3,
        "at": datetime(2026, 11, 5, tzinfo=UTC),
    }

    expected = UsageEntry(
        team="c1", metric="assessments", quantity=Decimal(3), at=datetime(2026, 11, 5, tzinfo=UTC)
    )
    assert expected == entry_converter().structure(raw, UsageEntry)


def test_an_id_follows_the_one_id_rule_of_the_library() -> None:
    text = BASE.replace('id = "alice"', 'id = "al/ice"').replace(
        'name = "Client One"', 'name = "Client One"\nid_extra = 1'
    )

    expected = [
        'clients[0] (id "c1").id_extra: unknown key; expected one of billing_model, country, '
        "created_at, employee_count, id, name, operated_by, organisation_key, partner, "
        "pricebook, status, tax_id, timezone",
        'users[0] (id "al/ice").id: not a valid id: "al/ice" (an id is 1-64 characters of '
        "[A-Za-z0-9._-])",
    ]
    assert expected == problems(text)


def test_a_metric_is_a_name_not_an_id() -> None:
    text = BASE.replace("assessments = ", '"risk reviews" = ')

    document = read_document(text)

    assert {"risk reviews": Decimal("5.00")} == dict(document.pricebooks[0].usage)
