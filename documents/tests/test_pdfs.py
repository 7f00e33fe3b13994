"""GET /service-tickets/{id}/estimate.pdf and …/invoice.pdf, read back."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import client_for
from tests.factories import CustomerFactory

from .conftest import SHOP_NAME, pdf_pages, pdf_text, printed_ticket

pytestmark = pytest.mark.django_db


def get_pdf(client, ticket, document):
    response = client.get(f"/service-tickets/{ticket.pk}/{document}.pdf")
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    return response


def test_the_estimate_prints_the_ticket(customer_client, estimate):
    response = get_pdf(customer_client, estimate, "estimate")

    assert response["Content-Disposition"] == f'inline; filename="estimate-{estimate.pk}.pdf"'
    text = pdf_text(response.content)
    ticket = customer_client.get(f"/service-tickets/{estimate.pk}/").json()
    for expected in (
        SHOP_NAME,
        "12 Harbor Street",
        "555-0142",
        f"Estimate #{estimate.pk}",
        estimate.customer.name,
        estimate.customer.user.email,
        ticket["vin"],
        "2019 Honda Civic",
        "7ABC123",
        "48210",
        ticket["service_date"],
        "Front brakes",
        "Oil change",
        "Front brakes part 1",
        "Front brakes labor",
        "Recommended, declined",
        "Wiper blades",
        "Declined: Next visit",
        "Page 1 of 1",
    ):
        assert expected in text, expected
    # The money as the API answers it.
    for field in ("parts_total", "labor_total", "parts_tax", "labor_tax", "total"):
        assert ticket[field] in text, field
    for job in ticket["jobs"]:
        assert job["title"] in text and job["subtotal"] in text
    # The declined job's lines are printed, outside the totals.
    wipers = next(job for job in ticket["jobs"] if job["title"] == "Wiper blades")
    assert wipers["status"] == "declined" and wipers["subtotal"] == "18.00"
    assert "Total" in text.split("Recommended, declined")[1]


def test_the_invoice_adds_its_number_payments_and_balance(customer_client, invoice):
    response = get_pdf(customer_client, invoice, "invoice")

    assert response["Content-Disposition"] == (
        f'inline; filename="invoice-{invoice.invoice_number}.pdf"'
    )
    text = pdf_text(response.content)
    ticket = customer_client.get(f"/service-tickets/{invoice.pk}/").json()
    assert f"Invoice {ticket['invoice_number']}" in text
    assert f"Invoice date {ticket['invoiced_at'][:10]}" in text
    assert ticket["vin"] in text
    for field in ("total", "amount_paid", "balance_due"):
        assert ticket[field] in text, field
    assert ticket["amount_paid"] == "20.00"
    assert "Card" in text and "AUTH-778" in text
    assert "Balance due" in text
    assert "Front brakes" in text and "Oil change" in text


def test_a_discount_prints_as_the_api_computes_it(mechanic_client, estimate):
    response = mechanic_client.patch(
        f"/service-tickets/{estimate.pk}/",
        {"discount_type": "percent", "discount_value": "10"},
        format="json",
    )
    assert response.status_code == 200
    ticket = response.json()
    text = pdf_text(get_pdf(mechanic_client, estimate, "estimate").content)
    assert f"Discount (10.00%) -{ticket['discount']}" in text
    assert ticket["total"] in text


def test_the_invoice_waits_for_the_invoice(customer_client, estimate):
    response = customer_client.get(f"/service-tickets/{estimate.pk}/invoice.pdf")

    assert response.status_code == 409
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == "not_invoiced"
    assert body["status"] == "estimate"
    assert "estimate" in body["detail"]


@pytest.mark.parametrize("document", ["estimate", "invoice"])
def test_who_may_fetch_the_pdfs(document, anon, invoice, mechanic, admin_user):
    url = f"/service-tickets/{invoice.pk}/{document}.pdf"
    stranger = CustomerFactory()

    assert anon.get(url).status_code == 401
    refused = client_for(stranger.user).get(url)
    assert refused.status_code == 404
    assert refused["Content-Type"].startswith("application/json")
    assert refused.json()["code"] == "not_found"
    for user in (invoice.customer.user, mechanic.user, admin_user):
        assert client_for(user).get(url).status_code == 200
    assert client_for(admin_user).get(f"/service-tickets/999999/{document}.pdf").status_code == 404
    # A file name ends the path.
    assert client_for(admin_user).get(f"{url}/").status_code == 404


def test_the_admin_session_opens_the_pdf(client, admin_user, invoice):
    client.force_login(admin_user)
    response = client.get(f"/service-tickets/{invoice.pk}/invoice.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


def test_the_pdf_answers_whatever_the_client_accepts(customer_client, estimate):
    response = customer_client.get(
        f"/service-tickets/{estimate.pk}/estimate.pdf", HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


def test_a_long_ticket_runs_onto_pages_with_numbers_and_the_column_heads(
    mechanic_client, customer, mechanic
):
    # Six jobs of nine part lines and a labor line: 60 lines.
    jobs = [f"Job {n}" for n in range(1, 7)]
    ticket = printed_ticket(customer, mechanic, jobs=jobs, lines=9)

    pages = pdf_pages(get_pdf(mechanic_client, ticket, "estimate").content)

    assert len(pages) > 1
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
    # The work table's column heads start every page it runs onto, and the
    # running header names the document.
    work_pages = [text for text in pages if "Job 6 part" in text or "Job 1 part" in text]
    assert len(work_pages) > 1
    for text in pages[1:]:
        assert f"Estimate #{ticket.pk}" in text
    for text in work_pages:  # printed in capitals
        assert "DESCRIPTION" in text and "QTY / HOURS" in text
    text = "\n".join(pages)
    for job in jobs:
        assert job in text
    assert "Job 6 part 9" in text and "Job 6 labor" in text


@pytest.mark.parametrize("name", ["Zoë Łukasiewicz", "佐藤", "Ahmed عبد الله"])
def test_a_name_in_any_script_prints(name, mechanic):
    customer = CustomerFactory(name=name)
    ticket = printed_ticket(customer, mechanic, jobs=(f"Brakes for {name}",))

    text = pdf_text(get_pdf(client_for(customer.user), ticket, "estimate").content)

    if "عبد" in name:
        # Arabic is laid out right to left and shaped: the text layer may
        # hold a word in visual order. Each word is there, mapped back from
        # the shaped glyphs of a font that has them.
        for word in name.split():
            assert word in text or word[::-1] in text, word
    else:
        assert name in text


def test_rendering_costs_the_same_queries_whatever_the_lines(
    mechanic_client, customer, mechanic, other_customer
):
    small = printed_ticket(customer, mechanic, jobs=("One",), lines=1)
    large = printed_ticket(other_customer, mechanic, jobs=[f"Job {n}" for n in range(8)], lines=5)
    counts = []
    for ticket in (small, large):
        with CaptureQueriesContext(connection) as ctx:
            get_pdf(mechanic_client, ticket, "estimate")
        counts.append(len(ctx.captured_queries))
    # The JWT's user, the shop's settings, the ticket with its customer, user
    # and vehicle, then its mechanics, the vehicle's open recommendations,
    # jobs, part lines (with parts), labor lines and payments.
    assert counts == [9, 9]


def test_an_invoice_reprinted_is_the_same_invoice(admin_client, invoice):
    first = pdf_text(get_pdf(admin_client, invoice, "invoice").content)
    again = pdf_text(get_pdf(admin_client, invoice, "invoice").content)
    strip = [line for line in first.splitlines() if not line.startswith("Printed")]
    assert strip == [line for line in again.splitlines() if not line.startswith("Printed")]
