"""POST …/send-estimate/ and …/send-invoice/, the history and …/documents/.

Under the test settings the outbox's send runs in this process once the
request's transaction commits, into Django's locmem outbox (or the SMTP
server of the ``smtp_server`` fixture)."""

import pytest
from django.core import mail

from conftest import client_for
from tests.factories import CustomerFactory

from .conftest import SHOP_NAME, pdf_text

pytestmark = pytest.mark.django_db


def send(client, ticket, document, capture):
    with capture(execute=True):
        response = client.post(f"/service-tickets/{ticket.pk}/send-{document}/")
    return response


def document_history(client, ticket):
    entries = client.get(f"/service-tickets/{ticket.pk}/history/").json()["results"]
    return [e["after"] for e in entries if e["action"] == "document_emailed"]


def test_send_estimate_mails_the_pdf(
    mechanic_client, customer_client, estimate, django_capture_on_commit_callbacks
):
    response = send(mechanic_client, estimate, "estimate", django_capture_on_commit_callbacks)

    assert response.status_code == 202, response.content
    queued = response.json()
    to = estimate.customer.user.email
    assert queued["document"] == "estimate" and queued["to"] == to
    assert queued["status"] == "pending" and queued["error"] == ""
    [message] = mail.outbox
    assert message.to == [to]
    assert SHOP_NAME in message.subject and str(estimate.pk) in message.subject
    [(filename, content, mimetype)] = message.attachments
    assert (filename, mimetype) == (f"estimate-{estimate.pk}.pdf", "application/pdf")
    assert estimate.vin in pdf_text(content)
    # The history: queued, then sent; the owner reads both.
    history = document_history(customer_client, estimate)
    assert [(e["document"], e["status"], e["to"]) for e in history] == [
        ("estimate", "queued", to),
        ("estimate", "sent", to),
    ]
    assert {e["email_id"] for e in history} == {queued["id"]}
    documents = customer_client.get(f"/service-tickets/{estimate.pk}/documents/").json()
    assert documents["count"] == 1
    [sent] = documents["results"]
    assert sent["id"] == queued["id"] and sent["status"] == "sent" and sent["sent_at"]
    assert sent["attempts"] == 1


def test_send_invoice_mails_the_invoice(admin_client, invoice, django_capture_on_commit_callbacks):
    response = send(admin_client, invoice, "invoice", django_capture_on_commit_callbacks)

    assert response.status_code == 202, response.content
    [message] = mail.outbox
    assert f"Invoice {invoice.invoice_number}" in message.subject
    [(filename, content, mimetype)] = message.attachments
    assert mimetype == "application/pdf"
    assert filename == f"invoice-{invoice.invoice_number}.pdf"
    text = pdf_text(content)
    assert f"Invoice {invoice.invoice_number}" in text and invoice.vin in text
    assert str(invoice.total) in text


def test_send_invoice_before_the_invoice_is_a_conflict(
    mechanic_client, estimate, django_capture_on_commit_callbacks
):
    response = send(mechanic_client, estimate, "invoice", django_capture_on_commit_callbacks)

    assert response.status_code == 409
    assert response.json()["code"] == "not_invoiced"
    assert response.json()["status"] == "estimate"
    assert mail.outbox == []
    assert document_history(mechanic_client, estimate) == []
    assert mechanic_client.get(f"/service-tickets/{estimate.pk}/documents/").json()["count"] == 0


def test_a_customer_without_an_email_is_reported(
    mechanic_client, estimate, django_capture_on_commit_callbacks
):
    user = estimate.customer.user
    user.email = ""
    user.save(update_fields=["email"])

    response = send(mechanic_client, estimate, "estimate", django_capture_on_commit_callbacks)

    # Accepted: the send is recorded, as failed, where staff look for it.
    assert response.status_code == 202
    assert response.json()["status"] == "failed"
    assert response.json()["error"] == "no email address"
    assert mail.outbox == []
    history = document_history(mechanic_client, estimate)
    assert [(e["status"], e["error"], e["to"]) for e in history] == [
        ("failed", "no email address", "")
    ]
    [listed] = mechanic_client.get(f"/service-tickets/{estimate.pk}/documents/").json()["results"]
    assert (listed["status"], listed["error"]) == ("failed", "no email address")


def test_a_recipient_the_server_refuses_is_reported(
    mechanic_client, invoice, smtp_server, django_capture_on_commit_callbacks
):
    smtp_server.refuse.add(invoice.customer.user.email)

    response = send(mechanic_client, invoice, "invoice", django_capture_on_commit_callbacks)

    assert response.status_code == 202
    assert smtp_server.messages == []
    [listed] = mechanic_client.get(f"/service-tickets/{invoice.pk}/documents/").json()["results"]
    assert listed["status"] == "failed"
    assert "550" in listed["error"]
    history = document_history(mechanic_client, invoice)
    assert [e["status"] for e in history] == ["queued", "failed"]
    assert "550" in history[-1]["error"]


def test_the_smtp_server_receives_the_pdf(
    mechanic_client, invoice, smtp_server, django_capture_on_commit_callbacks
):
    send(mechanic_client, invoice, "invoice", django_capture_on_commit_callbacks)

    [message] = smtp_server.messages
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == f"invoice-{invoice.invoice_number}.pdf"
    assert f"Invoice {invoice.invoice_number}" in pdf_text(attachment.get_content())


@pytest.mark.parametrize("document", ["estimate", "invoice"])
def test_who_may_send(document, anon, customer_client, invoice):
    url = f"/service-tickets/{invoice.pk}/send-{document}/"
    assert anon.post(url).status_code == 401
    refused = customer_client.post(url)
    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied"
    assert customer_client.get(f"/service-tickets/{invoice.pk}/documents/").json()["count"] == 0


def test_another_customer_sees_no_documents(mechanic_client, estimate):
    mechanic_client.post(f"/service-tickets/{estimate.pk}/send-estimate/")
    stranger = client_for(CustomerFactory().user)
    response = stranger.get(f"/service-tickets/{estimate.pk}/documents/")
    assert response.status_code == 404
    assert mechanic_client.get(f"/service-tickets/{estimate.pk}/documents/").json()["count"] == 1
