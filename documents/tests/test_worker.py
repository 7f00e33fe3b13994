"""A real worker process renders the invoice and mails it to a real SMTP
server on 127.0.0.1. Run by the CI step of .ci/run (WORKER_TESTS=1)."""

import pytest

from mail.models import OutboundEmail
from tests.worker import WORKER_ONLY, wait_for

from .conftest import invoiced, pdf_text, printed_ticket

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True), WORKER_ONLY]


def test_the_worker_mails_the_invoice_with_its_pdf(
    mechanic_client, customer, mechanic, smtp_server, worker
):
    ticket = invoiced(printed_ticket(customer, mechanic))
    worker.start()

    response = mechanic_client.post(f"/service-tickets/{ticket.pk}/send-invoice/")
    assert response.status_code == 202, response.content

    assert wait_for(lambda: smtp_server.messages, seconds=60), "nothing sent"
    [message] = smtp_server.messages
    assert message["To"] == customer.user.email
    assert f"Invoice {ticket.invoice_number}" in message["Subject"]
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == f"invoice-{ticket.invoice_number}.pdf"
    text = pdf_text(attachment.get_content())
    assert f"Invoice {ticket.invoice_number}" in text and ticket.vin in text
    assert wait_for(lambda: OutboundEmail.objects.get().status == "sent")
    history = mechanic_client.get(f"/service-tickets/{ticket.pk}/history/").json()["results"]
    statuses = [e["after"]["status"] for e in history if e["action"] == "document_emailed"]
    assert statuses == ["queued", "sent"]
