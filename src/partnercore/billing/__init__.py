"""Billing (§5): price books, advisor seats, prorated licences, usage, consolidated reseller
invoices, referral statements, and the billing run of a period.

Two layers: pure calculators over small input records (:func:`calculate_run`), and services
that load those inputs through the ports (:func:`bill_period`, :func:`finalise`). Pricing
models and deal terms (§5.1): tiered usage (:class:`UsagePricing`), licence fees by client
size (:class:`SizeBand`), partner tiers (:class:`PartnerTier`), and per-client deal price
books and discounts (:class:`ClientTerms` on the partner's :class:`BillingAccount`).
Invoice documents (§5.2): legal numbers and dates at finalisation (:class:`IssuedInvoice`),
tax (:class:`Invoicing`, :class:`TaxTable`), credit notes (:func:`issue_credit_note`) and
the finalised-documents view (:func:`finalised_invoices`, :func:`credit_notes`).
"""

from partnercore.billing._calculation import (
    ClientBillingInput,
    PartnerBillingInput,
    calculate_run,
)
from partnercore.billing._content import ContentCharge, ContentChargeSource
from partnercore.billing._deals import ClientTerms, Discount
from partnercore.billing._documents import CreditLine, CreditNote, IssuedInvoice, ReferralCredit
from partnercore.billing._invoice import ClientGroup, Invoice, InvoiceLine, invoice_id
from partnercore.billing._invoicing import (
    FinalisedDocuments,
    FinalisedInvoice,
    credit_notes,
    finalised_documents,
    finalised_invoices,
    issue_credit_note,
)
from partnercore.billing._policies import (
    LineKind,
    PricingModel,
    Proration,
    ReferralBase,
    ReferralSettlement,
    SeatPolicy,
)
from partnercore.billing._ports import (
    BillingAccountRepository,
    BillingStore,
    CreditNoteRepository,
    InvoiceRepository,
    IssuedInvoiceRepository,
    NumberSequences,
    PriceBookRepository,
    UsageRepository,
    UsageTotals,
)
from partnercore.billing._pricebook import BillingAccount, PriceBook
from partnercore.billing._pricing import (
    PackageUse,
    PartnerTier,
    PricedUsage,
    PriceTier,
    SizeBand,
    TierUse,
    UsagePricing,
)
from partnercore.billing._proration import (
    ProratedShare,
    ShareUnit,
    daily_share,
    exact_share,
    license_share,
    prorate,
    thirty_day_share,
)
from partnercore.billing._recording import (
    add_price_book,
    open_billing_account,
    record_usage,
    save_price_book,
)
from partnercore.billing._referral import (
    ContentRevenue,
    ContentRevenueLine,
    ReferralLine,
    ReferralStatement,
)
from partnercore.billing._run import BillingRun
from partnercore.billing._seats import SeatHolding
from partnercore.billing._services import bill_period, billing_inputs, finalise
from partnercore.billing._tax import (
    InvoiceTax,
    Invoicing,
    TaxRate,
    TaxRates,
    TaxTable,
    TaxTreatment,
)
from partnercore.billing._transfers import billing_partner
from partnercore.billing._usage import LateUsage, UsageRecord, UsageTotal, aggregate_usage

__all__ = [
    "BillingAccount",
    "BillingAccountRepository",
    "BillingRun",
    "BillingStore",
    "ClientBillingInput",
    "ClientGroup",
    "ClientTerms",
    "ContentCharge",
    "ContentChargeSource",
    "ContentRevenue",
    "ContentRevenueLine",
    "CreditLine",
    "CreditNote",
    "CreditNoteRepository",
    "Discount",
    "FinalisedDocuments",
    "FinalisedInvoice",
    "Invoice",
    "InvoiceLine",
    "InvoiceRepository",
    "InvoiceTax",
    "Invoicing",
    "IssuedInvoice",
    "IssuedInvoiceRepository",
    "LateUsage",
    "LineKind",
    "NumberSequences",
    "PackageUse",
    "PartnerBillingInput",
    "PartnerTier",
    "PriceBook",
    "PriceBookRepository",
    "PriceTier",
    "PricedUsage",
    "PricingModel",
    "ProratedShare",
    "Proration",
    "ReferralBase",
    "ReferralCredit",
    "ReferralLine",
    "ReferralSettlement",
    "ReferralStatement",
    "SeatHolding",
    "SeatPolicy",
    "ShareUnit",
    "SizeBand",
    "TaxRate",
    "TaxRates",
    "TaxTable",
    "TaxTreatment",
    "TierUse",
    "UsagePricing",
    "UsageRecord",
    "UsageRepository",
    "UsageTotal",
    "UsageTotals",
    "add_price_book",
    "aggregate_usage",
    "bill_period",
    "billing_inputs",
    "billing_partner",
    "calculate_run",
    "credit_notes",
    "daily_share",
    "exact_share",
    "finalise",
    "finalised_documents",
    "finalised_invoices",
    "invoice_id",
    "issue_credit_note",
    "license_share",
    "open_billing_account",
    "prorate",
    "record_usage",
    "save_price_book",
    "thirty_day_share",
]
