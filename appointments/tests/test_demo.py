"""seed_demo books the coming week: within the hours, within the bays, once."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from appointments.capacity import first_full_instant, opening_window
from appointments.models import Appointment

pytestmark = pytest.mark.django_db


def seed():
    call_command(
        "seed_demo",
        "--quiet-logins",
        "--customers=6",
        "--mechanics=2",
        "--parts=4",
        "--tickets=10",
        verbosity=0,
    )


def test_seed_demo_books_a_week_within_hours_and_bays(shop):
    seed()
    booked = list(Appointment.objects.all())
    assert len(booked) >= 10
    now = timezone.now()
    zone = shop.zone()
    days = {a.starts_at.astimezone(zone).date() for a in booked}
    today = now.astimezone(zone).date()
    assert min(days) > today and max(days) <= today + timedelta(days=7)
    spans = [(a.starts_at, a.ends_at) for a in booked]
    for i, a in enumerate(booked):
        opens, closes = opening_window(shop, a.starts_at.astimezone(zone).date())
        assert opens <= a.starts_at < a.ends_at <= closes
        others = spans[:i] + spans[i + 1 :]
        assert first_full_instant(others, a.starts_at, a.ends_at, shop.bays) is None
        assert a.vehicle.customer_id == a.customer_id
    assert {a.status for a in booked} <= {"booked", "confirmed"}

    seed()
    assert Appointment.objects.count() == len(booked)
