from __future__ import annotations

from datetime import UTC, datetime

from partnercore.billing import (
    BillingAccount,
    ContentCharge,
    PriceBook,
    bill_period,
)
from partnercore.content import (
    ContentItem,
    ContentPrice,
    CopyEvent,
    InstalledContentCharges,
    install,
    push,
    uninstall,
)
from partnercore.content._charges import charges_in
from partnercore.events import SYSTEM
from partnercore.licensing import open_license
from partnercore.memory import InMemoryStore
from partnercore.tenancy import transfer_client
from partnercore.time import BillingPeriod

from .conftest import DEC_1, DEC_5, NOV_1, NOV_3, NOV_5, NOV_10, usd

NOVEMBER = BillingPeriod(2026, 11)
DECEMBER = BillingPeriod(2026, 12)
JANUARY = BillingPeriod(2027, 1)

MONTHLY = ContentItem.create(
    id="gap",
    kind="assessment_template",
    title="Gap",
    owner="acme",
    status="published",
    price=ContentPrice(usd("25.00"), "monthly"),
)
ONE_OFF = ContentItem.create(
    id="pack",
    kind="policy_template",
    title="Pack",
    owner="acme",
    status="published",
    price=ContentPrice(usd("100.00"), "one_off"),
)
FREE = ContentItem.create(
    id="free", kind="risk_library", title="Free", owner="acme", status="published"
)
ITEMS = {item.id: item for item in (MONTHLY, ONE_OFF, FREE)}


def event(item: str, change: str, at: datetime) -> CopyEvent:
    return CopyEvent(
        client_id="c1",
        item_id=item,
        change=change,
        at=at,
        version=None if change == "uninstall" else 1,
    )


def amounts(charges: tuple[ContentCharge, ...]) -> dict[str, str]:
    return {charge.item_id: str(charge.amount) for charge in charges}


def test_a_one_off_price_is_charged_once_in_the_period_of_installation() -> None:
    log = [event("pack", "install", NOV_3)]

    assert ({"pack": "100.00 USD"}, {}) == (
        amounts(charges_in("c1", NOVEMBER, log, ITEMS)),
        amounts(charges_in("c1", DECEMBER, log, ITEMS)),
    )


def test_a_one_off_item_reinstalled_is_not_charged_again() -> None:
    log = [
        event("pack", "install", NOV_3),
        event("pack", "uninstall", NOV_5),
        event("pack", "install", DEC_5),
    ]

    assert {} == amounts(charges_in("c1", DECEMBER, log, ITEMS))


def test_a_monthly_price_is_charged_in_full_for_every_period_installed_at_any_instant() -> None:
    log = [event("gap", "install", datetime(2026, 11, 30, 23, 59, tzinfo=UTC))]

    assert ({"gap": "25.00 USD"}, {"gap": "25.00 USD"}) == (
        amounts(charges_in("c1", NOVEMBER, log, ITEMS)),
        amounts(charges_in("c1", DECEMBER, log, ITEMS)),
    )


def test_a_monthly_price_is_charged_in_the_period_of_the_uninstall_but_not_after() -> None:
    log = [event("gap", "install", NOV_3), event("gap", "uninstall", DEC_5)]

    assert ({"gap": "25.00 USD"}, {}) == (
        amounts(charges_in("c1", DECEMBER, log, ITEMS)),
        amounts(charges_in("c1", JANUARY, log, ITEMS)),
    )


def test_an_uninstall_at_the_first_instant_of_a_period_leaves_it_uncharged() -> None:
    log = [event("gap", "install", NOV_3), event("gap", "uninstall", DEC_1)]

    assert {} == amounts(charges_in("c1", DECEMBER, log, ITEMS))


def test_a_free_item_is_never_charged() -> None:
    assert () == charges_in("c1", NOVEMBER, [event("free", "install", NOV_3)], ITEMS)


def test_the_period_is_the_billing_timezones_month() -> None:
    log = [event("pack", "install", datetime(2026, 10, 31, 23, 30, tzinfo=UTC))]

    assert ({"pack": "100.00 USD"}, {}) == (
        amounts(charges_in("c1", BillingPeriod(2026, 11, "Europe/Paris"), log, ITEMS)),
        amounts(charges_in("c1", BillingPeriod(2026, 10, "Europe/Paris"), log, ITEMS)),
    )


def test_leaving_the_owner_ends_a_monthly_charge_with_the_last_period_the_owner_bills() -> None:
    log = [event("gap", "install", NOV_3)]
    leaving = [(DEC_5, "acme")]

    assert ({"gap": "25.00 USD"}, {}, {}) == (
        amounts(charges_in("c1", NOVEMBER, log, ITEMS, leaving, billed_by="acme")),
        amounts(charges_in("c1", DECEMBER, log, ITEMS, leaving, billed_by="bolt")),
        amounts(charges_in("c1", JANUARY, log, ITEMS, leaving, billed_by="bolt")),
    )


def test_the_period_of_a_transfer_charges_none_of_the_old_partners_items() -> None:
    log = [event("gap", "install", NOV_3), event("pack", "install", NOV_5)]

    assert {} == amounts(
        charges_in("c1", NOVEMBER, log, ITEMS, [(NOV_10, "acme")], billed_by="bolt")
    )


def test_only_the_items_of_the_partner_billing_the_client_are_charged() -> None:
    log = [event("gap", "install", NOV_3), event("pack", "install", NOV_5)]

    assert ({"gap": "25.00 USD", "pack": "100.00 USD"}, {}) == (
        amounts(charges_in("c1", NOVEMBER, log, ITEMS, billed_by="acme")),
        amounts(charges_in("c1", NOVEMBER, log, ITEMS, billed_by="bolt")),
    )


def test_a_charge_names_client_item_owner_and_price_type() -> None:
    assert (
        ContentCharge(
            client_id="c1",
            item_id="gap",
            owner_id="acme",
            amount=usd("25.00"),
            description="Gap (monthly, 2026-11)",
        ),
    ) == charges_in("c1", NOVEMBER, [event("gap", "install", NOV_3)], ITEMS)


def test_the_charge_source_reads_installs_and_pushes_from_the_store(
    world: InMemoryStore,
) -> None:
    install(world, "c1", "acme-policies", at=NOV_3, by=SYSTEM)
    push(world, "acme", "acme-gap", at=NOV_5, by=SYSTEM, clients=["c1"])
    uninstall(world, "c1", "acme-policies", at=NOV_10, by=SYSTEM)
    source = InstalledContentCharges(world)

    assert (
        {"acme-gap": "25.00 USD", "acme-policies": "100.00 USD"},
        {"acme-gap": "25.00 USD"},
    ) == (
        amounts(tuple(source.content_charges("c1", NOVEMBER))),
        amounts(tuple(source.content_charges("c1", DECEMBER))),
    )


def test_the_charge_source_stops_the_old_partners_charges_from_the_period_of_the_transfer(
    world: InMemoryStore,
) -> None:
    install(world, "c1", "acme-gap", at=NOV_3, by=SYSTEM)
    install(world, "c1", "iso27001", at=NOV_3, by=SYSTEM)
    transfer_client(world, "c1", "bolt", at=DEC_5, by=SYSTEM)
    source = InstalledContentCharges(world)

    assert ({"acme-gap": "25.00 USD"}, {}, {}) == (
        amounts(tuple(source.content_charges("c1", NOVEMBER))),
        amounts(tuple(source.content_charges("c1", DECEMBER))),
        amounts(tuple(source.content_charges("c1", JANUARY))),
    )


def billing(world: InMemoryStore, share: str = "0.70") -> InMemoryStore:
    world.price_books.add(
        PriceBook.of(
            "std",
            "USD",
            advisor_monthly_fee="50.00",
            full_license_monthly_fee="400.00",
            content_revenue_share=share,
        )
    )
    world.accounts.add(BillingAccount("acme", "std", "0.20"))
    world.accounts.add(BillingAccount("bolt", "std", "0.20"))
    return world


def test_content_lines_follow_the_billing_model_with_exact_amounts(
    world: InMemoryStore,
) -> None:
    open_license(world, "c1", at=NOV_1, by=SYSTEM, initial_state="full")
    install(world, "c1", "acme-gap", at=NOV_3, by=SYSTEM)
    install(world, "c1", "acme-policies", at=NOV_3, by=SYSTEM)
    push(world, "acme", "acme-gap", at=NOV_5, by="paula", clients=["c2"])

    run = bill_period(billing(world), "2026-11", content=InstalledContentCharges(world))
    reseller = run.invoice("inv-acme-2026-11").to_dict()
    own = run.invoice("inv-c2-2026-11").to_dict()

    assert (
        [("license", "400.00"), ("content", "25.00"), ("content", "100.00")],
        "525.00",
        "625.00",
        [("content", "25.00")],
        "25.00",
    ) == (
        [(line["kind"], line["amount"]) for line in reseller["clients"][0]["lines"]],
        reseller["clients"][0]["subtotal"],
        reseller["total"],
        [(line["kind"], line["amount"]) for line in own["lines"]],
        own["total"],
    )


def test_the_owner_earns_its_share_apart_from_referral(world: InMemoryStore) -> None:
    open_license(world, "c1", at=NOV_1, by=SYSTEM, initial_state="full")
    install(world, "c1", "acme-gap", at=NOV_3, by=SYSTEM)
    install(world, "c1", "acme-policies", at=NOV_3, by=SYSTEM)
    push(world, "acme", "acme-gap", at=NOV_5, by=SYSTEM, clients=["c2"])

    run = bill_period(billing(world), "2026-11", content=InstalledContentCharges(world))
    statement = run.referral("acme").to_dict()

    assert (
        [("c1", "400.00", "80.00"), ("c2", "0.00", "0.00")],
        "80.00",
        [
            ("c1", "acme-gap", "17.50"),
            ("c1", "acme-policies", "70.00"),
            ("c2", "acme-gap", "17.50"),
        ],
        "105.00",
    ) == (
        [(line["client"], line["base"], line["amount"]) for line in statement["lines"]],
        statement["total"],
        [
            (line["client"], line["item"], line["amount"])
            for line in statement["content_revenue"]["lines"]
        ],
        statement["content_revenue"]["total"],
    )


def test_december_charges_only_the_monthly_item(world: InMemoryStore) -> None:
    install(world, "c1", "acme-gap", at=NOV_3, by=SYSTEM)
    install(world, "c1", "acme-policies", at=NOV_3, by=SYSTEM)

    run = bill_period(billing(world), "2026-12", content=InstalledContentCharges(world))
    group = run.invoice("inv-acme-2026-12").to_dict()["clients"][0]

    assert ([("content", "25.00")], "25.00") == (
        [(line["kind"], line["amount"]) for line in group["lines"]],
        group["subtotal"],
    )


def test_a_january_without_installs_has_no_content_lines(world: InMemoryStore) -> None:
    install(world, "c2", "acme-policies", at=NOV_3, by=SYSTEM)

    run = bill_period(billing(world), "2027-01", content=InstalledContentCharges(world))

    assert None is run.invoice_of("c2")
