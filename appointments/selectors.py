"""Reads of appointments: the caller's scope, and the free start times."""

from datetime import date, datetime, timedelta

from django.db.models import QuerySet

from accounts.models import Role
from shop.selectors import shop_settings

from . import capacity
from .models import Appointment
from .services import CUSTOMER_NOTICE, overlapping


def appointment_scope(*, user) -> QuerySet[Appointment]:
    """Every appointment for staff, a customer's own for a customer (others
    answer 404). The representation is the row's own columns: no join."""
    queryset = Appointment.objects.all()
    if getattr(user, "role", None) == Role.CUSTOMER:
        queryset = queryset.filter(customer__user_id=user.pk)
    return queryset


def appointment_availability(
    *, user, day: date, minutes: int | None, now: datetime
) -> tuple[object, int, list[datetime]]:
    """``(shop settings, length in minutes, free starts)`` of ``day``: every
    start at the shop's slot step from opening whose whole length fits in
    the day's hours with a bay free throughout, by the same sweep the
    bookings are checked with (``capacity``), over one read of the day's
    active appointments. For a customer, only the starts it may book: at
    least ``CUSTOMER_NOTICE`` ahead, on a day within the horizon. Staff see
    the day's past starts too (they may book them)."""
    shop = shop_settings()
    minutes = minutes or shop.appointment_minutes
    window = capacity.opening_window(shop, day)
    if window is None:
        return shop, minutes, []
    if user.role == Role.CUSTOMER:
        last_day = now.astimezone(shop.zone()).date() + timedelta(days=shop.booking_horizon_days)
        if day > last_day:
            return shop, minutes, []
    starts = capacity.free_starts(
        window=window,
        length=timedelta(minutes=minutes),
        step=timedelta(minutes=shop.slot_step_minutes),
        intervals=overlapping(*window),
        bays=shop.bays,
    )
    if user.role == Role.CUSTOMER:
        starts = [start for start in starts if start >= now + CUSTOMER_NOTICE]
    return shop, minutes, starts
