"""Writes of the time clock: each one transaction.

A mechanic is clocked onto one job at a time. Two rules hold under
concurrent requests: the mechanic's row is locked before its open entry is
looked for (two clock-ins at once: the second waits, then finds the first's
entry), and the unique ``open_mechanic`` column refuses a second open entry
whatever writes it.

Lock order, after the ticket services' (ticket, mechanics, jobs): ticket,
mechanic, job, then time entries. Reads that decide a rule are locking
reads, so they see the last committed row even inside a longer transaction
(an ``Idempotency-Key`` request runs in one).
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from mechanic_shop.errors import Conflict, InvalidState, NotFound
from mechanics.models import Mechanic
from tickets.models import Job, JobStatus, ServiceTicket, TicketMechanic
from tickets.workflow import Status

from .models import TimeEntry, TimeEntryCorrection

# Servers' clocks differ by a little: an entry closed "before" it started
# (by another server's clock) ends a microsecond after its start instead.
_TICK = datetime.timedelta(microseconds=1)


def _entry_summary(entry: TimeEntry) -> dict:
    """What a client needs to find an entry a 409 names."""
    return {
        "id": entry.pk,
        "mechanic_id": entry.mechanic_id,
        "ticket_id": entry.ticket_id,
        "job_id": entry.job_id,
        "started_at": entry.started_at.isoformat(),
        "ended_at": entry.ended_at.isoformat() if entry.ended_at else None,
    }


def _already_clocked_in(entry: TimeEntry) -> Conflict:
    return Conflict(
        f"The mechanic is already clocked in: time entry {entry.pk} on ticket "
        f"{entry.ticket_id}, job {entry.job_id}, since {entry.started_at.isoformat()}. "
        "Clock out of it first.",
        code="already_clocked_in",
        entry=_entry_summary(entry),
    )


def time_entry_clock_in(*, by, ticket: ServiceTicket, job: Job, mechanic: Mechanic) -> TimeEntry:
    """Clock ``mechanic`` onto ``job`` of ``ticket``, from now.

    The ticket must be in progress and the job approved (409
    ``ticket_not_in_progress`` / ``job_not_approved``, naming the status),
    the mechanic assigned to the ticket (409 ``mechanic_not_assigned``), and
    clocked onto nothing else (409 ``already_clocked_in``, naming the open
    entry in ``entry``).
    """
    try:
        with transaction.atomic():
            return _clock_in(by=by, ticket=ticket, job=job, mechanic=mechanic)
    except IntegrityError:
        # Only a writer that skipped the mechanic's lock gets here.
        entry = TimeEntry.objects.filter(open_mechanic=mechanic).first()
        if entry is not None:
            raise _already_clocked_in(entry)
        raise


def _clock_in(*, by, ticket, job, mechanic) -> TimeEntry:
    try:
        ticket = ServiceTicket.objects.select_for_update().get(pk=ticket.pk)
        mechanic = Mechanic.objects.select_for_update().get(pk=mechanic.pk)
        job = Job.objects.select_for_update().get(pk=job.pk, ticket=ticket)
    except (ServiceTicket.DoesNotExist, Mechanic.DoesNotExist, Job.DoesNotExist):
        raise NotFound("The ticket, the job or the mechanic no longer exists.")
    if ticket.status != Status.IN_PROGRESS:
        raise InvalidState(
            f"The ticket is {ticket.status}: only the jobs of a ticket in progress can be "
            "clocked onto.",
            code="ticket_not_in_progress",
            status=ticket.status,
        )
    if job.status != JobStatus.APPROVED:
        raise InvalidState(
            f"The job is {job.status}: only approved jobs can be clocked onto.",
            code="job_not_approved",
            status=job.status,
        )
    assigned = (
        TicketMechanic.objects.select_for_update()
        .filter(ticket=ticket, mechanic=mechanic)
        .values_list("pk", flat=True)
        .first()
    )
    if assigned is None:
        raise Conflict(
            f"{mechanic.name} is not assigned to ticket {ticket.pk}: assign the mechanic first.",
            code="mechanic_not_assigned",
        )
    open_entry = TimeEntry.objects.select_for_update().filter(open_mechanic=mechanic).first()
    if open_entry is not None:
        raise _already_clocked_in(open_entry)
    entry = TimeEntry(
        mechanic=mechanic, ticket=ticket, job=job, started_at=timezone.now(), created_by=by
    )
    entry.save()
    return entry


def _close(entry: TimeEntry, at: datetime.datetime) -> None:
    entry.ended_at = max(at, entry.started_at + _TICK)
    entry.save(update_fields=["ended_at"])


@transaction.atomic
def time_entry_clock_out(*, entry: TimeEntry) -> TimeEntry:
    """Stop the clock of an open entry, now. One already closed is a 409
    (``already_clocked_out``)."""
    try:
        entry = TimeEntry.objects.select_for_update().get(pk=entry.pk)
    except TimeEntry.DoesNotExist:
        raise NotFound("No TimeEntry matches the given query.")
    if not entry.is_open:
        raise InvalidState(
            f"Time entry {entry.pk} was clocked out at {entry.ended_at.isoformat()}.",
            code="already_clocked_out",
            status="closed",
        )
    _close(entry, timezone.now())
    return entry


def ticket_clock_out_all(*, ticket: ServiceTicket, at: datetime.datetime) -> list[TimeEntry]:
    """Close every open entry on ``ticket`` at ``at``: the ticket's work is
    over (completed or cancelled). Called by the ticket's lifecycle inside
    its transaction, with the ticket locked."""
    entries = list(
        TimeEntry.objects.select_for_update()
        .filter(ticket=ticket, ended_at__isnull=True)
        .order_by("pk")
    )
    for entry in entries:
        _close(entry, at)
    return entries


def _times(entry: TimeEntry) -> dict:
    return {
        "started_at": entry.started_at.isoformat(),
        "ended_at": entry.ended_at.isoformat() if entry.ended_at else None,
    }


@transaction.atomic
def time_entry_correct(
    *,
    by,
    entry: TimeEntry,
    started_at: datetime.datetime | None = None,
    ended_at: datetime.datetime | None = None,
) -> TimeEntry:
    """An admin's correction of an entry's start and/or end (None: as it
    is), recorded as a ``TimeEntryCorrection`` with the times before and
    after. An open entry given an end is closed by it.

    Bad times are a 400 naming the field: in the future, a start before
    the ticket was opened, or an end not after the start. Times that overlap another entry of the same mechanic
    are a 409 (``time_entries_overlap``, naming it in ``entry``): each
    entry is valid alone, the clash is with what is stored. A correction
    that changes nothing records nothing.
    """
    try:
        mechanic_id = TimeEntry.objects.values_list("mechanic_id", flat=True).get(pk=entry.pk)
        # The mechanic first (the lock order), then the entry: no clock-in
        # or other correction of that mechanic comes between the overlap
        # check and the write.
        Mechanic.objects.select_for_update().filter(pk=mechanic_id).values_list("pk").first()
        entry = TimeEntry.objects.select_for_update().get(pk=entry.pk)
    except TimeEntry.DoesNotExist:
        raise NotFound("No TimeEntry matches the given query.")
    start = started_at if started_at is not None else entry.started_at
    end = ended_at if ended_at is not None else entry.ended_at
    now = timezone.now()
    errors = {}
    opened = ServiceTicket.objects.values_list("created_at", flat=True).get(pk=entry.ticket_id)
    if start > now:
        errors["started_at"] = ["Must not be in the future."]
    elif start < opened:
        errors["started_at"] = [f"Must not be before the ticket was opened ({opened.isoformat()})."]
    if end is not None and end > now:
        errors["ended_at"] = ["Must not be in the future."]
    elif end is not None and end <= start:
        errors["ended_at"] = ["Must be after started_at."]
    if errors:
        raise ValidationError(errors)
    if (start, end) == (entry.started_at, entry.ended_at):
        return entry
    others = TimeEntry.objects.filter(mechanic_id=entry.mechanic_id).exclude(pk=entry.pk)
    others = others.filter(Q(ended_at__isnull=True) | Q(ended_at__gt=start))
    if end is not None:
        others = others.filter(started_at__lt=end)
    clash = others.order_by("started_at", "pk").first()
    if clash is not None:
        raise Conflict(
            f"These times overlap time entry {clash.pk} of the same mechanic "
            f"({_times(clash)['started_at']} to {_times(clash)['ended_at'] or 'now'}).",
            code="time_entries_overlap",
            entry=_entry_summary(clash),
        )
    before = _times(entry)
    entry.started_at, entry.ended_at = start, end
    entry.save(update_fields=["started_at", "ended_at"])
    TimeEntryCorrection.objects.create(entry=entry, by=by, before=before, after=_times(entry))
    return entry
