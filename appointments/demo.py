"""A week of appointments for the demo data (``manage.py seed_demo``)."""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from shop.selectors import shop_settings

from .capacity import first_full_instant, opening_window
from .models import ACTIVE, Appointment, Status

CONCERNS = [
    "Oil change and tyre rotation",
    "Brakes squeal when stopping",
    "Check engine light is on",
    "Air conditioning blows warm",
    "Pulls to the left at speed",
    "State inspection",
    "Battery dies overnight",
    "Clunk from the front suspension over bumps",
    "Coolant leak under the car",
    "Scheduled 60,000-mile service",
]
DAYS = 7
# About this share of the slot starts gets a booking attempt: a busy but
# not full book, with free slots left for trying the API.
FILL = 0.3


@transaction.atomic
def seed_appointments(*, vehicles, seed: int = 2024) -> int:
    """Book the coming week (from tomorrow, the shop's calendar): at the
    shop's slot step within each day's hours, never more at once than its
    bays (planned with the sweep the services check with), for the demo's
    ``vehicles`` (any iterable, or the command's ``{customer_id: [vehicle]}``).
    Written in bulk, like the demo's tickets, so no event is sent for them.
    Returns how many were added; none when the demo vehicles already have
    appointments ahead."""
    if isinstance(vehicles, dict):
        vehicles = [v for owned in vehicles.values() for v in owned]
    vehicles = list(vehicles)
    now = timezone.now()
    if not vehicles or Appointment.objects.filter(vehicle__in=vehicles, starts_at__gt=now).exists():
        return 0
    rng = random.Random(seed)
    shop = shop_settings()
    length = timedelta(minutes=shop.appointment_minutes)
    step = timedelta(minutes=shop.slot_step_minutes)
    today = now.astimezone(shop.zone()).date()
    planned: list[Appointment] = []
    for offset in range(1, DAYS + 1):
        window = opening_window(shop, today + timedelta(days=offset))
        if window is None:
            continue
        opens, closes = window
        taken = list(
            Appointment.objects.filter(
                status__in=ACTIVE, starts_at__lt=closes, ends_at__gt=opens
            ).values_list("starts_at", "ends_at")
        )
        at = opens
        while at + length <= closes:
            end = at + length * rng.choice((1, 1, 1, 2))
            if rng.random() < FILL and end <= closes:
                if first_full_instant(taken, at, end, shop.bays) is None:
                    vehicle = rng.choice(vehicles)
                    planned.append(
                        Appointment(
                            customer_id=vehicle.customer_id,
                            vehicle=vehicle,
                            concern=rng.choice(CONCERNS),
                            starts_at=at,
                            ends_at=end,
                            status=Status.CONFIRMED if rng.random() < 0.4 else Status.BOOKED,
                        )
                    )
                    taken.append((at, end))
            at += step
    Appointment.objects.bulk_create(planned)
    return len(planned)
