"""Mechanic.ticket_count, which the popular ranking reads, equals the number
of the mechanic's assignments after every kind of write: the API (create,
update, assign, remove, edit, labor), the admin (inline add, change and
delete, ticket delete), the ticket delete service, the shell, seed_demo."""

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.test import Client

from mechanics.models import Mechanic
from tests.factories import AdminFactory, MechanicFactory, ServiceTicketFactory
from tickets import services
from tickets.models import ServiceTicket, TicketMechanic
from tickets.services import mechanic_ticket_counts_rebuild

pytestmark = pytest.mark.django_db


def assert_counts_match():
    counted = dict(Mechanic.objects.annotate(n=Count("assignments")).values_list("pk", "n"))
    kept = dict(Mechanic.objects.values_list("pk", "ticket_count"))
    assert kept == counted


@pytest.fixture
def crew():
    return MechanicFactory.create_batch(3)


def test_api_writes_keep_the_count(admin_client, customer, crew):
    m1, m2, m3 = crew
    created = admin_client.post(
        "/service-tickets/",
        {
            "customer_id": customer.pk,
            "vin": "1HGCM82633A004352",
            "service_date": "2026-03-14",
            "service_desc": "Brakes",
            "mechanic_ids": [m2.pk, m1.pk],
        },
    )
    assert created.status_code == 201, created.content
    ticket_id = created.json()["id"]
    assert_counts_match()
    assert Mechanic.objects.get(pk=m1.pk).ticket_count == 1
    for method, url, body in [
        (admin_client.put, f"/service-tickets/{ticket_id}/assign-mechanic/{m3.pk}/", None),
        (admin_client.put, f"/service-tickets/{ticket_id}/assign-mechanic/{m3.pk}/", None),
        (admin_client.put, f"/service-tickets/{ticket_id}/remove-mechanic/{m1.pk}/", None),
        (
            admin_client.put,
            f"/service-tickets/{ticket_id}/edit/",
            {"add_ids": [m1.pk], "remove_ids": [m2.pk]},
        ),
        (admin_client.patch, f"/service-tickets/{ticket_id}/", {"mechanic_ids": [m2.pk]}),
    ]:
        assert method(url, body).status_code == 200
        assert_counts_match()
    labor = admin_client.post(
        f"/service-tickets/{ticket_id}/labor/",
        {"description": "Pads", "hours": "1.0", "mechanic_id": m3.pk},
    )
    assert labor.status_code == 201
    assert_counts_match()
    assert admin_client.delete(f"/service-tickets/{ticket_id}/").status_code == 204
    assert_counts_match()
    assert set(Mechanic.objects.values_list("ticket_count", flat=True)) == {0}


def test_popular_ranks_by_the_kept_count(admin_client, customer, crew):
    m1, m2, m3 = crew
    for mechanics in ([m2], [m2, m3], [m2, m3, m1], [m3]):
        ServiceTicketFactory(customer=customer, mechanics=mechanics)
    body = admin_client.get("/mechanics/popular/").json()
    ranked = [(m["id"], m["ticket_count"]) for m in body["results"]]
    tied = sorted([m2, m3], key=lambda m: (m.name, m.pk))  # ties by name
    assert ranked == [(tied[0].pk, 3), (tied[1].pk, 3), (m1.pk, 1)]
    assert_counts_match()


def test_admin_inlines_and_delete_keep_the_count(customer, crew):
    m1, m2, _ = crew
    staff = Client()
    staff.force_login(AdminFactory())
    ticket = ServiceTicketFactory(customer=customer, mechanics=[m1])
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
        "assignments-0-mechanic": str(m2.pk),  # changed: m1 -> m2
        **{
            f"{prefix}-{field}": "0"
            for prefix in (
                "jobs",
                "part_lines",
                "labor_lines",
                "payments",
                "authorizations",
                "events",
            )
            for field in ("TOTAL_FORMS", "INITIAL_FORMS")
        },
    }
    url = f"/admin/tickets/serviceticket/{ticket.pk}/change/"
    assert staff.post(url, data).status_code == 302
    assert_counts_match()
    assert set(ticket.assignments.values_list("mechanic_id", flat=True)) == {m2.pk}
    # A ticket without history (the admin keeps history rows) deleted there.
    quiet = ServiceTicketFactory(customer=customer, mechanics=[m1, m2])
    assert_counts_match()
    delete = staff.post(f"/admin/tickets/serviceticket/{quiet.pk}/delete/", {"post": "yes"})
    assert delete.status_code == 302
    assert not ServiceTicket.objects.filter(pk=quiet.pk).exists()
    assert_counts_match()


def test_shell_writes_and_the_delete_service_keep_the_count(customer, crew):
    m1, m2, m3 = crew
    ticket = ServiceTicketFactory(customer=customer, mechanics=[m1, m2])
    assignment = TicketMechanic.objects.get(ticket=ticket, mechanic=m1)
    assignment.mechanic = m3  # moved in the shell
    assignment.save()
    assert_counts_match()
    TicketMechanic.objects.filter(ticket=ticket, mechanic=m2).delete()
    assert_counts_match()
    ServiceTicket.objects.filter(pk=ticket.pk).delete()  # cascade
    assert_counts_match()
    other = ServiceTicketFactory(customer=customer, mechanics=[m1, m3])
    services.ticket_delete(ticket=other)
    assert_counts_match()


def test_seed_demo_bulk_inserts_keep_the_count():
    call_command("seed_demo", "--quiet-logins", "--tickets=120", "--mechanics=3", verbosity=0)
    assert Mechanic.objects.filter(ticket_count__gt=0).exists()
    assert_counts_match()
    call_command("seed_demo", "--quiet-logins", "--tickets=200", "--mechanics=3", verbosity=0)
    assert_counts_match()


def test_rebuild_repairs_a_count(crew, customer):
    ServiceTicketFactory(customer=customer, mechanics=crew[:2])
    Mechanic.objects.update(ticket_count=7)
    assert mechanic_ticket_counts_rebuild() == 3
    assert_counts_match()
