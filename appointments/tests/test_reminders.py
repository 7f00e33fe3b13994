"""Reminders, run as the beat runs them but with a fixed ``now``: once per
start, never for a cancelled appointment, again after a move."""

from datetime import datetime, timedelta

import pytest
from django.core import mail

from appointments import services, tasks
from appointments.models import Appointment
from mail.models import OutboundEmail

from .conftest import at, monday

pytestmark = pytest.mark.django_db


@pytest.fixture
def appointment(book):
    response = book(at(monday(), "09:00"), concern="Check engine light")
    assert response.status_code == 201, response.content
    return Appointment.objects.get(pk=response.json()["id"])


def remind(django_capture_on_commit_callbacks, now) -> int:
    """Run the task's work at ``now``; the outbox sends after the commit."""
    with django_capture_on_commit_callbacks(execute=True):
        return services.appointment_reminders_send(now=now)


def test_a_reminder_goes_out_once_at_the_lead_time(
    appointment, customer, django_capture_on_commit_callbacks
):
    start = appointment.starts_at
    assert remind(django_capture_on_commit_callbacks, start - timedelta(hours=25)) == 0
    assert mail.outbox == []

    assert remind(django_capture_on_commit_callbacks, start - timedelta(hours=23)) == 1
    [message] = mail.outbox
    assert message.to == [customer.user.email]
    assert "09:00" in message.subject
    assert "Check engine light" in message.body
    email = OutboundEmail.objects.get()
    assert email.kind == "appointment_reminder"
    assert email.key == f"appointment-reminder:{appointment.pk}:{start:%Y%m%dT%H%M%SZ}"
    assert email.status == "sent"
    appointment.refresh_from_db()
    assert appointment.reminded_for == start
    assert appointment.reminded_at == start - timedelta(hours=23)

    # The next beats, and the hour before: nothing more.
    for hours in (22, 1):
        assert remind(django_capture_on_commit_callbacks, start - timedelta(hours=hours)) == 0
    assert len(mail.outbox) == 1


def test_the_outbox_key_holds_when_the_record_was_lost(
    appointment, django_capture_on_commit_callbacks
):
    """A worker that queued the email and died before recording it (or two
    workers at once): the key is taken, the outbox queues nothing more."""
    now = appointment.starts_at - timedelta(hours=2)
    assert remind(django_capture_on_commit_callbacks, now) == 1
    Appointment.objects.filter(pk=appointment.pk).update(reminded_for=None, reminded_at=None)
    remind(django_capture_on_commit_callbacks, now)
    assert OutboundEmail.objects.count() == 1
    assert len(mail.outbox) == 1


def test_a_moved_appointment_is_reminded_again(
    appointment, mechanic_client, django_capture_on_commit_callbacks
):
    first_start = appointment.starts_at
    assert remind(django_capture_on_commit_callbacks, first_start - timedelta(hours=3)) == 1
    new_start = at(monday(), "11:00")
    moved = mechanic_client.patch(
        f"/appointments/{appointment.pk}/", {"starts_at": new_start}, format="json"
    )
    assert moved.status_code == 200
    start = datetime.fromisoformat(new_start)
    assert remind(django_capture_on_commit_callbacks, start - timedelta(hours=3)) == 1
    assert len(mail.outbox) == 2
    assert "11:00" in mail.outbox[1].subject
    keys = set(OutboundEmail.objects.values_list("key", flat=True))
    assert len(keys) == 2


@pytest.mark.parametrize("action", ["cancel", "no-show", "arrive", "convert"])
def test_no_reminder_for_what_is_not_ahead(
    appointment, mechanic_client, action, django_capture_on_commit_callbacks
):
    assert mechanic_client.post(f"/appointments/{appointment.pk}/{action}/").status_code == 200
    assert (
        remind(django_capture_on_commit_callbacks, appointment.starts_at - timedelta(hours=2)) == 0
    )
    assert mail.outbox == []
    assert not OutboundEmail.objects.filter(kind="appointment_reminder").exists()


def test_no_reminder_once_it_has_started(appointment, django_capture_on_commit_callbacks):
    assert remind(django_capture_on_commit_callbacks, appointment.starts_at) == 0
    assert mail.outbox == []


def test_the_lead_time_is_the_shops(appointment, shop, django_capture_on_commit_callbacks):
    shop.reminder_lead_hours = 48
    shop.save()
    assert (
        remind(django_capture_on_commit_callbacks, appointment.starts_at - timedelta(hours=47)) == 1
    )


def test_the_beat_runs_the_task(appointment, monkeypatch):
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["appointment-reminders"]
    assert entry["task"] == tasks.appointment_reminders_send.name
    seen = []
    monkeypatch.setattr(services, "appointment_reminders_send", lambda: seen.append(1) or 0)
    assert tasks.appointment_reminders_send() == 0
    assert seen == [1]
