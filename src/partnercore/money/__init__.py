"""Money: exact Decimal amounts in ISO 4217 currencies, rounding and allocation."""

from partnercore.money._currency import Currency, to_currency, to_current_currency
from partnercore.money._money import DECIMAL_CONTEXT, Money, Rounding, to_decimal

__all__ = [
    "DECIMAL_CONTEXT",
    "Currency",
    "Money",
    "Rounding",
    "to_currency",
    "to_current_currency",
    "to_decimal",
]
