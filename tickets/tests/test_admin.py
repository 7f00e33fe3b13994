"""The Django admin: every model listed and searchable; the ticket page edits
its mechanics and part lines inline, taking stock like the API does."""

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client

from inventory.models import Part
from tests.factories import AdminFactory, MechanicFactory, PartFactory
from tickets.models import ServiceTicket

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    client = Client()
    client.force_login(AdminFactory())
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/admin/accounts/user/?q=example&role__exact=customer",
        "/admin/customers/customer/?q=customer",
        "/admin/mechanics/mechanic/?q=mechanic",
        "/admin/inventory/part/?q=PN&stock=low",
        "/admin/tickets/serviceticket/?q=1HG",
        "/admin/tickets/serviceticket/add/",
    ],
)
def test_admin_pages_load(staff, ticket, part, url):
    assert staff.get(url).status_code == 200


def test_admin_requires_staff(client, customer):
    client.force_login(customer.user)
    assert client.get("/admin/tickets/serviceticket/").status_code == 302


# Inlines the tests leave empty still post their management forms.
EMPTY_INLINES = {
    f"{prefix}-{field}": "0"
    for prefix in ("jobs", "labor_lines", "payments", "authorizations", "events")
    for field in ("TOTAL_FORMS", "INITIAL_FORMS")
}


def inline_data(mechanics=(), lines=()):
    data = {
        "assignments-TOTAL_FORMS": str(len(mechanics)),
        "assignments-INITIAL_FORMS": "0",
        "part_lines-TOTAL_FORMS": str(len(lines)),
        "part_lines-INITIAL_FORMS": "0",
        **EMPTY_INLINES,
    }
    for i, mechanic in enumerate(mechanics):
        data[f"assignments-{i}-mechanic"] = str(mechanic.pk)
    for i, (part, quantity) in enumerate(lines):
        data[f"part_lines-{i}-part"] = str(part.pk)
        data[f"part_lines-{i}-quantity"] = str(quantity)
    return data


def test_create_ticket_with_inline_mechanics_and_part_line(staff, customer):
    m1, m2 = MechanicFactory(), MechanicFactory()
    part = PartFactory(quantity_in_stock=10, price="20.00")
    response = staff.post(
        "/admin/tickets/serviceticket/add/",
        {
            "customer": str(customer.pk),
            "vin": "1hgcm82633a004352",
            "service_date": "2026-05-01",
            "service_desc": "Brakes",
            **inline_data([m1, m2], [(part, 3)]),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    ticket = ServiceTicket.objects.get()
    assert ticket.vin == "1HGCM82633A004352"
    assert set(ticket.mechanics.all()) == {m1, m2}
    line = ticket.part_lines.get()
    assert (line.quantity, str(line.unit_price)) == (3, "20.00")
    assert str(ticket.parts_total) == "60.00"
    assert Part.objects.get(pk=part.pk).quantity_in_stock == 7


def test_inline_part_line_beyond_stock_is_a_form_error(staff, customer):
    part = PartFactory(quantity_in_stock=2)
    response = staff.post(
        "/admin/tickets/serviceticket/add/",
        {
            "customer": str(customer.pk),
            "vin": "1HGCM82633A004352",
            "service_date": "2026-05-01",
            "service_desc": "Brakes",
            **inline_data([], [(part, 5)]),
        },
    )
    assert response.status_code == 200
    assert b"Only 2 of" in response.content
    assert not ServiceTicket.objects.exists()
    assert Part.objects.get(pk=part.pk).quantity_in_stock == 2


def test_editing_a_line_quantity_moves_stock(staff, ticket):
    part = PartFactory(quantity_in_stock=10)
    from tickets import services

    line = services.ticket_add_part(ticket=ticket, part=part, quantity=4)
    assignment = ticket.assignments.get()
    data = {
        "customer": str(ticket.customer_id),
        "vin": ticket.vin,
        "service_date": ticket.service_date.isoformat(),
        "service_desc": ticket.service_desc,
        "assignments-TOTAL_FORMS": "1",
        "assignments-INITIAL_FORMS": "1",
        "assignments-0-id": str(assignment.pk),
        "assignments-0-ticket": str(ticket.pk),
        "assignments-0-mechanic": str(assignment.mechanic_id),
        "part_lines-TOTAL_FORMS": "1",
        "part_lines-INITIAL_FORMS": "1",
        "part_lines-0-id": str(line.pk),
        "part_lines-0-ticket": str(ticket.pk),
        "part_lines-0-part": str(part.pk),
        "part_lines-0-quantity": "1",
        **EMPTY_INLINES,
    }
    response = staff.post(f"/admin/tickets/serviceticket/{ticket.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Part.objects.get(pk=part.pk).quantity_in_stock == 9
    data["part_lines-0-DELETE"] = "on"
    response = staff.post(f"/admin/tickets/serviceticket/{ticket.pk}/change/", data)
    assert response.status_code == 302
    assert Part.objects.get(pk=part.pk).quantity_in_stock == 10
    assert not ticket.part_lines.exists()


def test_ticket_page_shows_status_totals_lines_and_history(staff, ticket, mechanic):
    from decimal import Decimal

    from tickets import services

    part = PartFactory(quantity_in_stock=5, price="42.00")
    services.ticket_add_part(ticket=ticket, part=part, quantity=2)
    services.ticket_add_labor(
        ticket=ticket, mechanic=mechanic, description="Brake bleed", hours=Decimal("1.5")
    )
    services.ticket_transition(ticket=ticket, action="approve")
    page = staff.get(f"/admin/tickets/serviceticket/{ticket.pk}/change/").content.decode()
    ticket.refresh_from_db()
    assert "Approved" in page
    assert str(ticket.total) in page and "84.00" in page  # total, parts total
    assert "Brake bleed" in page
    assert "Status changed" in page and "Part added" in page and "Labor added" in page


def test_list_action_moves_the_status_through_the_service(staff, ticket):
    response = staff.post(
        "/admin/tickets/serviceticket/",
        {"action": "ticket_approve", "_selected_action": [str(ticket.pk)]},
        follow=True,
    )
    assert response.status_code == 200
    ticket.refresh_from_db()
    assert ticket.status == "approved"
    assert ticket.events.filter(action="status_changed").exists()
    # A refused step is reported, not a crash.
    response = staff.post(
        "/admin/tickets/serviceticket/",
        {"action": "ticket_invoice", "_selected_action": [str(ticket.pk)]},
        follow=True,
    )
    assert b"Cannot invoice" in response.content
    ticket.refresh_from_db()
    assert ticket.status == "approved"


def test_invoiced_ticket_lines_are_read_only(staff, ticket):
    from tickets import services

    for action in ("approve", "start", "complete", "invoice"):
        services.ticket_transition(ticket=ticket, action=action)
    page = staff.get(f"/admin/tickets/serviceticket/{ticket.pk}/change/").content.decode()
    assert 'name="part_lines-TOTAL_FORMS"' in page
    assert 'name="part_lines-0-part"' not in page  # no empty row to add a line


def test_payment_recorded_inline_on_an_invoiced_ticket(staff, ticket):
    from tickets import services

    services.ticket_add_part(ticket=ticket, part=PartFactory(price="50.00"), quantity=1)
    for action in ("approve", "start", "complete", "invoice"):
        services.ticket_transition(ticket=ticket, action=action)
    ticket.refresh_from_db()
    data = {
        "assignments-TOTAL_FORMS": "1",
        "assignments-INITIAL_FORMS": "1",
        "assignments-0-id": str(ticket.assignments.get().pk),
        "assignments-0-ticket": str(ticket.pk),
        "part_lines-TOTAL_FORMS": "1",
        "part_lines-INITIAL_FORMS": "1",
        "part_lines-0-id": str(ticket.part_lines.get().pk),
        "part_lines-0-ticket": str(ticket.pk),
        **EMPTY_INLINES,
        "payments-TOTAL_FORMS": "1",
        "payments-0-amount": str(ticket.total),
        "payments-0-method": "card",
        "events-TOTAL_FORMS": str(ticket.events.count()),
        "events-INITIAL_FORMS": str(ticket.events.count()),
    }
    for i, event in enumerate(ticket.events.order_by("id")):
        data[f"events-{i}-id"] = str(event.pk)
        data[f"events-{i}-ticket"] = str(ticket.pk)
    response = staff.post(f"/admin/tickets/serviceticket/{ticket.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    ticket.refresh_from_db()
    assert ticket.status == "paid" and ticket.balance_due == 0


def test_history_names_the_inline_lines_saved(staff, customer):
    """The inlines are saved by the services, not formset.save(); the
    object's history still says which lines were added, changed, deleted."""
    kept, dropped = MechanicFactory(), MechanicFactory()
    part = PartFactory(quantity_in_stock=10)
    fields = {
        "customer": str(customer.pk),
        "vin": "1HGCM82633A004352",
        "service_date": "2026-05-01",
        "service_desc": "Brakes",
    }
    response = staff.post(
        "/admin/tickets/serviceticket/add/",
        {**fields, **inline_data([kept, dropped], [(part, 3)])},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    ticket = ServiceTicket.objects.get()
    added = LogEntry.objects.get(object_id=str(ticket.pk)).get_change_message()
    assert added.count("Added ticket mechanic") == 2
    assert "Added ticket part" in added

    line = ticket.part_lines.get()
    kept_row, dropped_row = ticket.assignments.order_by("pk")
    response = staff.post(
        f"/admin/tickets/serviceticket/{ticket.pk}/change/",
        {
            **fields,
            "assignments-TOTAL_FORMS": "2",
            "assignments-INITIAL_FORMS": "2",
            "assignments-0-id": str(kept_row.pk),
            "assignments-0-ticket": str(ticket.pk),
            "assignments-0-mechanic": str(kept.pk),
            "assignments-1-id": str(dropped_row.pk),
            "assignments-1-ticket": str(ticket.pk),
            "assignments-1-mechanic": str(dropped.pk),
            "assignments-1-DELETE": "on",
            "part_lines-TOTAL_FORMS": "1",
            "part_lines-INITIAL_FORMS": "1",
            "part_lines-0-id": str(line.pk),
            "part_lines-0-ticket": str(ticket.pk),
            "part_lines-0-part": str(part.pk),
            "part_lines-0-quantity": "5",
            **EMPTY_INLINES,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(ticket.mechanics.all()) == [kept]
    assert Part.objects.get(pk=part.pk).quantity_in_stock == 5
    changed = LogEntry.objects.filter(object_id=str(ticket.pk)).latest("pk").get_change_message()
    assert f"Deleted ticket mechanic “{dropped.name} on ticket #{ticket.pk}”" in changed
    assert "Changed Quantity for ticket part" in changed


@pytest.mark.parametrize("tickets", [3, 8])
def test_the_ticket_list_reads_the_tickets_alone(staff, tickets):
    """The page's tickets come through their date index, unjoined (joined to
    the customers, MariaDB sorted every ticket: 67 s at a million), their
    customers by primary key in one more query, and the whole table is
    counted once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import ServiceTicketFactory

    made = [ServiceTicketFactory() for _ in range(tickets)]
    with CaptureQueriesContext(connection) as queries:
        response = staff.get("/admin/tickets/serviceticket/?status__exact=estimate")
    assert response.status_code == 200
    for ticket in made:
        assert ticket.customer.name in response.content.decode()
    table = ServiceTicket._meta.db_table
    page = [
        q["sql"] for q in queries.captured_queries if "ORDER BY" in q["sql"] and table in q["sql"]
    ]
    assert len(page) == 1 and "JOIN" not in page[0], page
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"]]
    assert len(counts) == 1, counts  # the filtered count only
    # session, user, the shop's time zone (the admin's clock), count, page,
    # customers, +1
    assert len(queries.captured_queries) <= 7


def test_the_ticket_search_matches_each_field_without_joins(staff):
    """Every word must match the VIN (or a part of it), the customer's name
    or email, the description or the invoice number; the tickets are read
    unjoined (the customers are looked up first)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import CustomerFactory, ServiceTicketFactory

    dana = CustomerFactory(name="Dana Whitfield", user__email="dana@garage.example")
    brakes = ServiceTicketFactory(customer=dana, service_desc="Front brakes squeal")
    clutch = ServiceTicketFactory(service_desc="Clutch slipping", invoice_number=4107)
    other = ServiceTicketFactory(service_desc="Wipers")

    def found(term):
        with CaptureQueriesContext(connection) as queries:
            response = staff.get("/admin/tickets/serviceticket/", {"q": term})
        assert response.status_code == 200
        table = ServiceTicket._meta.db_table
        page = [
            q["sql"]
            for q in queries.captured_queries
            if "ORDER BY" in q["sql"] and table in q["sql"]
        ]
        assert page and all("JOIN" not in sql for sql in page), page
        return {t.pk for t in response.context["cl"].result_list}

    assert found("whitfield") == {brakes.pk}  # name, any case
    assert found("garage.example") == {brakes.pk}  # email
    assert found(brakes.vin[-6:]) == {brakes.pk}  # the end of a VIN
    assert found("4107") == {clutch.pk}  # invoice number
    assert found("slipping") == {clutch.pk}  # description
    assert found("dana squeal") == {brakes.pk}  # every word matches something
    assert found("dana wipers") == set()
    assert other.pk not in found("brakes")


def test_jobs_inline_adds_a_job_and_its_lines_go_to_it(staff, ticket):
    part = PartFactory(quantity_in_stock=10, price="15.00")
    base = {
        "customer": str(ticket.customer_id),
        "vin": ticket.vin,
        "service_date": ticket.service_date.isoformat(),
        "service_desc": ticket.service_desc,
        "assignments-TOTAL_FORMS": "0",
        "assignments-INITIAL_FORMS": "0",
        "part_lines-TOTAL_FORMS": "0",
        "part_lines-INITIAL_FORMS": "0",
        **EMPTY_INLINES,
    }
    page = f"/admin/tickets/serviceticket/{ticket.pk}/change/"
    added = staff.post(page, {**base, "jobs-TOTAL_FORMS": "1", "jobs-0-title": "Brakes"})
    assert added.status_code == 302, added.content.decode()[:3000]
    job = ticket.jobs.get()
    assert (job.title, job.status) == ("Brakes", "pending")
    line = {
        "part_lines-TOTAL_FORMS": "1",
        "part_lines-0-part": str(part.pk),
        "part_lines-0-quantity": "2",
        "part_lines-0-job": str(job.pk),
    }
    response = staff.post(page, {**base, **line})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert [(li.job_id, li.quantity) for li in ticket.part_lines.all()] == [(job.pk, 2)]
    assert str(ServiceTicket.objects.get(pk=ticket.pk).parts_total) == "30.00"
    shown = staff.get(page).content.decode()
    assert "Brakes" in shown and 'name="jobs-TOTAL_FORMS"' in shown
    assert "Authorizations" in shown


def test_recommendations_are_listed_and_searched(staff, ticket):
    from tests.factories import VehicleFactory
    from tickets.models import Recommendation

    car = VehicleFactory(customer=ticket.customer)
    Recommendation.objects.create(vehicle=car, title="Timing belt", amount="320.00")
    Recommendation.objects.create(vehicle=car, title="Wipers", amount="24.00")
    page = staff.get("/admin/tickets/recommendation/?q=timing")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Timing belt" in body and "Wipers" not in body
    assert staff.get("/admin/tickets/authorization/").status_code == 200
