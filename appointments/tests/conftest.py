"""Fixtures of the appointment tests: the shop (America/Chicago, the default
hours: weekdays 08:00-18:00, Saturday 09:00-14:00, Sunday closed), a
vehicle of the customer's, and times written as the shop's wall clock."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tests.factories import VehicleFactory

CHICAGO = ZoneInfo("America/Chicago")
OPEN_ALL_NIGHT = [
    {"weekday": day, "opens": "00:00", "closes": "12:00", "closed": False} for day in range(7)
]


def monday(weeks_ahead: int = 2) -> date:
    """A Monday ``weeks_ahead`` weeks from now (within the booking horizon)."""
    today = timezone.now().astimezone(CHICAGO).date()
    return today + timedelta(days=7 * weeks_ahead - today.weekday())


def at(day: date, clock: str, zone=CHICAGO) -> str:
    """``day`` at ``clock`` (HH:MM) on the shop's wall clock, ISO with offset."""
    hour, minute = map(int, clock.split(":"))
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone).isoformat()


def utc(value: str) -> str:
    """An ISO time as the API answers it: UTC, ``Z``."""
    instant = datetime.fromisoformat(value).astimezone(ZoneInfo("UTC"))
    return instant.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def shop(shop):
    shop.time_zone = "America/Chicago"
    shop.bays = 2
    shop.appointment_minutes = 60
    shop.slot_step_minutes = 30
    shop.reminder_lead_hours = 24
    shop.booking_horizon_days = 60
    shop.save()
    return shop


@pytest.fixture
def vehicle(customer):
    return VehicleFactory(customer=customer)


@pytest.fixture
def book(shop, mechanic_client, customer, vehicle):
    """Book as staff for the customer's vehicle; answers the response."""

    def book(starts_at, ends_at=None, *, client=None, concern="Brakes squeal", **extra):
        body = {
            "customer_id": customer.pk,
            "vehicle_id": vehicle.pk,
            "concern": concern,
            "starts_at": starts_at,
            **({"ends_at": ends_at} if ends_at else {}),
            **extra,
        }
        return (client or mechanic_client).post("/appointments/", body, format="json")

    return book
