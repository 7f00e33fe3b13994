"""The time clock through the API: clock in and out, its rules, the list
each caller sees, admins' corrections."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from conftest import client_for
from tests.factories import MechanicFactory, ServiceTicketFactory
from tickets import services as ticket_services
from tickets.models import Job, ServiceTicket
from timeclock.models import TimeEntry, TimeEntryCorrection

pytestmark = pytest.mark.django_db
UTC = datetime.UTC
OPENED = datetime.datetime(2026, 1, 1, tzinfo=UTC)


def in_progress_ticket(*mechanics):
    """A ticket in progress with one approved job ("General", a labor line
    by the first mechanic), the mechanics assigned."""
    ticket = ServiceTicketFactory(mechanics=list(mechanics))
    ticket_services.ticket_add_labor(
        ticket=ticket, mechanic=mechanics[0], description="Brakes", hours=Decimal("1.50")
    )
    ticket = ticket_services.ticket_transition(ticket=ticket, action="approve")
    ticket = ticket_services.ticket_transition(ticket=ticket, action="start")
    # Opened at the start of the year: the entries the tests make are later.
    ServiceTicket.objects.filter(pk=ticket.pk).update(created_at=OPENED)
    ticket.created_at = OPENED
    return ticket


def clock_in_url(ticket, job=None):
    job = job or ticket.jobs.get()
    return f"/service-tickets/{ticket.pk}/jobs/{job.pk}/clock-in/"


@pytest.fixture
def work(mechanic):
    return in_progress_ticket(mechanic)


def test_a_mechanic_clocks_in_and_out(mechanic, mechanic_client, work):
    job = work.jobs.get()
    response = mechanic_client.post(clock_in_url(work))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body == {
        "id": body["id"],
        "mechanic_id": mechanic.pk,
        "ticket_id": work.pk,
        "job_id": job.pk,
        "started_at": body["started_at"],
        "ended_at": None,
        "minutes": None,
        "corrections": [],
    }
    entry = TimeEntry.objects.get(pk=body["id"])
    assert entry.open_mechanic_id == mechanic.pk and entry.created_by == mechanic.user

    # 95 minutes and a few seconds later (moved back in the database).
    TimeEntry.objects.filter(pk=entry.pk).update(
        started_at=timezone.now() - datetime.timedelta(minutes=95, seconds=20)
    )
    out = mechanic_client.post(f"/time-entries/{entry.pk}/clock-out")
    assert out.status_code == 200, out.content
    assert out.json()["minutes"] == 95 and out.json()["ended_at"] is not None
    entry.refresh_from_db()
    assert entry.open_mechanic_id is None and entry.minutes == 95

    again = mechanic_client.post(f"/time-entries/{entry.pk}/clock-out/")
    assert again.status_code == 409
    assert again.json()["code"] == "already_clocked_out"


def test_an_admin_clocks_in_a_named_mechanic(admin_client, mechanic, work):
    missing = admin_client.post(clock_in_url(work), {})
    assert missing.status_code == 400 and "mechanic_id" in missing.json()
    unknown = admin_client.post(clock_in_url(work), {"mechanic_id": 999_999})
    assert unknown.status_code == 400 and "mechanic_id" in unknown.json()
    response = admin_client.post(clock_in_url(work), {"mechanic_id": mechanic.pk})
    assert response.status_code == 201, response.content
    assert response.json()["mechanic_id"] == mechanic.pk
    assert TimeEntry.objects.count() == 1


def test_a_mechanic_clocks_in_only_itself(mechanic, mechanic_client):
    other = MechanicFactory()
    ticket = in_progress_ticket(mechanic, other)
    response = mechanic_client.post(clock_in_url(ticket), {"mechanic_id": other.pk})
    assert response.status_code == 403
    assert not TimeEntry.objects.exists()
    own = mechanic_client.post(clock_in_url(ticket), {"mechanic_id": mechanic.pk})
    assert own.status_code == 201


def test_only_approved_jobs_of_tickets_in_progress(mechanic, mechanic_client):
    # An estimate: its job is pending and the ticket not started.
    estimate = ServiceTicketFactory(mechanics=[mechanic])
    ticket_services.ticket_add_labor(
        ticket=estimate, mechanic=mechanic, description="Brakes", hours=Decimal("1.00")
    )
    response = mechanic_client.post(clock_in_url(estimate))
    assert response.status_code == 409
    assert response.json()["code"] == "ticket_not_in_progress"
    assert response.json()["status"] == "estimate"

    # In progress, but a job added since is still pending.
    ticket = in_progress_ticket(mechanic)
    pending = ticket_services.job_create(ticket=ticket, title="Tyres")
    response = mechanic_client.post(clock_in_url(ticket, pending))
    assert response.status_code == 409
    assert response.json()["code"] == "job_not_approved"
    assert response.json()["status"] == "pending"

    # Completed: no more clocking on.
    done = ticket_services.ticket_transition(ticket=in_progress_ticket(mechanic), action="complete")
    response = mechanic_client.post(clock_in_url(done))
    assert response.status_code == 409 and response.json()["status"] == "completed"
    assert not TimeEntry.objects.exists()


def test_a_mechanic_not_on_the_ticket_is_refused(work):
    stranger = MechanicFactory()
    response = client_for(stranger.user).post(clock_in_url(work))
    assert response.status_code == 409
    assert response.json()["code"] == "mechanic_not_assigned"
    assert not TimeEntry.objects.exists()


def test_unknown_ticket_or_job_is_404(mechanic_client, work):
    other_job = Job.objects.create(ticket=ServiceTicketFactory(), title="Elsewhere")
    assert (
        mechanic_client.post(
            f"/service-tickets/{work.pk}/jobs/{other_job.pk}/clock-in/"
        ).status_code
        == 404
    )
    assert (
        mechanic_client.post(f"/service-tickets/999999/jobs/{other_job.pk}/clock-in/").status_code
        == 404
    )


def test_a_second_clock_in_names_the_open_entry(mechanic, mechanic_client, work):
    first = mechanic_client.post(clock_in_url(work)).json()
    elsewhere = in_progress_ticket(mechanic)
    response = mechanic_client.post(clock_in_url(elsewhere))
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "already_clocked_in"
    assert body["entry"] == {
        "id": first["id"],
        "mechanic_id": mechanic.pk,
        "ticket_id": work.pk,
        "job_id": work.jobs.get().pk,
        "started_at": body["entry"]["started_at"],
        "ended_at": None,
    }
    assert str(first["id"]) in body["detail"]
    # The same job again is no different.
    assert mechanic_client.post(clock_in_url(work)).status_code == 409
    assert TimeEntry.objects.count() == 1


def test_completing_the_ticket_clocks_everyone_out(mechanic, mechanic_client, admin_client):
    other = MechanicFactory()
    ticket = in_progress_ticket(mechanic, other)
    mine = mechanic_client.post(clock_in_url(ticket)).json()
    theirs = client_for(other.user).post(clock_in_url(ticket)).json()
    # Someone clocked on another ticket keeps running.
    third = MechanicFactory()
    elsewhere = in_progress_ticket(third)
    running = client_for(third.user).post(clock_in_url(elsewhere)).json()

    response = mechanic_client.post(f"/service-tickets/{ticket.pk}/complete/")
    assert response.status_code == 200, response.content
    completed_at = response.json()["completed_at"]
    for entry_id in (mine["id"], theirs["id"]):
        entry = admin_client.get(f"/time-entries/{entry_id}/").json()
        assert entry["ended_at"] == completed_at and entry["minutes"] == 0
    assert admin_client.get(f"/time-entries/{running['id']}/").json()["ended_at"] is None
    # Free again: each may clock onto other work.
    assert mechanic_client.post(clock_in_url(in_progress_ticket(mechanic))).status_code == 201


def test_cancelling_the_ticket_clocks_out_too(mechanic, mechanic_client, work):
    entry = mechanic_client.post(clock_in_url(work)).json()
    assert mechanic_client.post(f"/service-tickets/{work.pk}/cancel/").status_code == 200
    assert TimeEntry.objects.get(pk=entry["id"]).ended_at is not None


def test_a_mechanic_sees_its_own_entries_an_admin_all(mechanic, mechanic_client, admin_client):
    other = MechanicFactory()
    ticket = in_progress_ticket(mechanic, other)
    mine = mechanic_client.post(clock_in_url(ticket)).json()
    theirs = client_for(other.user).post(clock_in_url(ticket)).json()

    listed = mechanic_client.get("/time-entries/").json()
    assert listed["count"] == 1 and [e["id"] for e in listed["results"]] == [mine["id"]]
    # Asking for the other's: filtered out, not refused.
    filtered = mechanic_client.get(f"/time-entries/?mechanic={other.pk}")
    assert filtered.status_code == 200 and filtered.json()["results"] == []
    assert mechanic_client.get(f"/time-entries/{theirs['id']}/").status_code == 404
    assert mechanic_client.post(f"/time-entries/{theirs['id']}/clock-out/").status_code == 404

    every = admin_client.get("/time-entries/").json()
    assert {e["id"] for e in every["results"]} == {mine["id"], theirs["id"]}
    by_other = admin_client.get(f"/time-entries/?mechanic={other.pk}").json()
    assert [e["id"] for e in by_other["results"]] == [theirs["id"]]
    # An admin clocks anyone out.
    assert admin_client.post(f"/time-entries/{theirs['id']}/clock-out/").status_code == 200


def test_customers_are_refused_everywhere(customer_client, mechanic, work):
    entry = TimeEntry.objects.create(
        mechanic=mechanic, ticket=work, job=work.jobs.get(), started_at=timezone.now()
    )
    for method, url in (
        ("post", clock_in_url(work)),
        ("get", "/time-entries/"),
        ("get", f"/time-entries/{entry.pk}/"),
        ("patch", f"/time-entries/{entry.pk}/"),
        ("post", f"/time-entries/{entry.pk}/clock-out/"),
        ("get", "/reports/productivity/"),
    ):
        assert getattr(customer_client, method)(url, {}).status_code == 403, url


def at(day, hour, minute=0):
    return datetime.datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def entry_at(mechanic, ticket, start, end):
    return TimeEntry.objects.create(
        mechanic=mechanic, ticket=ticket, job=ticket.jobs.get(), started_at=start, ended_at=end
    )


def test_the_list_filters_by_days_overlapping(admin_client, mechanic, work):
    before = entry_at(mechanic, work, at(9, 8), at(9, 12))
    overnight = entry_at(mechanic, work, at(9, 22), at(10, 2))  # into the 10th
    inside = entry_at(mechanic, work, at(10, 9), at(10, 11))
    after = entry_at(mechanic, work, at(11, 9), at(11, 10))

    def ids(query):
        response = admin_client.get(f"/time-entries/?{query}")
        assert response.status_code == 200, response.content
        return [e["id"] for e in response.json()["results"]]

    assert ids("from=2026-03-10&to=2026-03-10") == [inside.pk, overnight.pk]
    assert ids("from=2026-03-11") == [after.pk]
    assert ids("to=2026-03-09") == [overnight.pk, before.pk]
    assert ids("ordering=started_at") == [before.pk, overnight.pk, inside.pk, after.pk]
    assert admin_client.get("/time-entries/?ordering=minutes").status_code == 400
    assert admin_client.get("/time-entries/?from=").status_code == 400
    assert admin_client.get("/time-entries/?from=yesterday").status_code == 400
    assert admin_client.get("/time-entries/?mechanic=x").status_code == 400
    assert "to" in admin_client.get("/time-entries/?to=9999-12-31").json()


def test_an_admin_corrects_an_entry_and_it_is_recorded(admin_client, admin_user, mechanic, work):
    entry = entry_at(mechanic, work, at(9, 8), at(9, 12))
    response = admin_client.patch(
        f"/time-entries/{entry.pk}/",
        {"started_at": "2026-03-09T08:30:00Z", "ended_at": "2026-03-09T12:15:00Z"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["minutes"] == 225
    assert body["started_at"] == "2026-03-09T08:30:00Z"
    [correction] = body["corrections"]
    assert correction["by_id"] == admin_user.pk and correction["by_email"] == admin_user.email
    assert correction["before"] == {
        "started_at": "2026-03-09T08:00:00+00:00",
        "ended_at": "2026-03-09T12:00:00+00:00",
    }
    assert correction["after"] == {
        "started_at": "2026-03-09T08:30:00+00:00",
        "ended_at": "2026-03-09T12:15:00+00:00",
    }
    # The mechanic sees the correction of its entry.
    mine = client_for(mechanic.user).get(f"/time-entries/{entry.pk}/").json()
    assert mine["corrections"] == body["corrections"]
    # Only the end, then: a second record.
    again = admin_client.patch(f"/time-entries/{entry.pk}/", {"ended_at": "2026-03-09T12:00:00Z"})
    assert again.status_code == 200 and len(again.json()["corrections"]) == 2
    assert again.json()["minutes"] == 210


def test_a_correction_closes_an_open_entry(admin_client, mechanic_client, mechanic, work):
    entry = mechanic_client.post(clock_in_url(work)).json()
    started = datetime.datetime.fromisoformat(entry["started_at"])
    end = (started + datetime.timedelta(microseconds=1)).isoformat()
    TimeEntry.objects.filter(pk=entry["id"]).update(
        started_at=started - datetime.timedelta(hours=1)
    )
    response = admin_client.patch(f"/time-entries/{entry['id']}/", {"ended_at": end})
    assert response.status_code == 200, response.content
    assert response.json()["minutes"] == 60
    assert TimeEntry.objects.get(pk=entry["id"]).open_mechanic_id is None


def test_bad_corrections_are_refused_and_change_nothing(admin_client, mechanic, work):
    entry = entry_at(mechanic, work, at(9, 8), at(9, 12))
    neighbour = entry_at(mechanic, work, at(9, 13), at(9, 17))
    # Someone else's time may overlap: only the same mechanic's counts.
    entry_at(MechanicFactory(), work, at(9, 11), at(9, 14))
    url = f"/time-entries/{entry.pk}/"
    cases = [
        ({"ended_at": "2026-03-09T07:00:00Z"}, 400, "ended_at"),
        ({"started_at": "2026-03-09T12:00:00Z"}, 400, "ended_at"),
        ({"started_at": "2999-01-01T00:00:00Z"}, 400, "started_at"),
        ({"started_at": "2025-12-31T23:59:00Z"}, 400, "started_at"),  # before the ticket
        ({"started_at": "0001-01-01T00:00:00Z"}, 400, "started_at"),
        ({"ended_at": "2999-01-01T00:00:00Z"}, 400, "ended_at"),
        ({"ended_at": None}, 400, "ended_at"),
        ({"started_at": "not a time"}, 400, "started_at"),
        ({}, 400, "non_field_errors"),
        ({"ended_at": "2026-03-09T13:30:00Z"}, 409, "entry"),
    ]
    for body, status, key in cases:
        response = admin_client.patch(url, body)
        assert response.status_code == status, (body, response.content)
        assert key in response.json(), body
    overlap = admin_client.patch(url, {"ended_at": "2026-03-09T13:30:00Z"}).json()
    assert overlap["code"] == "time_entries_overlap"
    assert overlap["entry"]["id"] == neighbour.pk
    entry.refresh_from_db()
    assert (entry.started_at, entry.ended_at) == (at(9, 8), at(9, 12))
    assert not TimeEntryCorrection.objects.exists()
    # Touching the neighbour's start is no overlap.
    fine = admin_client.patch(url, {"ended_at": "2026-03-09T13:00:00Z"})
    assert fine.status_code == 200


def test_only_admins_correct(mechanic_client, mechanic, work):
    entry = entry_at(mechanic, work, at(9, 8), at(9, 12))
    response = mechanic_client.patch(
        f"/time-entries/{entry.pk}/", {"ended_at": "2026-03-09T11:00:00Z"}
    )
    assert response.status_code == 403
    assert mechanic_client.put(f"/time-entries/{entry.pk}/", {}).status_code == 405


def test_the_database_refuses_a_second_open_entry(mechanic, work):
    """Whatever writes it (not only the service): one open entry per mechanic."""
    job = work.jobs.get()
    TimeEntry.objects.create(mechanic=mechanic, ticket=work, job=job, started_at=at(9, 8))
    with pytest.raises(IntegrityError), transaction.atomic():
        TimeEntry.objects.create(mechanic=mechanic, ticket=work, job=job, started_at=at(9, 9))
    # Closed ones are any number.
    entry_at(mechanic, work, at(8, 8), at(8, 9))
    entry_at(mechanic, work, at(8, 10), at(8, 11))
    assert TimeEntry.objects.filter(mechanic=mechanic).count() == 3
