"""The admin on the shop's clock: an appointment at 09:00 in the shop's zone
shows as 09:00 and a time typed in the admin is read in that zone; the API
keeps answering in UTC."""

import datetime

import pytest
from django.test import Client

from appointments.models import Appointment
from tests.factories import VehicleFactory

pytestmark = pytest.mark.django_db

NINE_IN_CHICAGO = datetime.datetime(2026, 12, 14, 15, 0, tzinfo=datetime.UTC)  # CST = UTC-6


def test_the_admin_shows_times_in_the_shops_zone_and_the_api_in_utc(shop, admin_user, admin_client):
    shop.time_zone = "America/Chicago"
    shop.save()
    vehicle = VehicleFactory()
    appointment = Appointment.objects.create(
        customer=vehicle.customer,
        vehicle=vehicle,
        concern="Brakes",
        starts_at=NINE_IN_CHICAGO,
        ends_at=NINE_IN_CHICAGO + datetime.timedelta(hours=1),
    )
    browser = Client()
    browser.force_login(admin_user)

    page = browser.get("/admin/appointments/appointment/").content.decode()

    assert "Dec. 14, 2026, 9 a.m." in page
    assert "3 p.m." not in page
    api = admin_client.get(f"/appointments/{appointment.pk}/").json()
    assert api["starts_at"] == "2026-12-14T15:00:00Z"
