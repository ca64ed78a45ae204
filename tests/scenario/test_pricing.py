"""Pricing models and deal terms in scenario files (§5.1, scenario-format.md wave 2)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from partnercore import ValidationError
from partnercore.billing import BillingAccount, ClientTerms, Discount
from partnercore.cli import main
from partnercore.scenario import load, loads

DATA = Path(__file__).resolve().parent.parent / "data"
PRICING = DATA / "pricing.toml"
TEXT = PRICING.read_text(encoding="utf-8")
ERROR = "partnercore: error: "


def lines_of(document: dict[str, Any], billed_to: str, client: str | None = None) -> list[Any]:
    for invoice in document["invoices"]:
        if invoice["billed_to"] != billed_to:
            continue
        if client is None:
            return list(invoice["lines"])
        for group in invoice["clients"]:
            if group["client"] == client:
                return list(group["lines"])
    raise AssertionError(f"no lines for {billed_to}/{client}")


# -- the worked scenario ---------------------------------------------------------------------


def test_the_published_numbers_come_out_of_the_scenario() -> None:
    november = load(PRICING).bill("2026-11").to_dict()

    kestrel = {
        line.get("metric", line["kind"]): (line["amount"], line.get("model"))
        for line in lines_of(november, "harbour", "kestrel")
    }
    assert {
        "license": ("46.67", None),  # Zuora: 14 days of 100.00 on 30/360
        "api_calls": ("115.00", "graduated"),  # Lago: 12 units graduated
        "scans": ("210.00", "volume"),  # Lago: 100 units volume
        "bullets": ("5.90", "package"),  # Kill Bill: 199 units in blocks of 100 at 2.95
    } == kestrel


def test_a_deal_client_is_billed_from_its_deal_book_with_its_discount() -> None:
    november = load(PRICING).bill("2026-11").to_dict()

    assert [
        ("license", "80.00"),
        ("usage", "7.50"),
        ("discount", "-21.88"),
    ] == [(line["kind"], line["amount"]) for line in lines_of(november, "wren")]


def test_a_banded_book_charges_each_client_the_fee_of_its_size() -> None:
    november = load(PRICING).bill("2026-11").to_dict()

    assert [("license", "100.00")] == [
        (line["kind"], line["amount"]) for line in lines_of(november, "atlas", "ash")
    ]
    assert [("Full licence, 15 of 30 days", "500.00", "250.00")] == [
        (line["description"], line["unit_price"], line["amount"])
        for line in lines_of(november, "atlas", "birch")
    ]


def test_a_year_of_the_tiered_partners_statements() -> None:
    scenario = load(PRICING)

    actual = [
        (s["tier"], s["trailing_revenue"], s["total"])
        for month in scenario.bill_range("2026-01", "2027-02", keep_runs=True).runs
        for s in month.to_dict()["referrals"]
        if s["partner"] == "summit"
    ]

    assert [
        ("bronze", "0.00", "40.00"),
        ("bronze", "400.00", "40.00"),
        ("bronze", "800.00", "40.00"),
        ("bronze", "1200.00", "60.00"),
        ("bronze", "1800.00", "85.00"),
        ("silver", "2650.00", "127.50"),
        ("silver", "3500.00", "127.50"),
        ("silver", "4350.00", "127.50"),
        ("gold", "5200.00", "170.00"),
        ("gold", "6050.00", "162.00"),
        ("gold", "6860.00", "162.00"),
        ("gold", "7670.00", "162.00"),
        ("gold", "8480.00", "170.00"),
        ("gold", "8930.00", "160.00"),
    ] == actual


def test_the_bill_command_names_the_tier_on_the_statement(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status = main(["bill", str(PRICING), "--period", "2026-06"])

    out = capsys.readouterr().out
    assert 0 == status
    assert "rate 0.15, tier silver (trailing revenue 2650.00)" in out
    assert "Usage: api_calls" not in out  # nothing of kestrel's in June


def test_the_accounts_keep_the_clients_terms() -> None:
    accounts = load(PRICING).store.accounts

    assert BillingAccount(
        "harbour",
        "metered",
        Decimal("0.20"),
        clients=[
            ClientTerms(
                client_id="wren",
                price_book_id="deal-wren",
                discounts=[Discount(percent="0.25", first_period="2026-11")],
            )
        ],
    ) == accounts.get("harbour")
    assert accounts.get("summit").referral_rate is None


# -- every invalid combination: a load error naming table, entry, key and reason --------------

BAD = [
    (
        "a client without employee_count under a banded book",
        ("employee_count = 8\n", ""),
        'clients[4] (id "ash").employee_count: required: price book "banded" prices full '
        "licences by employee count",
    ),
    (
        "a tiered partner with its own referral_rate",
        ('pricebook = "program"\n', 'pricebook = "program"\nreferral_rate = "0.10"\n'),
        'partners[0] (id "summit").referral_rate: not allowed: price book "program" sets the '
        "rate by partner tiers",
    ),
    (
        "an untiered partner without a referral_rate",
        ('referral_rate = "0.10"\n', ""),
        'partners[2] (id "atlas").referral_rate: missing required key (price book "banded" has '
        "no partner tiers)",
    ),
    (
        "tiers not ascending",
        ('{ up_to = 20, unit_price = "5", flat_fee = "3" }', '{ up_to = 10, unit_price = "5" }'),
        'pricebooks[1] (id "metered").usage_tiers.api_calls.tiers[1].up_to: must be greater '
        "than the previous tier's up_to (10), got 10",
    ),
    (
        "an unbounded tier before the last",
        ('{ up_to = 100, unit_price = "2", flat_fee = "10" }', '{ unit_price = "2" }'),
        'pricebooks[1] (id "metered").usage_tiers.scans.tiers[0].up_to: missing: only the last '
        "tier may be unbounded",
    ),
    (
        "a bounded last tier",
        ('{ unit_price = "0.5", flat_fee = "50" }', '{ up_to = 300, unit_price = "0.5" }'),
        'pricebooks[1] (id "metered").usage_tiers.scans.tiers[2].up_to: not allowed on the last '
        "tier: it is unbounded",
    ),
    (
        "a metric priced both ways",
        (
            'assessments = "5.00"\n[pricebooks.usage_tiers',
            'bullets = "1.00"\n[pricebooks.usage_tiers',
        ),
        'pricebooks[1] (id "metered").usage_tiers.bullets: metric priced both per unit (in '
        "usage) and by a tier model: give one",
    ),
    (
        "a package size below 1",
        ("size = 100", "size = 0"),
        'pricebooks[1] (id "metered").usage_tiers.bullets.size: must be at least 1, got 0',
    ),
    (
        "a package without its price",
        ('package_price = "2.95"\n', ""),
        'pricebooks[1] (id "metered").usage_tiers.bullets.package_price: required with model = '
        '"package"',
    ),
    (
        "a deal in another currency",
        ('id = "deal-wren"\ncurrency = "USD"', 'id = "deal-wren"\ncurrency = "EUR"'),
        'clients[3] (id "wren").pricebook: deal price book "deal-wren" is in EUR but partner '
        '"harbour" bills in USD: a deal is in the partner\'s currency',
    ),
    (
        "a discount of 0",
        ('percent = "0.25"', 'percent = "0"'),
        "discounts[1].percent: must be more than 0 (a fraction: 0.10 is 10 %)",
    ),
    (
        "a discount above 100 %",
        ('percent = "0.25"', 'percent = "1.25"'),
        'discounts[1].percent: must be at most 1, got "1.25"',
    ),
    (
        "a float percent",
        ('percent = "0.25"', "percent = 0.25"),
        "discounts[1].percent: the float 0.25 is not allowed: write money and rates as strings "
        '("0.25") or integers',
    ),
    (
        "a float tier price",
        ('package_price = "2.95"', "package_price = 2.95"),
        'pricebooks[1] (id "metered").usage_tiers.bullets.package_price: the float 2.95 is not '
        'allowed: write money and rates as strings ("2.95") or integers',
    ),
    (
        "a float partner tier rate",
        ('referral_rate = "0.15"', "referral_rate = 0.15"),
        'pricebooks[0] (id "program").partner_tiers[1].referral_rate: the float 0.15 is not '
        'allowed: write money and rates as strings ("0.15") or integers',
    ),
    (
        "a float tier bound",
        ("{ up_to = 10, unit_price", "{ up_to = 10.0, unit_price"),
        'pricebooks[1] (id "metered").usage_tiers.api_calls.tiers[0].up_to: expected an '
        "integer, got the float 10.0",
    ),
    (
        "overlapping discounts of one client",
        (
            'from = "2026-10"\nuntil = "2026-12"',
            'from = "2026-10"\nuntil = "2026-12"\n\n'
            '[[discounts]]\nclient = "harrow"\npercent = "0.05"\nfrom = "2026-12"',
        ),
        'discounts[1].from: overlaps discounts[0] of client "harrow": two discounts of one '
        "client may not overlap",
    ),
    (
        "a discount that ends before it starts",
        ('from = "2026-10"\nuntil = "2026-12"', 'from = "2026-10"\nuntil = "2026-09"'),
        "discounts[0].until: 2026-09 is before from = 2026-10",
    ),
    (
        "a discount month that is not a month",
        ('from = "2026-11"', 'from = "November"'),
        'discounts[1].from: expected a month as "YYYY-MM", got "November"',
    ),
    (
        "partner tiers that do not start at 0",
        ('from_trailing_revenue = "0"', 'from_trailing_revenue = "100"'),
        'pricebooks[0] (id "program").partner_tiers[0].from_trailing_revenue: the first tier '
        'starts at 0, got "100"',
    ),
    (
        "a book with both a fee and bands",
        (
            'id = "banded"\ncurrency = "USD"',
            'id = "banded"\ncurrency = "USD"\nfull_license_monthly_fee = "1.00"',
        ),
        'pricebooks[3] (id "banded").full_license_fee_by_size: not allowed with '
        "full_license_monthly_fee: give one or the other",
    ),
    (
        "usage of a metric the deal book does not price",
        ('team = "wren"\nmetric = "assessments"', 'team = "wren"\nmetric = "scans"'),
        'usage[12].metric: unknown usage metric "scans": price book "deal-wren" prices assessments',
    ),
]


def bad_file(tmp_path: Path, change: tuple[str, str]) -> str:
    old, new = change
    assert old in TEXT, old
    path = tmp_path / "bad.toml"
    path.write_text(TEXT.replace(old, new, 1), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(("case", "change", "problem"), BAD, ids=[case for case, *_ in BAD])
def test_validate_exits_2_with_one_line_naming_the_problem(
    case: str,
    change: tuple[str, str],
    problem: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = bad_file(tmp_path, change)

    status = main(["validate", path])

    out, err = capsys.readouterr()
    assert (2, f"{path}: {problem}\n", 1) == (status, out, err.count("\n"))


@pytest.mark.parametrize(("case", "change", "problem"), BAD, ids=[case for case, *_ in BAD])
def test_bill_exits_2_with_one_line_naming_the_problem(
    case: str,
    change: tuple[str, str],
    problem: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = bad_file(tmp_path, change)

    status = main(["bill", path, "--period", "2026-11"])

    assert (2, "", f"{ERROR}{path}: {problem}\n") == (status, *capsys.readouterr())


def test_an_onboarded_client_under_a_banded_book_needs_an_employee_count() -> None:
    text = TEXT + (
        '\n[[templates]]\nid = "starter"\npartner = "atlas"\nname = "Starter"\n'
        'billing_model = "reseller"\noperated_by = "partner"\n\n'
        '[[onboard]]\nrequest_id = "r1"\ntemplate = "starter"\nclient = "cedar"\n'
        'name = "Cedar"\nat = 2026-11-01T00:00:00Z\n'
    )

    with pytest.raises(ValidationError) as caught:
        loads(text)
    assert (
        'onboard[0].employee_count: required: price book "banded" prices full licences by '
        "employee count"
    ) == str(caught.value)

    world = loads(
        text.replace(
            "at = 2026-11-01T00:00:00Z\n", "at = 2026-11-01T00:00:00Z\nemployee_count = 60\n"
        )
    )
    terms = world.store.accounts.get("atlas").terms_of("cedar")
    assert terms is not None
    assert 60 == terms.employee_count


def test_every_problem_of_a_file_is_listed_at_once() -> None:
    text = TEXT.replace("size = 100", "size = 0").replace('percent = "0.25"', 'percent = "0"')

    with pytest.raises(ValidationError) as caught:
        loads(text)

    assert 2 == len(caught.value.problems)
