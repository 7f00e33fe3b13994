"""The ticket's admin page opens its estimate and invoice."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_ticket_page_links_the_pdfs(client, admin_user, estimate):
    client.force_login(admin_user)
    page = client.get(f"/admin/tickets/serviceticket/{estimate.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'href="/service-tickets/{estimate.pk}/estimate.pdf"' in html
    assert "invoice.pdf" not in html  # not invoiced yet

    pdf = client.get(f"/service-tickets/{estimate.pk}/estimate.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_an_invoiced_ticket_page_links_its_invoice(client, admin_user, invoice):
    client.force_login(admin_user)
    html = client.get(f"/admin/tickets/serviceticket/{invoice.pk}/change/").content.decode()
    assert f'href="/service-tickets/{invoice.pk}/invoice.pdf"' in html
    pdf = client.get(f"/service-tickets/{invoice.pk}/invoice.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
