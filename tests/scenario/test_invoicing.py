"""Scenario files with invoice documents (§5.2): ``[invoicing]``, ``[[tax_rates]]``,
``country``/``tax_id``, ``[[finalise]]`` and ``[[credit_notes]]``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from partnercore import ValidationError
from partnercore.scenario import import_scenario_at, loads, open_scenario
from partnercore.scenario._document import InvoicingEntry
from partnercore.scenario._keys import entry_keys
from partnercore.sqlite import SqliteStore

ROOT = Path(__file__).resolve().parents[2]
TEXT = (ROOT / "tests" / "data" / "invoicing.toml").read_text(encoding="utf-8")
CREDIT = """
[[credit_notes]]
request_id = "cn-1"
invoice = "inv-kookaburra-2026-10"
at = 2026-11-10T00:00:00Z
reason = "assessments recorded twice"
lines = [{ client = "c1", kind = "usage", metric = "assessments", amount = "10.00" }]
"""


def _problems(text: str) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        loads(text)
    return [str(problem) for problem in caught.value.problems]


def test_a_scenario_finalises_and_credits_with_its_numbers_and_tax() -> None:
    documents = loads(TEXT).invoices().to_dict()

    expected = [
        ("PC-2026-000001", "inv-bergmann-2026-10", "0.00", "400.00", "400.00"),
        ("PC-2026-000002", "inv-kookaburra-2026-10", "46.00", "506.00", "495.00"),
        ("PC-2026-000003", "inv-rhein-2026-10", "0.00", "50.00", "50.00"),
    ]
    actual = [
        (i["number"], i["id"], i["tax"]["amount"], i["total"], i["balance"])
        for i in documents["invoices"]
    ]
    assert expected == actual
    notes = [(n["number"], n["invoice"], n["total"]) for n in documents["credit_notes"]]
    assert [("CN-2026-000001", "PC-2026-000002", "11.00")] == notes


def test_a_partner_with_a_tax_id_inside_the_zone_is_reverse_charged() -> None:
    invoice = loads(TEXT).invoices("2026-10").to_dict()["invoices"][2]

    expected = {"rate": "0", "name": None, "amount": "0.00", "reverse_charge": True}
    assert expected == invoice["tax"]


def test_billing_a_scenario_uses_its_invoicing_settings() -> None:
    run = loads(TEXT).bill("2026-10").to_dict()

    taxes = {i["id"]: i["tax"]["amount"] for i in run["invoices"]}
    assert "46.00" == taxes["inv-kookaburra-2026-10"]


def test_the_next_statement_takes_back_the_referral_on_a_credit_note() -> None:
    statement = loads(TEXT).bill("2026-11").to_dict()["referrals"][0]

    expected = {
        "client": "c1",
        "base": "-10.00",
        "amount": "-2.00",
        "credit_note": "CN-2026-000001",
    }
    assert expected == statement["lines"][-1]


def test_a_scenario_without_invoicing_tables_has_no_tax() -> None:
    text = TEXT.split("[[pricebooks]]", 1)[1]
    scenario = loads("[[pricebooks]]" + text.replace("PC-", "INV-"))

    assert (None, "INV-2026-000001") == (
        scenario.invoicing.issuer_country,
        scenario.invoices().invoices[0].number,
    )
    totals = {i["id"]: i["total"] for i in scenario.bill("2026-10").to_dict()["invoices"]}
    assert "460.00" == totals["inv-kookaburra-2026-10"]


def test_a_repeated_credit_note_request_with_the_same_content_is_a_no_op() -> None:
    scenario = loads(TEXT + CREDIT)

    assert 1 == len(scenario.invoices().credit_notes)


def test_a_reused_credit_note_request_id_with_other_content_is_a_load_error() -> None:
    problems = _problems(TEXT + CREDIT.replace("recorded twice", "a typo"))

    assert 1 == len(problems)
    assert problems[0].startswith("credit_notes[1].request_id: credit note request 'cn-1' was")


def test_over_crediting_is_a_load_error_naming_the_amount() -> None:
    text = TEXT.replace('amount = "10.00"', 'amount = "10.05"')

    expected = [
        "credit_notes[0].lines[0].amount: credits 10.05 on usage assessments of c1 of invoice "
        "PC-2026-000002, but only 10.00 remains"
    ]
    assert expected == _problems(text)


def test_crediting_an_invoice_that_is_not_finalised_is_a_load_error() -> None:
    text = TEXT.replace('invoice = "inv-kookaburra-2026-10"', 'invoice = "inv-kookaburra-2026-11"')

    expected = [
        'credit_notes[0].invoice: "inv-kookaburra-2026-11" is not a finalised invoice at '
        "2026-11-10T00:00:00Z: only a finalised invoice can be credited"
    ]
    assert expected == _problems(text)


def test_a_credit_note_before_its_invoice_is_finalised_is_a_load_error() -> None:
    text = TEXT.replace("at = 2026-11-01T02:00:00Z", "at = 2026-11-20T02:00:00Z")

    problems = _problems(text)

    assert ["credit_notes[0].invoice"] == [p.split(":")[0] for p in problems]


def test_finalisations_and_credit_notes_apply_in_order_of_at_not_file_order() -> None:
    # In the file the credit note comes first; it is dated after the finalisation.
    assert TEXT.index("[[credit_notes]]") < TEXT.index("[[finalise]]")

    assert 1 == len(loads(TEXT).invoices().credit_notes)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            'country = "NZ"',
            'country = "nz"',
            'clients[1] (id "bergmann").country: not an upper-case ISO 3166-1 alpha-2 country '
            'code: "nz" (write "NZ")',
        ),
        (
            'country = "DE"',
            'country = "XX"',
            'partners[1] (id "rhein").country: not an upper-case ISO 3166-1 alpha-2 country '
            'code: "XX"',
        ),
        (
            'issuer_country = "AU"',
            'issuer_country = "Australia"',
            "invoicing.issuer_country: not an upper-case ISO 3166-1 alpha-2 country code: "
            '"Australia"',
        ),
        (
            '["AU", "DE", "FR"]',
            '["AU", "de"]',
            "invoicing.reverse_charge_zone[1]: not an upper-case ISO 3166-1 alpha-2 country "
            'code: "de" (write "DE")',
        ),
        (
            'number_prefix = "PC-"',
            'number_prefix = "P C"',
            "invoicing.number_prefix: expected a prefix of at most 20 characters, got 'P C'",
        ),
        (
            'rate = "0.10"',
            "rate = 0.1",
            "tax_rates[0].rate: the float 0.1 is not allowed: write money and rates as strings "
            '("0.1") or integers',
        ),
        (
            'rate = "0.10"',
            'rate = "1"',
            'tax_rates[0].rate: must be a fraction below 1, got "1"',
        ),
        (
            "payment_terms_days = 30",
            "payment_terms_days = 4000",
            "invoicing.payment_terms_days: expected a whole number of days within 0..3650, "
            "got 4000",
        ),
        (
            'period = "2026-10"',
            'period = "2026-13"',
            'finalise[0].period: expected a month as "YYYY-MM", got "2026-13"',
        ),
        (
            'reason = "assessments recorded twice"',
            'reason = "assessments recorded twice"\nfull = true',
            "credit_notes[0].lines: not allowed with full = true",
        ),
        (
            'lines = [{ client = "c1", kind = "usage", metric = "assessments", amount = "10.00" }]',
            "",
            "credit_notes[0].lines: at least one line is required (or full = true)",
        ),
        (
            'client = "c1", kind = "usage"',
            'client = "c9", kind = "usage"',
            'credit_notes[0].lines[0].client: unknown client "c9"',
        ),
        (
            'kind = "usage"',
            'kind = "tip"',
            'credit_notes[0].lines[0].kind: unknown value "tip"; expected advisor_seats, license, '
            "usage, content or adjustment",
        ),
    ],
)
def test_bad_invoicing_entries_are_named_by_table_entry_and_key(
    old: str, new: str, expected: str
) -> None:
    assert old in TEXT

    assert [expected] == _problems(TEXT.replace(old, new, 1))


def test_a_country_with_two_tax_rates_is_a_load_error() -> None:
    text = TEXT.replace(
        "[[pricebooks]]",
        '[[tax_rates]]\ncountry = "AU"\nrate = "0.15"\nname = "X"\n\n[[pricebooks]]',
        1,
    )

    expected = ['tax_rates[1].country: "AU" has a rate already in tax_rates[0]']
    assert expected == _problems(text)


def test_a_sqlite_store_keeps_the_invoicing_settings_of_its_scenario(tmp_path: Path) -> None:
    path = tmp_path / "world.db"
    import_scenario_at(path, TEXT)

    with SqliteStore(path, read_only=True) as store:
        scenario = open_scenario(store)
        taxes = {
            i["id"]: i["tax"]["amount"] for i in scenario.bill("2026-10").to_dict()["invoices"]
        }
        numbers = [invoice.number for invoice in scenario.invoices().invoices]

    assert "46.00" == taxes["inv-kookaburra-2026-10"]
    assert ["PC-2026-000001", "PC-2026-000002", "PC-2026-000003"] == numbers


def test_every_key_of_the_invoicing_table_is_documented() -> None:
    doc = (ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8")
    section = re.search(r"^### `\[invoicing\]`\n(.*?)(?=^##)", doc, re.S | re.M)
    assert section is not None
    documented = re.findall(r"^\| `([a-z_]+)` \|", section.group(1), re.M)

    assert list(entry_keys(InvoicingEntry).names.values()) == documented
