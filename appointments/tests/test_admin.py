"""The appointment admin: the book by day, bookings and moves through the
services (hours, bays, events), the actions, the customer picked by search."""

from datetime import datetime

import pytest
from django.test import Client

from appointments.models import Appointment
from events.models import Event
from tests.factories import AdminFactory

from .conftest import CHICAGO, at, monday

pytestmark = pytest.mark.django_db

URL = "/admin/appointments/appointment/"


@pytest.fixture
def staff():
    client = Client()
    client.force_login(AdminFactory())
    return client


def form(customer, vehicle, starts_at: str, ends_at: str, concern="Brakes squeal"):
    """The add form as the page posts it: the admin's times are the shop's
    wall clock (its time zone)."""
    local = [datetime.fromisoformat(v).astimezone(CHICAGO) for v in (starts_at, ends_at)]
    return {
        "customer": customer.pk,
        "vehicle": vehicle.pk,
        "concern": concern,
        "starts_at_0": local[0].date().isoformat(),
        "starts_at_1": local[0].strftime("%H:%M:%S"),
        "ends_at_0": local[1].date().isoformat(),
        "ends_at_1": local[1].strftime("%H:%M:%S"),
        "notes": "",
    }


@pytest.mark.parametrize(
    "path", ["", "?status__exact=booked", "?q=brake", "add/", "?starts_at__year=2027"]
)
def test_pages_load(staff, book, path):
    book(at(monday(), "09:00"))
    assert staff.get(URL + path).status_code == 200


def test_a_booking_from_the_admin_follows_the_rules(staff, shop, customer, vehicle):
    shop.bays = 1
    shop.save()
    day = monday()
    response = staff.post(URL + "add/", form(customer, vehicle, at(day, "09:00"), at(day, "10:00")))
    assert response.status_code == 302, response.content
    appointment = Appointment.objects.get()
    assert appointment.status == "booked"
    assert Event.objects.filter(type="appointment.created").count() == 1

    # The bay is taken at 09:30: refused with the reason, nothing saved.
    refused = staff.post(
        URL + "add/", form(customer, vehicle, at(day, "09:30"), at(day, "10:30")), follow=True
    )
    assert "No bay is free" in refused.content.decode()
    closed = staff.post(
        URL + "add/", form(customer, vehicle, at(day, "17:30"), at(day, "18:30")), follow=True
    )
    assert "After closing time" in closed.content.decode()
    assert Appointment.objects.count() == 1


def test_the_admin_actions_go_through_the_services(staff, book):
    day = monday()
    first = book(at(day, "09:00")).json()["id"]
    second = book(at(day, "11:00")).json()["id"]
    staff.post(URL, {"action": "cancel", "_selected_action": [first]})
    assert Appointment.objects.get(pk=first).status == "cancelled"
    assert Event.objects.filter(type="appointment.cancelled").count() == 1
    response = staff.post(
        URL, {"action": "confirm", "_selected_action": [first, second]}, follow=True
    )
    assert Appointment.objects.get(pk=second).status == "confirmed"
    assert "cannot be confirmed" in response.content.decode()  # the cancelled one
    staff.post(URL, {"action": "convert", "_selected_action": [second]})
    assert Appointment.objects.get(pk=second).ticket_id is not None


def test_the_customer_is_picked_by_search(staff, customer):
    response = staff.get(
        "/admin/autocomplete/",
        {
            "term": customer.name,
            "app_label": "appointments",
            "model_name": "appointment",
            "field_name": "customer",
        },
    )
    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [str(customer.pk)]
