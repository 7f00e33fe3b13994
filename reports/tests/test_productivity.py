"""The productivity report: hours clocked and billed per mechanic, on known
data with the numbers worked out."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories import MechanicFactory, ServiceTicketFactory
from tickets import services as ticket_services
from tickets.models import ServiceTicket
from timeclock.models import TimeEntry

pytestmark = pytest.mark.django_db
UTC = datetime.UTC
URL = "/reports/productivity/"


def at(day, hour, minute=0):
    return datetime.datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def ticket_with_labor(lines, *, completed=None, invoice=False):
    """A ticket with ``lines`` of ``(mechanic, hours)``, started, and, when
    ``completed`` is given, completed then (and invoiced when asked)."""
    ticket = ServiceTicketFactory(mechanics=list({m for m, _ in lines}))
    for mechanic, hours in lines:
        ticket_services.ticket_add_labor(
            ticket=ticket, mechanic=mechanic, description="Work", hours=Decimal(hours)
        )
    for action in ("approve", "start"):
        ticket = ticket_services.ticket_transition(ticket=ticket, action=action)
    if completed:
        ticket = ticket_services.ticket_transition(ticket=ticket, action="complete")
        if invoice:
            ticket = ticket_services.ticket_transition(ticket=ticket, action="invoice")
        ServiceTicket.objects.filter(pk=ticket.pk).update(completed_at=completed)
    return ticket


def clocked(mechanic, ticket, start, end):
    return TimeEntry.objects.create(
        mechanic=mechanic, ticket=ticket, job=ticket.jobs.first(), started_at=start, ended_at=end
    )


def test_clocked_billed_and_efficiency_per_mechanic(admin_client):
    ana = MechanicFactory(name="Ana")
    ben = MechanicFactory(name="Ben")
    cy = MechanicFactory(name="Cy")
    MechanicFactory(name="Dee")  # nothing at all
    # Completed in the range: Ana billed 3.00 h, Ben 0.50 h.
    t1 = ticket_with_labor([(ana, "3.00"), (ben, "0.50")], completed=at(10, 15))
    # Completed after the range: its 5 h are not billed in it.
    t2 = ticket_with_labor([(ana, "5.00")], completed=at(12, 9))
    # Completed in the range and invoiced since: Ana 2.25 h, Cy 1.00 h.
    ticket_with_labor([(ana, "2.25"), (cy, "1.00")], completed=at(11, 10), invoice=True)
    # Still in progress: billed nowhere yet.
    t4 = ticket_with_labor([(ben, "4.00")])

    # Ana: 2 h of a night shift into the 10th, 4.5 h on the 10th, 11 h of an
    # evening shift on the 11th that ends after midnight: 17.5 h on 2 tickets.
    clocked(ana, t1, at(9, 22), at(10, 2))
    clocked(ana, t1, at(10, 8), at(10, 12, 30))
    clocked(ana, t2, at(11, 13), at(12, 1))
    # Ben: 20 minutes in the range, the rest outside it.
    clocked(ben, t4, at(10, 9), at(10, 9, 20))
    clocked(ben, t4, at(12, 8), at(12, 9))
    clocked(ben, t1, at(8, 8), at(8, 16))

    response = admin_client.get(f"{URL}?from=2026-03-10&to=2026-03-11")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 4
    assert body["results"] == [
        {
            "mechanic_id": ana.pk,
            "name": "Ana",
            "clocked_hours": "17.50",
            "billed_hours": "5.25",
            "efficiency": "0.30",  # 5.25 / 17.5
            "tickets_worked": 2,
        },
        {
            "mechanic_id": ben.pk,
            "name": "Ben",
            "clocked_hours": "0.33",  # 20 minutes
            "billed_hours": "0.50",
            "efficiency": "1.50",  # 0.5 / (1/3), from the exact time, not the rounded hours
            "tickets_worked": 1,
        },
        {
            "mechanic_id": cy.pk,
            "name": "Cy",
            "clocked_hours": "0.00",
            "billed_hours": "1.00",
            "efficiency": None,
            "tickets_worked": 0,
        },
        {
            "mechanic_id": body["results"][3]["mechanic_id"],
            "name": "Dee",
            "clocked_hours": "0.00",
            "billed_hours": "0.00",
            "efficiency": None,
            "tickets_worked": 0,
        },
    ]

    # One day: only the 10th.
    day = admin_client.get(f"{URL}?from=2026-03-10&to=2026-03-10").json()["results"]
    assert [(r["name"], r["clocked_hours"], r["billed_hours"]) for r in day[:2]] == [
        ("Ana", "6.50", "3.00"),
        ("Ben", "0.33", "0.50"),
    ]


def test_an_open_entry_counts_until_now(admin_client, mechanic):
    ticket = ticket_with_labor([(mechanic, "1.00")])
    TimeEntry.objects.create(
        mechanic=mechanic,
        ticket=ticket,
        job=ticket.jobs.get(),
        started_at=timezone.now() - datetime.timedelta(hours=2),
    )
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    [row] = admin_client.get(f"{URL}?from={yesterday}&to={today}").json()["results"]
    assert row["clocked_hours"] == "2.00" and row["tickets_worked"] == 1
    assert row["billed_hours"] == "0.00" and row["efficiency"] == "0.00"


@pytest.mark.parametrize(
    "query, field",
    [
        ("from=2026-03-12&to=2026-03-10", "from"),
        ("from=2025-01-01&to=2026-03-10", "from"),  # over 366 days
        ("from=", "from"),
        ("to=soon", "to"),
        ("from=9999-12-31&to=9999-12-31", "from"),  # the calendar's last day: no midnight after
        ("from=2026-01-01&to=9999-12-31", "to"),
    ],
)
def test_bad_ranges_are_400_naming_the_field(admin_client, query, field):
    response = admin_client.get(f"{URL}?{query}")
    assert response.status_code == 400
    assert field in response.json()


def test_admins_only(mechanic_client, customer_client):
    assert mechanic_client.get(URL).status_code == 403
    assert customer_client.get(URL).status_code == 403
