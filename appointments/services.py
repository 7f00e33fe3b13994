"""The rules of appointments: every write here is one transaction.

Capacity. At no instant do more active appointments (booked, confirmed,
arrived) overlap than the shop has bays. A booking or a move first locks the
shop's settings row (``select_for_update``), which every booking and move
locks first, so they run one after another on every server and database
connection: no application or Redis lock, and the bays read under that lock
are the ones that count. It then reads the active appointments overlapping
the new one (an indexed range on ``starts_at``: none starts more than
``MAX_LENGTH`` before another's start) and sweeps over them for the most
that are under way at any one instant (``capacity.first_full_instant``).
Full: a 409 ``no_free_bay`` naming that instant. MariaDB runs at READ
COMMITTED (settings), so the read after the lock sees every booking that
committed before it; two requests for the last bay give one 201, one 409.

Opening hours. An appointment lies within one day's opening hours, read in
the shop's time zone (``capacity.opening_window``); starts and ends are
stored in UTC. Outside them: a 400 on ``starts_at`` or ``ends_at``.

Who books. Staff book for anyone, any time (past times included: bookings
taken on paper), capacity and hours still applying. A customer books for
itself and its own vehicles, at least ``CUSTOMER_NOTICE`` ahead, on a day
within the shop's booking horizon (400 on ``starts_at``), and holds at most
``CUSTOMER_ACTIVE_MAX`` active appointments that have not ended (a 409
``too_many_appointments``: a conflict with what it already holds).

Lock order: the shop's settings row, then the appointment; converting
locks the appointment, then makes the ticket through the tickets services.
"""

from datetime import UTC, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import Role
from events.services import event_record
from mechanic_shop.errors import Conflict, InvalidState, NotFound
from shop.selectors import shop_settings

from . import capacity
from .models import ACTIVE, MAX_LENGTH, UPCOMING, Appointment, Status

CUSTOMER_NOTICE = timedelta(hours=2)
CUSTOMER_ACTIVE_MAX = 3
REMINDER_KIND = "appointment_reminder"
JOB_TITLE_MAX = 200

# action -> (the statuses it may start from, the status it leads to)
TRANSITIONS = {
    "confirm": ((Status.BOOKED,), Status.CONFIRMED),
    "cancel": (UPCOMING, Status.CANCELLED),
    "arrive": (UPCOMING, Status.ARRIVED),
    "no_show": (UPCOMING, Status.NO_SHOW),
}


def allowed_actions(status: str) -> list[str]:
    """What may be done to an appointment in ``status`` (sent with a 409)."""
    actions = [name for name, (sources, _) in TRANSITIONS.items() if status in sources]
    if status in ACTIVE:
        actions.append("convert")
    return actions


def _as_customer(by) -> bool:
    return by is not None and getattr(by, "role", None) == Role.CUSTOMER


def _data(appointment: Appointment) -> dict:
    from .serializers import AppointmentSerializer

    return AppointmentSerializer(appointment).data


def _lock_shop():
    """The shop's settings row, locked: it serializes every booking and move
    (see the module's docstring), and what it says is read under the lock."""
    row = shop_settings()
    return type(row).objects.select_for_update().get(pk=row.pk)


def _lock(appointment: Appointment) -> Appointment:
    try:
        return Appointment.objects.select_for_update().get(pk=appointment.pk)
    except Appointment.DoesNotExist:
        raise NotFound("No Appointment matches the given query.") from None


def _local(shop, instant: datetime) -> str:
    return instant.astimezone(shop.zone()).isoformat()


def overlapping(start: datetime, end: datetime, *, exclude_pk=None):
    """The active appointments under way at some instant of ``[start, end)``
    as ``(starts_at, ends_at)`` pairs. The range on ``starts_at`` (none
    starts more than ``MAX_LENGTH`` before ``start`` and still runs) keeps
    the read to the index entries of about a day."""
    found = Appointment.objects.filter(
        status__in=ACTIVE,
        starts_at__lt=end,
        starts_at__gt=start - MAX_LENGTH,
        ends_at__gt=start,
    )
    if exclude_pk is not None:
        found = found.exclude(pk=exclude_pk)
    return list(found.values_list("starts_at", "ends_at"))


def _check_times(shop, starts_at: datetime, ends_at: datetime) -> None:
    """Ends after it starts, both within one day's opening hours (400)."""
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": ["The appointment must end after it starts."]})
    if ends_at - starts_at > MAX_LENGTH:
        raise ValidationError({"ends_at": ["An appointment lies within one day's opening hours."]})
    local_start = starts_at.astimezone(shop.zone())
    day = local_start.date()
    window = capacity.opening_window(shop, day)
    if window is None:
        raise ValidationError({"starts_at": [f"The shop is closed on {day:%A} {day.isoformat()}."]})
    opens, closes = window
    zone = shop.zone()
    hours = f"{opens.astimezone(zone):%H:%M}-{closes.astimezone(zone):%H:%M} ({shop.time_zone})"
    if starts_at < opens or starts_at >= closes:
        raise ValidationError(
            {"starts_at": [f"Outside the opening hours of {day.isoformat()}: {hours}."]}
        )
    if ends_at > closes:
        raise ValidationError({"ends_at": [f"After closing time on {day.isoformat()}: {hours}."]})


def _check_customer_times(shop, starts_at: datetime, now: datetime) -> None:
    """A customer books ``CUSTOMER_NOTICE`` ahead, within the horizon (400)."""
    if starts_at < now + CUSTOMER_NOTICE:
        hours = int(CUSTOMER_NOTICE.total_seconds() // 3600)
        raise ValidationError({"starts_at": [f"Book at least {hours} hours ahead."]})
    zone = shop.zone()
    last_day = now.astimezone(zone).date() + timedelta(days=shop.booking_horizon_days)
    if starts_at.astimezone(zone).date() > last_day:
        raise ValidationError(
            {
                "starts_at": [
                    f"Appointments can be booked up to {shop.booking_horizon_days} days "
                    f"ahead (until {last_day.isoformat()})."
                ]
            }
        )


def _check_capacity(shop, starts_at, ends_at, *, exclude_pk=None) -> None:
    """409 ``no_free_bay`` naming the first instant every bay is taken."""
    taken = overlapping(starts_at, ends_at, exclude_pk=exclude_pk)
    full_at = capacity.first_full_instant(taken, starts_at, ends_at, shop.bays)
    if full_at is not None:
        raise Conflict(
            f"No bay is free at {_local(shop, full_at)}: all {shop.bays} are booked then.",
            code="no_free_bay",
            conflicting_at=_local(shop, full_at),
            bays=shop.bays,
        )


def _check_vehicle(customer, vehicle) -> None:
    if vehicle.customer_id != customer.pk:
        raise ValidationError({"vehicle_id": ["This vehicle belongs to another customer."]})


def _check_customer_holds(customer, now: datetime) -> None:
    held = Appointment.objects.filter(customer=customer, status__in=ACTIVE, ends_at__gt=now).count()
    if held >= CUSTOMER_ACTIVE_MAX:
        raise Conflict(
            f"You already have {held} appointments booked; at most "
            f"{CUSTOMER_ACTIVE_MAX} at once. Cancel one to book another.",
            code="too_many_appointments",
            active=held,
        )


def _validate_fields(appointment: Appointment) -> None:
    """The model's own field rules (lengths), without a query."""
    appointment.full_clean(
        exclude=["customer", "vehicle", "ticket"], validate_unique=False, validate_constraints=False
    )


@transaction.atomic
def appointment_book(
    *,
    by=None,
    customer,
    vehicle,
    concern: str,
    starts_at: datetime,
    ends_at: datetime | None = None,
    notes: str = "",
    now: datetime | None = None,
) -> Appointment:
    """Book ``vehicle`` of ``customer`` from ``starts_at`` to ``ends_at``
    (default: the shop's appointment length later). ``by`` a customer: the
    customer rules apply too (module docstring). Records
    ``appointment.created``."""
    now = now or timezone.now()
    _check_vehicle(customer, vehicle)
    shop = _lock_shop()
    if ends_at is None:
        ends_at = starts_at + timedelta(minutes=shop.appointment_minutes)
    appointment = Appointment(
        customer=customer,
        vehicle=vehicle,
        concern=concern,
        starts_at=starts_at,
        ends_at=ends_at,
        notes=notes,
    )
    _validate_fields(appointment)
    _check_times(shop, starts_at, ends_at)
    if _as_customer(by):
        _check_customer_times(shop, starts_at, now)
        _check_customer_holds(customer, now)
    _check_capacity(shop, starts_at, ends_at)
    appointment.save()
    event_record(type="appointment.created", resource=appointment, data=_data(appointment))
    return appointment


EDITABLE = frozenset({"vehicle", "concern", "starts_at", "ends_at", "notes"})


@transaction.atomic
def appointment_update(
    *, by=None, appointment: Appointment, now: datetime | None = None, **changes
) -> Appointment:
    """Change a booked or confirmed appointment (409 otherwise). A new start
    without a new end keeps the appointment's length. New times are checked
    as a booking's are (hours, capacity without itself, and for a customer
    the notice and horizon). Records ``appointment.updated``."""
    unknown = set(changes) - EDITABLE
    if unknown:
        raise TypeError(f"appointment_update() got unexpected fields {sorted(unknown)}")
    now = now or timezone.now()
    moves = bool({"starts_at", "ends_at"} & set(changes))
    shop = _lock_shop() if moves else None
    appointment = _lock(appointment)
    _require(appointment, UPCOMING, "changed")
    if "starts_at" in changes and "ends_at" not in changes:
        changes["ends_at"] = changes["starts_at"] + (appointment.ends_at - appointment.starts_at)
    if "vehicle" in changes:
        _check_vehicle(appointment.customer, changes["vehicle"])
    for name, value in changes.items():
        setattr(appointment, name, value)
    _validate_fields(appointment)
    if moves:
        _check_times(shop, appointment.starts_at, appointment.ends_at)
        if _as_customer(by) and "starts_at" in changes:
            _check_customer_times(shop, appointment.starts_at, now)
        _check_capacity(shop, appointment.starts_at, appointment.ends_at, exclude_pk=appointment.pk)
    appointment.save()
    event_record(type="appointment.updated", resource=appointment, data=_data(appointment))
    return appointment


def _require(appointment: Appointment, statuses, verb: str) -> None:
    if appointment.status not in statuses:
        raise InvalidState(
            f"The appointment is {appointment.status}: it cannot be {verb}.",
            code="invalid_state",
            status=appointment.status,
            allowed=allowed_actions(appointment.status),
        )


PAST = {"confirm": "confirmed", "cancel": "cancelled", "arrive": "marked arrived"}


@transaction.atomic
def appointment_transition(*, by=None, appointment: Appointment, action: str) -> Appointment:
    """``confirm`` (booked), ``cancel``, ``arrive``, ``no_show`` (booked or
    confirmed); from any other status a 409. A cancelled appointment frees
    its bay and is never reminded. Records ``appointment.cancelled`` for a
    cancel, else ``appointment.updated``."""
    sources, target = TRANSITIONS[action]
    appointment = _lock(appointment)
    _require(appointment, sources, PAST.get(action, "marked a no-show"))
    appointment.status = target
    appointment.save(update_fields=["status", "updated_at"])
    kind = "appointment.cancelled" if target == Status.CANCELLED else "appointment.updated"
    event_record(type=kind, resource=appointment, data=_data(appointment))
    return appointment


@transaction.atomic
def appointment_convert(*, by=None, appointment: Appointment) -> Appointment:
    """Open the estimate for an active appointment: a ticket for its
    customer and vehicle, dated the appointment's day (in the shop's time
    zone), described by the concern, with one pending job titled with it.
    Links the ticket; status ``converted``. Converted already, cancelled or
    a no-show: 409."""
    from tickets.services import job_create, ticket_create

    appointment = _lock(appointment)
    _require(appointment, ACTIVE, "converted")
    shop = shop_settings()
    concern = appointment.concern
    ticket = ticket_create(
        by=by,
        customer=appointment.customer,
        vehicle=appointment.vehicle,
        service_date=appointment.starts_at.astimezone(shop.zone()).date(),
        service_desc=concern,
    )
    title = concern if len(concern) <= JOB_TITLE_MAX else concern[: JOB_TITLE_MAX - 1] + "…"
    job_create(by=by, ticket=ticket, title=title)
    appointment.ticket = ticket
    appointment.status = Status.CONVERTED
    appointment.save(update_fields=["ticket", "status", "updated_at"])
    event_record(type="appointment.updated", resource=appointment, data=_data(appointment))
    return appointment


@transaction.atomic
def appointment_delete(*, appointment: Appointment) -> None:
    """Delete a cancelled or no-show appointment (housekeeping: the
    integrations heard of the cancel). An active one is cancelled first,
    a converted one stays with its ticket (409)."""
    appointment = _lock(appointment)
    if appointment.status not in (Status.CANCELLED, Status.NO_SHOW):
        raise InvalidState(
            f"The appointment is {appointment.status}: only cancelled or no-show "
            "appointments are deleted (cancel it first).",
            code="invalid_state",
            status=appointment.status,
            allowed=allowed_actions(appointment.status),
        )
    appointment.delete()


# -- reminders


def reminder_key(appointment: Appointment) -> str:
    """The outbox key of the reminder for the appointment's current start:
    queued once per key, so a task run twice (a worker restarted mid-way,
    two beats) mails once, and a moved appointment gets a new key."""
    return f"appointment-reminder:{appointment.pk}:{appointment.starts_at.astimezone(UTC):%Y%m%dT%H%M%SZ}"


def reminders_due(*, now: datetime, lead: timedelta):
    """Booked or confirmed appointments starting within ``lead`` of ``now``
    and not yet reminded for their current start."""
    return (
        Appointment.objects.filter(
            status__in=UPCOMING, starts_at__gt=now, starts_at__lte=now + lead
        )
        .filter(Q(reminded_for__isnull=True) | ~Q(reminded_for=F("starts_at")))
        .order_by("starts_at", "id")
    )


def appointment_remind(*, appointment_id: int, now: datetime, shop) -> bool:
    """Queue one appointment's reminder, in a transaction that locks the
    appointment and re-reads it (cancelled or moved meanwhile: nothing, or
    the new start's reminder), and records ``reminded_at``/``reminded_for``
    with the email. True when an email was queued."""
    from mail.services import email_queue

    with transaction.atomic():
        appointment = (
            Appointment.objects.select_for_update()
            .select_related("customer__user", "vehicle")
            .filter(pk=appointment_id, status__in=UPCOMING, starts_at__gt=now)
            .first()
        )
        if appointment is None or appointment.reminded_for == appointment.starts_at:
            return False
        local = appointment.starts_at.astimezone(shop.zone())
        email_queue(
            to=appointment.customer.user.email,
            subject=f"Your appointment at {shop.name} on {local:%A %-d %B at %H:%M}",
            body=(
                f"Hello {appointment.customer.name},\n\n"
                f"This is a reminder of your appointment at {shop.name} on "
                f"{local:%A %-d %B %Y at %H:%M} ({shop.time_zone}) for your "
                f"{appointment.vehicle}.\n\nWhat you told us: {appointment.concern}\n\n"
                + (f"{shop.address}\n" if shop.address else "")
                + (f"Call us at {shop.phone} to change it.\n" if shop.phone else "")
            ),
            kind=REMINDER_KIND,
            key=reminder_key(appointment),
        )
        appointment.reminded_at = now
        appointment.reminded_for = appointment.starts_at
        appointment.save(update_fields=["reminded_at", "reminded_for"])
    return True


def appointment_reminders_send(*, now: datetime | None = None) -> int:
    """The worker's schedule: queue the reminder of every appointment due
    one (``reminder_lead_hours`` before its start, at the latest by then),
    each in its own transaction. The number queued."""
    now = now or timezone.now()
    shop = shop_settings()
    due = reminders_due(now=now, lead=timedelta(hours=shop.reminder_lead_hours))
    ids = list(due.values_list("pk", flat=True)[:500])
    return sum(appointment_remind(appointment_id=pk, now=now, shop=shop) for pk in ids)
