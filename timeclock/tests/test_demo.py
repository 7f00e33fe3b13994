"""seed_demo's clocked time: on the demo's recent work, never overlapping,
added once."""

import itertools

import pytest
from django.core.management import call_command

from tickets.workflow import Status
from timeclock.models import TimeEntry

pytestmark = pytest.mark.django_db


def seed():
    call_command(
        "seed_demo",
        "--quiet-logins",
        "--customers=5",
        "--mechanics=3",
        "--parts=6",
        "--tickets=80",
        verbosity=0,
    )


def test_seed_demo_clocks_the_recent_work_once():
    seed()
    entries = list(TimeEntry.objects.select_related("ticket").order_by("mechanic_id", "started_at"))
    assert entries
    statuses = {entry.ticket.status for entry in entries}
    assert Status.IN_PROGRESS in statuses and statuses & {Status.COMPLETED, Status.PAID}
    assert statuses <= {Status.IN_PROGRESS, Status.COMPLETED, Status.INVOICED, Status.PAID}
    for before, after in itertools.pairwise(entries):
        assert before.ended_at > before.started_at and before.minutes is not None
        if before.mechanic_id == after.mechanic_id:
            assert before.ended_at <= after.started_at, "a mechanic's entries overlap"
    assert not TimeEntry.objects.filter(ended_at=None).exists()
    for entry in entries:
        if entry.ticket.completed_at:
            assert entry.ended_at <= entry.ticket.completed_at

    seed()
    assert TimeEntry.objects.count() == len(entries)
