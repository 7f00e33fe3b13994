"""A real worker process sends the outbox to a real SMTP server on
127.0.0.1: an approval link mailed by staff, including when the worker was
down at the commit. Run by the CI step of .ci/run (WORKER_TESTS=1)."""

import pytest

from mail.models import OutboundEmail
from tests.factories import ServiceTicketFactory
from tests.worker import WORKER_ONLY, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True), WORKER_ONLY]


def test_a_worker_started_after_the_commit_sends_the_mail_once(
    mechanic_client, smtp_server, worker
):
    ticket = ServiceTicketFactory()

    response = mechanic_client.post(
        f"/service-tickets/{ticket.pk}/approval-link/", {"send_email": True}, format="json"
    )
    assert response.status_code == 201, response.content
    assert smtp_server.messages == []  # queued; nobody to send it yet

    worker.start()
    assert wait_for(lambda: smtp_server.messages), "nothing sent"
    [message] = smtp_server.messages
    assert message["To"] == ticket.customer.user.email
    assert response.json()["url"] in message.get_content()
    assert wait_for(lambda: OutboundEmail.objects.get().status == "sent")

    # The dispatch and the sweep both saw it: still one message.
    worker.restart()
    assert not wait_for(lambda: len(smtp_server.messages) > 1, seconds=4)


def test_the_workers_log_lines_carry_the_id_of_the_request_that_queued_the_task(
    mechanic_client, smtp_server, worker
):
    ticket = ServiceTicketFactory()
    smtp_server.refuse.add(ticket.customer.user.email)  # the worker logs the refusal
    worker.start()

    response = mechanic_client.post(
        f"/service-tickets/{ticket.pk}/approval-link/",
        {"send_email": True},
        format="json",
        HTTP_X_REQUEST_ID="front-desk-4711",
    )

    assert response.status_code == 201, response.content
    assert response["X-Request-ID"] == "front-desk-4711"
    assert wait_for(lambda: OutboundEmail.objects.get().status == "failed")
    assert wait_for(lambda: "not sent" in worker.output()), worker.output()
    [line] = [line for line in worker.output().splitlines() if "not sent" in line]
    assert "[front-desk-4711]" in line
