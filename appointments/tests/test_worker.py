"""The real thing: a worker process with its beat mails an appointment's
reminder to an SMTP server on 127.0.0.1 once, not again when it restarts,
and again once the appointment moves. Run by the CI step of .ci/run
(WORKER_TESTS=1); skipped elsewhere."""

from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone

from appointments.models import Appointment
from tests.factories import VehicleFactory
from tests.worker import WORKER_ONLY, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True), WORKER_ONLY]

EVERY_SECOND = {"APPOINTMENT_REMINDERS_EVERY_SECONDS": "1"}


def test_the_worker_reminds_once_and_again_after_a_move(customer, smtp_server, worker):
    # Written as it is stored (the booking rules are the API tests'): three
    # hours ahead, inside the default 24-hour lead.
    starts_at = (timezone.now() + timedelta(hours=3)).replace(microsecond=0)
    appointment = Appointment.objects.create(
        customer=customer,
        vehicle=VehicleFactory(customer=customer),
        concern="Brakes squeal",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=1),
    )
    worker.start(**EVERY_SECOND)
    assert wait_for(lambda: smtp_server.messages), "no reminder sent"
    [message] = smtp_server.messages
    assert message["To"] == customer.user.email
    assert "Brakes squeal" in message.get_content()
    assert wait_for(lambda: Appointment.objects.get(pk=appointment.pk).reminded_for == starts_at)

    # More beats, and a restarted worker: still one.
    worker.restart(**EVERY_SECOND)
    assert not wait_for(lambda: len(smtp_server.messages) > 1, seconds=5)

    later = timedelta(hours=1)
    Appointment.objects.filter(pk=appointment.pk).update(
        starts_at=F("starts_at") + later, ends_at=F("ends_at") + later
    )
    assert wait_for(lambda: len(smtp_server.messages) == 2), "the move was not reminded"
    assert not wait_for(lambda: len(smtp_server.messages) > 2, seconds=3)


def test_no_reminder_for_a_cancelled_appointment(customer, smtp_server, worker):
    starts_at = timezone.now() + timedelta(hours=3)
    Appointment.objects.create(
        customer=customer,
        vehicle=VehicleFactory(customer=customer),
        concern="Oil change",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=1),
        status="cancelled",
    )
    worker.start(**EVERY_SECOND)
    assert not wait_for(lambda: smtp_server.messages, seconds=5)
