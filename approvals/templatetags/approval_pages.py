from decimal import ROUND_HALF_UP, Decimal

from django import template

register = template.Library()

CENT = Decimal("0.01")


@register.filter
def money(value) -> str:
    """An amount as the API writes it: two decimals, no grouping ("1234.50"),
    whatever the locale."""
    return f"{Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP):f}"
