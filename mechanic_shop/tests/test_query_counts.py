"""Lists run a fixed number of SQL queries, whatever the page size (no N+1).

Each list is read with 5 and with 50 items per page over 60 rows; the query
count must be the same, and is pinned so a new join shows up here.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import (
    AdminFactory,
    CustomerFactory,
    MechanicFactory,
    PartFactory,
    PaymentFactory,
    ServiceTicketFactory,
    VehicleFactory,
    make_vin,
)
from tickets.models import Job, ServiceTicket, TicketPart
from timeclock.models import TimeEntry, TimeEntryCorrection
from vehicles.models import Vehicle

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_response_cache(settings):
    settings.RESPONSE_CACHE_ENABLED = False


@pytest.fixture
def shop(customer, mechanic):
    mechanics = [mechanic, *MechanicFactory.create_batch(59)]
    parts = PartFactory.create_batch(60)
    car = VehicleFactory(customer=customer)
    for i in range(60):
        owner = customer if i % 2 else CustomerFactory()
        ticket = ServiceTicketFactory(
            customer=owner,
            vehicle=car if owner == customer else None,
            vin=car.vin if owner == customer else factory_vin(i),
            mechanics=[mechanics[i], mechanics[(i + 1) % 60]],
        )
        # Two jobs a ticket, a line each: the count holds for every level.
        brakes, tyres = (Job.objects.create(ticket=ticket, title=t) for t in ("Brakes", "Tyres"))
        TicketPart.objects.create(
            ticket=ticket, job=brakes, part=parts[i], quantity=1, unit_price=parts[i].price
        )
        TicketPart.objects.create(
            ticket=ticket, job=tyres, part=parts[(i + 7) % 60], quantity=2, unit_price="3.00"
        )
    return customer


def factory_vin(i: int) -> str:
    return make_vin(900_000 + i)


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries), response.json()


# (url, client fixture, queries on the first read, on the next): 1 for the
# JWT's user, 1 COUNT, 1 page, then one per prefetched relation. Ticket
# lists count once per change of which tickets they hold (a cached count,
# see mechanic_shop.api.counts): the next read, here with another page
# size, runs no COUNT. A ticket page is the tickets, then their customers,
# their vehicles and those vehicles' open recommendations, mechanics, jobs,
# the jobs' part lines and labor lines (one query each,
# tickets.selectors.ticket_list): 10 then 9. A cursor page has no count: 9.
LISTS = [
    ("/customers/", "admin_client", 3, 3),
    ("/mechanics/", "admin_client", 3, 3),
    ("/mechanics/popular/", "admin_client", 3, 3),
    ("/inventory/", "anon", 2, 2),
    ("/service-tickets/", "admin_client", 10, 9),
    ("/service-tickets/", "customer_client", 10, 9),
    ("/customers/my-tickets/", "customer_client", 10, 9),
    ("/service-tickets/?status=estimate", "admin_client", 10, 9),
    ("/service-tickets/?status=estimate", "customer_client", 10, 9),
    ("/service-tickets/?cursor=", "admin_client", 9, 9),
    ("/customers/my-tickets/?cursor=", "customer_client", 9, 9),
    # The vehicle, then its tickets as any page of them (counted each time).
    ("/vehicles/{vehicle}/history/", "admin_client", 11, 11),
]


@pytest.mark.parametrize("url, who, first, then", LISTS)
def test_list_query_count_is_constant(request, shop, url, who, first, then):
    client = request.getfixturevalue(who)
    url = url.format(vehicle=Vehicle.objects.get(customer=shop).pk)
    sep = "&" if "?" in url else "?"
    small, small_body = count_queries(client, f"{url}{sep}page_size=5")
    large, large_body = count_queries(client, f"{url}{sep}page_size=50")
    assert len(small_body["results"]) == 5
    assert len(large_body["results"]) >= 30
    assert (small, large) == (first, then)


def test_ticket_detail_query_count(admin_client, shop):
    # A ticket with a vehicle (the fixture's others have none, and skip its
    # queries), whichever the factories' sequences put first in the list.
    ticket_id = ServiceTicket.objects.filter(vehicle__isnull=False).values_list("pk", flat=True)[0]
    queries, body = count_queries(admin_client, f"/service-tickets/{ticket_id}/")
    assert len(body["parts"]) == 2 and len(body["mechanics"]) == 2
    # The JWT's user, the ticket, then its customer, vehicle, the vehicle's
    # open recommendations, mechanics, jobs, part lines and labor lines.
    assert queries == 9


def _statements(ctx) -> list[str]:
    """The SQL run, without transaction control (BEGIN, COMMIT, savepoints:
    their number depends on whether the test itself runs in a transaction)."""
    control = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")
    return [q["sql"] for q in ctx.captured_queries if not q["sql"].startswith(control)]


def test_add_part_query_count(mechanic_client, ticket, part):
    """The main write path, 19 statements: the JWT's user; the view finds
    the ticket and the part (404s); the service locks the ticket, finds its
    "General" job, locks the part, reads the line, writes it, takes the
    stock (a guarded UPDATE) and reads whether that take crossed the part's
    reorder level (the part.low_stock event), records the history event, sums the lines and
    writes the money columns; the answer reads the ticket back as the detail
    does (6: the ticket has no vehicle). The first line of a ticket also creates the job: its position,
    the job and its history event, 3 more."""
    url = f"/service-tickets/{ticket.pk}/add-part/{part.pk}/"
    # A new job and line, the same line raised, and again.
    for quantity, statements in ((1, 22), (2, 19), (1, 19)):
        with CaptureQueriesContext(connection) as ctx:
            response = mechanic_client.post(url, {"quantity": quantity})
        assert response.status_code == 200, response.content
        assert len(_statements(ctx)) == statements, _statements(ctx)
    assert response.json()["parts"][0]["quantity"] == 4


@pytest.fixture
def clocked(mechanic):
    """60 closed time entries over 60 tickets, 30 of them the mechanic's,
    each with a correction."""
    others = MechanicFactory.create_batch(2)
    start = timezone.now() - datetime.timedelta(days=10)
    for i in range(60):
        ticket = ServiceTicketFactory()
        job = Job.objects.create(ticket=ticket, title="Brakes")
        entry = TimeEntry.objects.create(
            mechanic=mechanic if i % 2 else others[i % 4 // 2],
            ticket=ticket,
            job=job,
            started_at=start + datetime.timedelta(hours=2 * i),
            ended_at=start + datetime.timedelta(hours=2 * i + 1),
        )
        TimeEntryCorrection.objects.create(entry=entry, before={}, after={})
    return mechanic


# 1 for the JWT's user, 1 COUNT, 1 page, 1 for the corrections of the page
# (with who made them); the report: the user, the entries of the range, the
# billed labor grouped by mechanic, the mechanics.
CLOCK_LISTS = [
    ("/time-entries/", "admin_client", 4),
    ("/time-entries/", "mechanic_client", 4),
    ("/time-entries/?from=2020-01-01&mechanic={mechanic}", "admin_client", 4),
    ("/reports/productivity/", "admin_client", 4),
]


@pytest.mark.parametrize("url, who, queries", CLOCK_LISTS)
def test_time_clock_query_counts(request, clocked, url, who, queries):
    client = request.getfixturevalue(who)
    url = url.format(mechanic=clocked.pk)
    sep = "&" if "?" in url else "?"
    small, small_body = count_queries(client, f"{url}{sep}page_size=2")
    large, large_body = count_queries(client, f"{url}{sep}page_size=50")
    assert len(small_body["results"]) == 2
    assert len(large_body["results"]) >= 3
    assert (small, large) == (queries, queries)


def test_documents_list_query_count(mechanic_client, customer_client, ticket):
    """``…/documents/``: the JWT's user, the ticket (its scope), 1 COUNT, 1
    page of emails, whatever the page's size."""
    from mail.services import email_queue

    for n in range(12):
        email_queue(
            to=f"c{n}@example.com", subject="Estimate", body="", kind="estimate", ticket=ticket
        )
    for client in (mechanic_client, customer_client):
        url = f"/service-tickets/{ticket.pk}/documents/"
        small, small_body = count_queries(client, f"{url}?page_size=2")
        large, large_body = count_queries(client, f"{url}?page_size=50")
        assert (len(small_body["results"]), len(large_body["results"])) == (2, 12)
        assert (small, large) == (4, 4)


@pytest.mark.parametrize("query", ["", "&ordering=updated_at&cursor="])
def test_payments_list_query_count(admin_client, settings, query):
    # The JWT's user, the COUNT (none by cursor), the page with who received
    # each payment.
    settings.SYNC_SETTLE_SECONDS = 0
    PaymentFactory.create_batch(40, received_by=AdminFactory())
    small, small_body = count_queries(admin_client, f"/payments/?page_size=5{query}")
    large, large_body = count_queries(admin_client, f"/payments/?page_size=50{query}")
    assert (len(small_body["results"]), len(large_body["results"])) == (5, 40)
    assert (small, large) == ((2, 2) if query else (3, 3))


@pytest.fixture
def booked(customer):
    """60 appointments, half of them the customer's."""
    from appointments.models import Appointment

    cars = [VehicleFactory(customer=customer), VehicleFactory()]
    start = timezone.now() + datetime.timedelta(days=7)
    Appointment.objects.bulk_create(
        Appointment(
            customer=cars[i % 2].customer,
            vehicle=cars[i % 2],
            concern="Brakes",
            starts_at=start + datetime.timedelta(hours=i),
            ends_at=start + datetime.timedelta(hours=i, minutes=45),
        )
        for i in range(60)
    )
    return customer


# The JWT's user, the COUNT, the page: the representation is the row's own
# columns, ids included, so no join and no prefetch. A date filter reads the
# shop's time zone first (its settings row): one more.
APPOINTMENT_LISTS = [
    ("/appointments/", "admin_client", 3),
    ("/appointments/", "customer_client", 3),
    ("/appointments/?status=booked", "mechanic_client", 3),
    ("/appointments/?date_after=2020-01-01&date_before=2099-12-31", "mechanic_client", 4),
]


@pytest.mark.parametrize("url, who, queries", APPOINTMENT_LISTS)
def test_appointment_list_query_count(request, booked, url, who, queries):
    client = request.getfixturevalue(who)
    sep = "&" if "?" in url else "?"
    small, small_body = count_queries(client, f"{url}{sep}page_size=5")
    large, large_body = count_queries(client, f"{url}{sep}page_size=50")
    assert len(small_body["results"]) == 5
    assert len(large_body["results"]) >= 30
    assert (small, large) == (queries, queries)
