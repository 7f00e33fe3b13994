"""Repair-order arithmetic: Decimal only, every amount rounded half-up to
the cent, each rounding step written down so a worked example can be checked
by hand.

    subtotal      = parts_total + labor_total
    discount      = subtotal x percent / 100        (percent discount)
                  | min(amount, subtotal)            (fixed discount)
    parts share   = discount x parts_total / subtotal, the labor share the rest
                    (so the shares always add up to the discount)
    parts_tax     = (parts_total - parts share) x parts tax rate
    labor_tax     = (labor_total - labor share) x labor tax rate
    tax           = parts_tax + labor_tax
    total         = subtotal - discount + tax
    balance_due   = total - amount_paid
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal("100")


def cents(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def labor_line_total(hours: Decimal, rate: Decimal) -> Decimal:
    return cents(hours * rate)


@dataclass(frozen=True)
class Totals:
    parts_total: Decimal
    labor_total: Decimal
    discount: Decimal
    parts_tax: Decimal
    labor_tax: Decimal
    tax: Decimal
    total: Decimal


def compute_totals(
    *,
    parts_total: Decimal,
    labor_total: Decimal,
    discount_type: str,
    discount_value: Decimal,
    parts_tax_rate: Decimal,
    labor_tax_rate: Decimal,
) -> Totals:
    parts_total, labor_total = cents(parts_total), cents(labor_total)
    subtotal = parts_total + labor_total
    if discount_type == "percent":
        discount = cents(subtotal * Decimal(discount_value) / HUNDRED)
    elif discount_type == "amount":
        discount = min(cents(discount_value), subtotal)
    else:
        discount = ZERO
    parts_share = cents(discount * parts_total / subtotal) if subtotal else ZERO
    labor_share = discount - parts_share
    parts_tax = cents((parts_total - parts_share) * Decimal(parts_tax_rate))
    labor_tax = cents((labor_total - labor_share) * Decimal(labor_tax_rate))
    tax = parts_tax + labor_tax
    return Totals(
        parts_total=parts_total,
        labor_total=labor_total,
        discount=discount,
        parts_tax=parts_tax,
        labor_tax=labor_tax,
        tax=tax,
        total=subtotal - discount + tax,
    )
