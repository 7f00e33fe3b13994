"""Parts on a ticket: stock taken and returned, prices kept, totals."""

import pytest

from inventory.models import Part
from tests.factories import PartFactory
from tickets.models import TicketPart

pytestmark = pytest.mark.django_db


def add(client, ticket, part, body=None, method="post"):
    return getattr(client, method)(f"/service-tickets/{ticket.pk}/add-part/{part.pk}/", body or {})


def remove(client, ticket, part, body=None, method="post"):
    return getattr(client, method)(
        f"/service-tickets/{ticket.pk}/remove-part/{part.pk}/", body or {}
    )


def stock(part):
    return Part.objects.get(pk=part.pk).quantity_in_stock


def test_add_part_takes_stock_and_keeps_price(mechanic_client, ticket, part):
    response = add(mechanic_client, ticket, part, {"quantity": 3})
    assert response.status_code == 200, response.content
    body = response.json()
    (general,) = body["jobs"]
    assert (general["title"], general["status"], general["subtotal"]) == (
        "General",
        "pending",
        "37.50",
    )
    assert (
        body["parts"]
        == general["parts"]
        == [
            {
                "part_id": part.pk,
                "job_id": general["id"],
                "name": part.name,
                "quantity": 3,
                "unit_price": "12.50",
                "line_total": "37.50",
            }
        ]
    )
    assert body["parts_total"] == "37.50"
    assert stock(part) == 7


def test_default_quantity_is_one_and_put_works_too(mechanic_client, ticket, part):
    assert add(mechanic_client, ticket, part, method="put").json()["parts"][0]["quantity"] == 1
    assert stock(part) == 9


def test_adding_again_raises_the_line_and_keeps_first_price(
    mechanic_client, admin_client, ticket, part
):
    add(mechanic_client, ticket, part, {"quantity": 2})
    admin_client.patch(f"/inventory/{part.pk}/", {"price": "20.00"})
    body = add(mechanic_client, ticket, part, {"quantity": 1}).json()
    assert len(body["parts"]) == 1
    assert body["parts"][0]["quantity"] == 3 and body["parts"][0]["unit_price"] == "12.50"
    assert body["parts_total"] == "37.50"
    assert stock(part) == 7


def test_parts_total_sums_lines(mechanic_client, ticket, part):
    cheap = PartFactory(price="0.99", quantity_in_stock=100)
    add(mechanic_client, ticket, part, {"quantity": 2})
    body = add(mechanic_client, ticket, cheap, {"quantity": 7}).json()
    assert body["parts_total"] == "31.93"  # 25.00 + 6.93


def test_not_enough_stock_is_409_and_nothing_changes(mechanic_client, ticket, part):
    response = add(mechanic_client, ticket, part, {"quantity": 11})
    assert response.status_code == 409
    assert response.json()["code"] == "insufficient_stock"
    assert response.json()["available"] == 10
    assert stock(part) == 10
    assert not TicketPart.objects.exists()


def test_exact_stock_can_be_used(mechanic_client, ticket, part):
    assert add(mechanic_client, ticket, part, {"quantity": 10}).status_code == 200
    assert stock(part) == 0
    assert add(mechanic_client, ticket, part).status_code == 409


@pytest.mark.parametrize("quantity", [0, -1, "two", 1.5, None, 10**9])
def test_bad_quantity_is_400(mechanic_client, ticket, part, quantity):
    response = add(mechanic_client, ticket, part, {"quantity": quantity})
    assert response.status_code == 400
    assert "quantity" in response.json()
    assert stock(part) == 10


def test_add_part_unknown_ticket_or_part_is_404(mechanic_client, ticket, part):
    assert mechanic_client.post(f"/service-tickets/999999/add-part/{part.pk}/").status_code == 404
    assert mechanic_client.post(f"/service-tickets/{ticket.pk}/add-part/999999/").status_code == 404
    assert stock(part) == 10


def test_add_part_roles(anon, customer_client, ticket, part):
    assert add(anon, ticket, part).status_code == 401
    assert add(customer_client, ticket, part).status_code == 403
    assert stock(part) == 10


def test_remove_some_then_all(mechanic_client, ticket, part):
    add(mechanic_client, ticket, part, {"quantity": 5})
    body = remove(mechanic_client, ticket, part, {"quantity": 2}).json()
    assert body["parts"][0]["quantity"] == 3 and body["parts_total"] == "37.50"
    assert stock(part) == 7
    response = remove(mechanic_client, ticket, part, method="put")
    assert response.status_code == 200
    assert response.json()["parts"] == [] and response.json()["parts_total"] == "0.00"
    assert stock(part) == 10


def test_remove_more_than_on_ticket_is_409(mechanic_client, ticket, part):
    add(mechanic_client, ticket, part, {"quantity": 2})
    response = remove(mechanic_client, ticket, part, {"quantity": 3})
    assert response.status_code == 409
    assert stock(part) == 8


def test_remove_part_not_on_ticket_is_404(mechanic_client, ticket, part):
    response = remove(mechanic_client, ticket, part)
    assert response.status_code == 404
    assert "not on this ticket" in response.json()["detail"]


def test_remove_part_roles(customer_client, ticket, part):
    assert remove(customer_client, ticket, part).status_code == 403


def test_deleting_ticket_returns_stock(mechanic_client, admin_client, ticket, part):
    add(mechanic_client, ticket, part, {"quantity": 4})
    assert admin_client.delete(f"/service-tickets/{ticket.pk}/").status_code == 204
    assert stock(part) == 10


def test_customer_sees_parts_on_own_ticket(mechanic_client, customer_client, ticket, part):
    add(mechanic_client, ticket, part, {"quantity": 1})
    body = customer_client.get(f"/service-tickets/{ticket.pk}/").json()
    assert body["parts"][0]["part_id"] == part.pk


def test_add_part_answers_the_ticket_as_it_is_then_read(
    mechanic_client, admin_client, ticket, part, mechanic
):
    """The answer is built from what the write read and changed, not read
    back: it must be exactly what a read of the ticket gives afterwards,
    lines, totals (discount, taxes, labor) and updated_at included."""
    from tickets.models import ServiceTicket, TicketEvent

    admin_client.patch(
        f"/service-tickets/{ticket.pk}/",
        {"discount_type": "percent", "discount_value": "10.00"},
    )
    labor = {"mechanic_id": mechanic.pk, "description": "Brakes", "hours": "1.50"}
    assert mechanic_client.post(f"/service-tickets/{ticket.pk}/labor/", labor).status_code == 201
    other = PartFactory(price="3.33", quantity_in_stock=50)
    add(mechanic_client, ticket, other, {"quantity": 2})
    for target, quantity in ((part, 3), (other, 5), (part, 1)):
        answer = add(mechanic_client, ticket, target, {"quantity": quantity})
        assert answer.status_code == 200
        assert answer.json() == mechanic_client.get(f"/service-tickets/{ticket.pk}/").json()
    body = answer.json()
    assert [(p["part_id"], p["quantity"]) for p in body["parts"]] == [(other.pk, 7), (part.pk, 4)]
    assert body["labor_total"] != "0.00" and body["discount"] != "0.00"
    stored = ServiceTicket.objects.get(pk=ticket.pk)
    assert str(stored.total) == body["total"] and str(stored.balance_due) == body["balance_due"]
    assert stock(part) == 6 and stock(other) == 43
    event = TicketEvent.objects.filter(action="part_added").latest("id")
    job_id = event.before["job_id"]
    assert event.before == {"part_id": part.pk, "job_id": job_id, "quantity": 3}
    assert event.after == {
        "part_id": part.pk,
        "job_id": job_id,
        "quantity": 4,
        "unit_price": "12.50",
    }


def test_add_part_error_precedence(mechanic_client, ticket, part):
    """404 (ticket, then part) comes before a bad body (400), which comes
    before a conflict (409)."""
    url = "/service-tickets/{}/add-part/{}/"
    bad = {"quantity": 0}
    assert mechanic_client.post(url.format(999999, part.pk), bad).status_code == 404
    assert mechanic_client.post(url.format(ticket.pk, 999999), bad).status_code == 404
    assert mechanic_client.post(url.format(ticket.pk, part.pk), bad).status_code == 400
    response = mechanic_client.post(
        url.format(ticket.pk, part.pk), "{", content_type="application/json"
    )
    assert response.status_code == 400
    response = mechanic_client.post(
        url.format(999999, part.pk), "{", content_type="application/json"
    )
    assert response.status_code == 404
    for ticket_id, expected in ((999999, 404), (ticket.pk, 415)):
        response = mechanic_client.post(
            url.format(ticket_id, part.pk), "1", content_type="text/plain"
        )
        assert response.status_code == expected
    big = {"quantity": 11}
    assert mechanic_client.post(url.format(ticket.pk, part.pk), big).status_code == 409
    assert mechanic_client.post(url.format(ticket.pk, 999999), big).status_code == 404
    # Filters in the query string hide the ticket, as for every detail action.
    assert mechanic_client.post(url.format(ticket.pk, part.pk) + "?status=paid").status_code == 404
    assert (
        mechanic_client.post(url.format(ticket.pk, part.pk) + "?status=estimate").status_code == 200
    )
