"""Property-based tests of the money arithmetic (hypothesis): Decimal, two
places, half-up, and totals that add up, for any amounts; and through the
API, a ticket's parts total equals the sum of its line totals after any
sequence of part changes, with no unit of stock created or lost."""

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import client_for
from inventory.models import Part
from tests.factories import MechanicFactory, PartFactory, ServiceTicketFactory
from tickets.models import ServiceTicket, TicketPart
from tickets.totals import CENT, cents, compute_totals, labor_line_total


def money(max_cents: int = 10**9) -> st.SearchStrategy[Decimal]:
    return st.integers(0, max_cents).map(lambda n: Decimal(n) / 100)


def places(max_value: str, exponent: int) -> st.SearchStrategy[Decimal]:
    return st.decimals(
        min_value=Decimal(0), max_value=Decimal(max_value), places=exponent, allow_nan=False
    )


rates = places("0.3", 4)


def two_places(value: Decimal) -> bool:
    return value.as_tuple().exponent == -2


@given(value=st.decimals(min_value=-(10**12), max_value=10**12, places=6, allow_nan=False))
def test_cents_is_two_places_within_half_a_cent(value):
    rounded = cents(value)
    assert two_places(rounded)
    assert abs(rounded - value) <= Decimal("0.005")


@given(whole=st.integers(0, 10**10))
def test_cents_rounds_a_half_cent_up(whole):
    base = Decimal(whole) / 100
    assert cents(base + Decimal("0.005")) == base + CENT
    assert cents(base + Decimal("0.0049999")) == base


@given(hours=places("1000", 2), rate=places("99999", 2))
def test_a_labor_line_is_hours_times_rate_half_up(hours, rate):
    assert labor_line_total(hours, rate) == (hours * rate).quantize(CENT, ROUND_HALF_UP)


discounts = st.one_of(
    st.tuples(st.just("none"), st.just(Decimal(0))),
    st.tuples(st.just("percent"), places("100", 2)),
    st.tuples(st.just("amount"), money()),
)


@given(
    parts=money(),
    labor=money(),
    discount=discounts,
    parts_rate=rates,
    labor_rate=rates,
)
@settings(max_examples=300)
def test_totals_add_up_for_any_amounts(parts, labor, discount, parts_rate, labor_rate):
    kind, value = discount
    totals = compute_totals(
        parts_total=parts,
        labor_total=labor,
        discount_type=kind,
        discount_value=value,
        parts_tax_rate=parts_rate,
        labor_tax_rate=labor_rate,
    )
    for amount in (totals.discount, totals.parts_tax, totals.labor_tax, totals.tax, totals.total):
        assert two_places(amount)
    subtotal = parts + labor
    assert Decimal(0) <= totals.discount <= subtotal
    assert totals.tax == totals.parts_tax + totals.labor_tax
    assert totals.parts_tax >= 0 and totals.labor_tax >= 0
    assert totals.total == subtotal - totals.discount + totals.tax
    assert totals.total >= 0
    # Each tax is its rate on a base no larger than what it taxes.
    assert totals.parts_tax <= cents(parts * parts_rate)
    assert totals.labor_tax <= cents(labor * labor_rate)
    if kind == "none":
        assert totals.discount == 0
        assert totals.parts_tax == cents(parts * parts_rate)


@given(subtotal_cents=st.integers(1, 10**9), rate=rates)
def test_a_full_discount_leaves_nothing_to_tax(subtotal_cents, rate):
    subtotal = Decimal(subtotal_cents) / 100
    totals = compute_totals(
        parts_total=subtotal,
        labor_total=Decimal(0),
        discount_type="percent",
        discount_value=Decimal(100),
        parts_tax_rate=rate,
        labor_tax_rate=rate,
    )
    assert totals.discount == subtotal and totals.tax == 0 and totals.total == 0


# -- through the API -------------------------------------------------------------

operations = st.lists(
    st.tuples(st.sampled_from(["add", "remove"]), st.integers(0, 2), st.integers(1, 7)),
    min_size=1,
    max_size=8,
)
prices = st.lists(money(10**7).filter(lambda p: p > 0), min_size=3, max_size=3)


@pytest.mark.django_db
@given(prices=prices, steps=operations)
@settings(max_examples=25)
def test_parts_total_is_the_sum_of_line_totals_after_any_changes(prices, steps):
    mechanic = MechanicFactory()
    client = client_for(mechanic.user)
    ticket = ServiceTicketFactory()
    parts = [PartFactory(price=price, quantity_in_stock=10) for price in prices]

    for verb, index, quantity in steps:
        response = client.post(
            f"/service-tickets/{ticket.pk}/{verb}-part/{parts[index].pk}/",
            {"quantity": quantity},
            format="json",
        )
        # Not enough stock, or not that many on the ticket: refused, fine.
        assert response.status_code in (200, 404, 409), response.content

    lines = list(TicketPart.objects.filter(ticket=ticket))
    expected = sum((line.quantity * line.unit_price for line in lines), Decimal("0.00"))
    stored = ServiceTicket.objects.get(pk=ticket.pk)
    assert stored.parts_total == expected
    body = client.get(f"/service-tickets/{ticket.pk}/").json()
    assert body["parts_total"] == f"{expected:.2f}"
    for shown in body["parts"]:
        assert Decimal(shown["line_total"]) == shown["quantity"] * Decimal(shown["unit_price"])
    for part in parts:  # no unit created or lost
        on_ticket = sum(line.quantity for line in lines if line.part_id == part.pk)
        assert Part.objects.get(pk=part.pk).quantity_in_stock + on_ticket == 10
