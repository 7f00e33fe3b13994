"""Clocked time for the demo data (``manage.py seed_demo``)."""

import datetime
import random
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, Min, OuterRef, QuerySet, Sum
from django.utils import timezone

from tickets.models import LaborLine, ServiceTicket
from tickets.workflow import Status

from .models import TimeEntry, entry_minutes

DONE = (Status.COMPLETED, Status.INVOICED, Status.PAID)
# The demo clocks the most recent work only, so that seeding a million
# tickets (the benchmark) costs what seeding three hundred does.
RECENT_DAYS = 60
MAX_DONE_TICKETS = 400
MAX_OPEN_TICKETS = 100
GAP = datetime.timedelta(minutes=10)
LONGEST = datetime.timedelta(hours=10)


@transaction.atomic
def seed_clocked_time(*, tickets: QuerySet[ServiceTicket], seed: int = 2024) -> int:
    """Time entries for the labor billed on ``tickets`` that have none yet:
    those completed in the last 60 days (each mechanic's time ends when the
    ticket was completed) and those in progress (earlier today). A mechanic's
    clocked time is its billed hours give or take a quarter, and its entries
    never overlap one another (each is placed before the mechanic's earliest,
    the ones already stored included). All are closed. Returns how many were
    added; a second run adds none."""
    now = timezone.now()
    rng = random.Random(seed)
    unclocked = tickets.exclude(Exists(TimeEntry.objects.filter(ticket=OuterRef("pk"))))
    done = dict(
        unclocked.filter(status__in=DONE, completed_at__gte=now - datetime.timedelta(RECENT_DAYS))
        .order_by("-completed_at")
        .values_list("id", "completed_at")[:MAX_DONE_TICKETS]
    )
    started = unclocked.filter(status=Status.IN_PROGRESS).order_by("-id")
    ends = {
        **done,
        **{pk: now - GAP for pk in started.values_list("id", flat=True)[:MAX_OPEN_TICKETS]},
    }
    if not ends:
        return 0
    work = (
        LaborLine.objects.filter(ticket_id__in=ends)
        .values("ticket_id", "job_id", "mechanic_id")
        .annotate(hours=Sum("hours"))
        .order_by("ticket_id", "job_id", "mechanic_id")
    )
    earliest = dict(
        TimeEntry.objects.filter(mechanic_id__in={w["mechanic_id"] for w in work})
        .values("mechanic_id")
        .annotate(first=Min("started_at"))
        .values_list("mechanic_id", "first")
    )
    by_mechanic = defaultdict(list)
    for item in work:
        by_mechanic[item["mechanic_id"]].append(item)
    entries = []
    for mechanic_id, items in sorted(by_mechanic.items()):
        # Latest work first, each entry before the one after it.
        items.sort(key=lambda item: (ends[item["ticket_id"]], item["job_id"]), reverse=True)
        cursor = earliest.get(mechanic_id, now) - GAP
        for item in items:
            end = min(ends[item["ticket_id"]], cursor)
            factor = Decimal(rng.randint(80, 125)) / 100
            length = min(datetime.timedelta(hours=float(item["hours"] * factor)), LONGEST)
            start = end - max(length, datetime.timedelta(minutes=6))
            cursor = start - GAP
            entries.append(
                TimeEntry(
                    mechanic_id=mechanic_id,
                    ticket_id=item["ticket_id"],
                    job_id=item["job_id"],
                    started_at=start,
                    ended_at=end,
                    minutes=entry_minutes(start, end),
                    open_mechanic=None,
                )
            )
    TimeEntry.objects.bulk_create(entries, batch_size=500)
    return len(entries)
