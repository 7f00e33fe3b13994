"""/inventory/ through the HTTP API."""

import pytest

from inventory.models import Part
from tests.factories import PartFactory

pytestmark = pytest.mark.django_db

NEW = {
    "name": "Brake pads",
    "part_number": "BP-100",
    "price": "54.5",
    "quantity_in_stock": 12,
    "reorder_level": 4,
}


def test_catalog_is_public(anon, part):
    response = anon.get("/inventory/")
    assert response.status_code == 200
    assert response.json()["results"] == [
        {
            "id": part.pk,
            "name": part.name,
            "part_number": part.part_number,
            "price": "12.50",
            "quantity_in_stock": 10,
            "reorder_level": 2,
        }
    ]
    assert anon.get(f"/inventory/{part.pk}/").json()["price"] == "12.50"
    assert anon.get("/inventory/999999/").status_code == 404


@pytest.mark.parametrize("who", ["mechanic", "admin"])
def test_staff_add_parts(request, who):
    client = request.getfixturevalue(f"{who}_client")
    response = client.post("/inventory/", NEW)
    assert response.status_code == 201, response.content
    assert response.json()["price"] == "54.50"  # money: 2 places, as a string
    assert Part.objects.get(part_number="BP-100").quantity_in_stock == 12


@pytest.mark.parametrize("who, expected", [("anon", 401), ("customer", 403)])
def test_others_cannot_write(request, part, who, expected):
    client = request.getfixturevalue("anon" if who == "anon" else "customer_client")
    assert client.post("/inventory/", NEW).status_code == expected
    assert client.patch(f"/inventory/{part.pk}/", {"price": "0"}).status_code == expected
    assert client.delete(f"/inventory/{part.pk}/").status_code == expected
    part.refresh_from_db()
    assert str(part.price) == "12.50"


@pytest.mark.parametrize(
    "field, value",
    [
        ("price", "-0.01"),
        ("price", "abc"),
        ("price", "1.234"),
        ("quantity_in_stock", -1),
        ("quantity_in_stock", 1.5),
        ("reorder_level", -3),
        ("name", ""),
        ("part_number", "x" * 41),
    ],
)
def test_validation(mechanic_client, field, value):
    response = mechanic_client.post("/inventory/", {**NEW, field: value})
    assert response.status_code == 400
    assert field in response.json()
    assert not Part.objects.exists()


def test_duplicate_part_number_is_400(mechanic_client, part):
    response = mechanic_client.post("/inventory/", {**NEW, "part_number": part.part_number})
    assert response.status_code == 400
    assert "part_number" in response.json()


def test_update_and_partial_update(mechanic_client, part):
    response = mechanic_client.patch(f"/inventory/{part.pk}/", {"price": "13.00"})
    assert response.status_code == 200 and response.json()["price"] == "13.00"
    response = mechanic_client.put(f"/inventory/{part.pk}/", {**NEW})
    assert response.status_code == 200 and response.json()["part_number"] == "BP-100"
    assert (
        mechanic_client.patch(f"/inventory/{part.pk}/", {"quantity_in_stock": -5}).status_code
        == 400
    )


def test_update_to_taken_part_number_is_400(mechanic_client, part):
    other = PartFactory()
    response = mechanic_client.patch(f"/inventory/{part.pk}/", {"part_number": other.part_number})
    assert response.status_code == 400 and "part_number" in response.json()


def test_delete_unused_part(admin_client, part):
    assert admin_client.delete(f"/inventory/{part.pk}/").status_code == 204
    assert not Part.objects.filter(pk=part.pk).exists()


def test_delete_part_used_on_ticket_is_409(mechanic_client, part, ticket):
    assert (
        mechanic_client.post(f"/service-tickets/{ticket.pk}/add-part/{part.pk}/").status_code == 200
    )
    response = mechanic_client.delete(f"/inventory/{part.pk}/")
    assert response.status_code == 409
    assert Part.objects.filter(pk=part.pk).exists()


def test_search_low_stock_and_ordering(anon):
    PartFactory(
        name="Oil filter", part_number="OF-1", price="8.99", quantity_in_stock=1, reorder_level=5
    )
    PartFactory(
        name="Air filter", part_number="AF-1", price="14.50", quantity_in_stock=5, reorder_level=5
    )
    PartFactory(
        name="Battery", part_number="BAT-9", price="139.00", quantity_in_stock=20, reorder_level=5
    )

    def names(query):
        response = anon.get(f"/inventory/?{query}")
        assert response.status_code == 200
        return [p["name"] for p in response.json()["results"]]

    assert names("search=filter") == ["Air filter", "Oil filter"]
    assert names("search=bat-9") == ["Battery"]
    assert names("low_stock=true") == ["Air filter", "Oil filter"]  # at or below
    assert names("low_stock=false") == ["Battery"]
    assert names("ordering=price") == ["Oil filter", "Air filter", "Battery"]
    assert names("ordering=-price") == ["Battery", "Air filter", "Oil filter"]
    assert names("ordering=name") == ["Air filter", "Battery", "Oil filter"]
    assert names("ordering=-name&low_stock=true") == ["Oil filter", "Air filter"]


def test_bad_filter_value_is_400(anon):
    response = anon.get("/inventory/?low_stock=maybe")
    assert response.status_code == 400
    assert "low_stock" in response.json()


def test_price_kept_on_ticket_line_when_catalog_changes(mechanic_client, part, ticket):
    mechanic_client.post(f"/service-tickets/{ticket.pk}/add-part/{part.pk}/", {"quantity": 2})
    mechanic_client.patch(f"/inventory/{part.pk}/", {"price": "99.00"})
    line = mechanic_client.get(f"/service-tickets/{ticket.pk}/").json()["parts"][0]
    assert line["unit_price"] == "12.50" and line["line_total"] == "25.00"
