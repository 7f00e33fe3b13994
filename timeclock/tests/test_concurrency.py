"""The one-open-entry rule under concurrent requests, on a real MySQL/MariaDB
server (SQLite serializes whole-database writes and would prove nothing)."""

import pytest
from django.db import connection

from conftest import client_for, mysql_only
from tests.factories import AdminFactory, MechanicFactory
from tickets.models import ServiceTicket
from tickets.tests.test_concurrency import run_concurrently
from timeclock.models import TimeEntry
from timeclock.tests.test_time_clock_api import clock_in_url, in_progress_ticket

pytestmark = [pytest.mark.mariadb, mysql_only(), pytest.mark.django_db(transaction=True)]


def test_really_on_mysql():
    assert connection.vendor == "mysql"


def test_two_clock_ins_at_once_give_one_entry():
    mechanic = MechanicFactory()
    tickets = [in_progress_ticket(mechanic), in_progress_ticket(mechanic)]
    clients = [client_for(mechanic.user) for _ in tickets]

    responses = run_concurrently(2, lambda i: clients[i].post(clock_in_url(tickets[i])))

    assert sorted(r.status_code for r in responses) == [201, 409]
    [won] = [r.json() for r in responses if r.status_code == 201]
    [lost] = [r.json() for r in responses if r.status_code == 409]
    assert lost["code"] == "already_clocked_in" and lost["entry"]["id"] == won["id"]
    assert TimeEntry.objects.filter(mechanic=mechanic).count() == 1


def test_ten_clock_ins_of_one_mechanic_on_one_job():
    mechanic = MechanicFactory()
    ticket = in_progress_ticket(mechanic)
    clients = [client_for(mechanic.user) for _ in range(10)]

    statuses = run_concurrently(10, lambda i: clients[i].post(clock_in_url(ticket)).status_code)

    assert sorted(statuses) == [201] + [409] * 9
    assert TimeEntry.objects.filter(mechanic=mechanic, ended_at=None).count() == 1


def test_completing_while_mechanics_clock_in_leaves_no_clock_running():
    """Each clock-in either lands before the completion (and is stopped by
    it) or after (and is refused): none stays open on a completed ticket."""
    mechanics = MechanicFactory.create_batch(6)
    ticket = in_progress_ticket(*mechanics)
    clients = [client_for(m.user) for m in mechanics] + [client_for(AdminFactory())]

    def work(i):
        if i == len(mechanics):
            return clients[i].post(f"/service-tickets/{ticket.pk}/complete/").status_code
        return clients[i].post(clock_in_url(ticket)).status_code

    statuses = run_concurrently(len(clients), work)

    assert statuses[-1] == 200
    assert set(statuses[:-1]) <= {201, 409}
    assert ServiceTicket.objects.get(pk=ticket.pk).status == "completed"
    assert not TimeEntry.objects.filter(ticket=ticket, ended_at=None).exists()
    assert TimeEntry.objects.filter(ticket=ticket).count() == statuses.count(201)
