"""The authorization matrix: every endpoint x every method x every kind of
caller, against objects owned by customer A, with the expected status
written down (OWASP API1 object level, API5 function level).

The callers: anonymous, customer A (owns the ticket), customer B (owns
another ticket), a mechanic (assigned to A's ticket), an admin.

Beyond the status, every case checks:
* a refusal (4xx) answers the documented JSON error and changes nothing in
  the database;
* a read (GET) changes nothing;
* an accepted write changes something, and only then.

A new endpoint is a new row; a path of main that no row covers fails
``test_every_route_is_in_the_matrix``.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import string
from decimal import Decimal

import pytest
from django.urls import get_resolver
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from appointments import services as appointment_services
from approvals import services as approval_services
from approvals.tokens import link_token
from conftest import client_for
from events.models import Event
from shop.selectors import shop_settings
from tests.database_state import snapshot
from tests.factories import (
    PASSWORD,
    AdminFactory,
    CannedJobFactory,
    CustomerFactory,
    MechanicFactory,
    PartFactory,
    ServiceTicketFactory,
    VehicleFactory,
)
from tickets import services as ticket_services
from tickets.models import Recommendation
from timeclock import services as timeclock_services
from webhooks import services as webhook_services

pytestmark = pytest.mark.django_db

CALLERS = ("anonymous", "customer_a", "customer_b", "mechanic", "admin")
METHODS = ("get", "post", "put", "patch", "delete")


def ticket_at(status: str, *, customer, mechanic, part):
    """One of ``customer``'s tickets, moved through its lifecycle to ``status``."""
    ticket = ServiceTicketFactory(customer=customer, mechanics=[mechanic])
    ticket_services.ticket_add_part(ticket=ticket, part=part, quantity=1)
    for action in ("approve", "start", "complete", "invoice"):
        if ticket.status == status:
            break
        ticket = ticket_services.ticket_transition(ticket=ticket, action=action)
    assert ticket.status == status
    return ticket


class World:
    """Customer A's objects and everyone else. The tickets further along the
    lifecycle and the spare vehicle are made when a case names them (each
    costs a dozen writes, and few rows need them)."""

    def __init__(self):
        self.customer_a = CustomerFactory(name="Alice A")
        self.customer_b = CustomerFactory(name="Bob B")
        self.mechanic = MechanicFactory(name="Mo Mechanic")
        self.spare_mechanic = MechanicFactory(name="Sam Spare")  # worked nothing
        self.admin = AdminFactory()
        self.part = PartFactory(quantity_in_stock=20, price="12.50")
        self.spare_part = PartFactory()  # on no ticket
        self.vehicle = VehicleFactory(customer=self.customer_a)
        # A's estimate: the mechanic, 2 of the part, a labor line.
        self.ticket = ServiceTicketFactory(
            customer=self.customer_a, vehicle=self.vehicle, mechanics=[self.mechanic]
        )
        ticket_services.ticket_add_part(ticket=self.ticket, part=self.part, quantity=2)
        self.labor = ticket_services.ticket_add_labor(
            ticket=self.ticket, mechanic=self.mechanic, description="Bleed", hours=Decimal("1.5")
        )
        self.ticket_b = ServiceTicketFactory(customer=self.customer_b)

    def _at(self, status):
        return ticket_at(status, customer=self.customer_a, mechanic=self.mechanic, part=self.part)

    @functools.cached_property
    def approved(self):
        return self._at("approved")

    @functools.cached_property
    def in_progress(self):
        return self._at("in_progress")

    @functools.cached_property
    def completed(self):
        return self._at("completed")

    @functools.cached_property
    def invoiced(self):
        return self._at("invoiced")

    @functools.cached_property
    def spare_vehicle(self):  # A's, never serviced
        return VehicleFactory(customer=self.customer_a)

    @functools.cached_property
    def job(self):  # the "General" job that A's lines went to
        return self.ticket.jobs.get()

    @functools.cached_property
    def recommendation(self):  # declined work on A's vehicle, no lines
        return Recommendation.objects.create(
            vehicle=self.vehicle, title="Wiper blades", amount=Decimal("24.00")
        )

    @functools.cached_property
    def canned_job(self):  # a labor line and 1 of the part
        return CannedJobFactory(
            name="Front brake pads",
            labor=[{"description": "Replace pads", "hours": Decimal("1.20")}],
            parts=[{"part": self.part, "quantity": 1}],
        )

    @functools.cached_property
    def approval_token(self):  # of a link to A's ticket's approval page
        issued = approval_services.approval_link_create(
            by=self.mechanic.user, ticket=self.ticket, site_url="http://testserver/"
        )
        return link_token(issued.link)

    @functools.cached_property
    def in_progress_job(self):  # approved: the mechanic may clock onto it
        return self.in_progress.jobs.get()

    @functools.cached_property
    def time_entry(self):  # the mechanic's, still open
        return timeclock_services.time_entry_clock_in(
            by=self.mechanic.user,
            ticket=self.in_progress,
            job=self.in_progress_job,
            mechanic=self.mechanic,
        )

    @functools.cached_property
    def webhook_endpoint(self):
        return webhook_services.endpoint_create(url="http://127.0.0.1:9/hooks", event_types=["*"])

    @functools.cached_property
    def event(self):  # dispatched; a redelivery goes to the endpoint
        self.webhook_endpoint  # noqa: B018 - subscribed to every event
        return Event.objects.create(
            type="customer.created",
            resource_type="customer",
            resource_id=str(self.customer_a.pk),
            data={"id": self.customer_a.pk},
            dispatched_at=timezone.now(),
        )

    def _appointment(self, hour: int):  # A's, at ``hour`` in the shop's zone
        return appointment_services.appointment_book(
            customer=self.customer_a,
            vehicle=self.vehicle,
            concern="Brakes squeal",
            starts_at=appointment_day(hour),
        )

    @functools.cached_property
    def appointment(self):  # booked
        return self._appointment(9)

    @functools.cached_property
    def appointment_cancelled(self):
        return appointment_services.appointment_transition(
            appointment=self._appointment(11), action="cancel"
        )

    NAMES = {"a": "customer_a", "b": "customer_b"}

    def path(self, template: str) -> str:
        """``template`` with the ids of the objects it names (a token as it is)."""
        names = [name for _, name, _, _ in string.Formatter().parse(template) if name]
        values = {n: getattr(self, self.NAMES.get(n, n)) for n in names}
        return template.format(**{n: getattr(v, "pk", v) for n, v in values.items()})

    def client(self, caller: str) -> APIClient:
        user = {
            "anonymous": None,
            "customer_a": self.customer_a.user,
            "customer_b": self.customer_b.user,
            "mechanic": self.mechanic.user,
            "admin": self.admin,
        }[caller]
        return client_for(user)


@pytest.fixture
def world():
    return World()


# ---------------------------------------------------------------- bodies


def login_a(world):
    return {"email": world.customer_a.user.email, "password": PASSWORD}


def login_mechanic(world):
    return {"email": world.mechanic.user.email, "password": PASSWORD}


def refresh_a(world):
    return {"refresh": str(RefreshToken.for_user(world.customer_a.user))}


def new_customer(world):
    return {
        "name": "Nina New",
        "email": "nina@example.com",
        "phone": "555-0199",
        "password": "a-long-new-password-1",
    }


def customer_replacement(world):
    return {
        "name": "Alice Renamed",
        "email": "alice@example.com",
        "phone": "555-0111",
        "current_password": PASSWORD,  # customer a proves its login; others ignore it
    }


def rename(world):
    return {"name": "Renamed"}


def new_mechanic(world):
    return {
        "name": "Hana Hired",
        "email": "hana@example.com",
        "phone": "555-0222",
        "salary": "48000.00",
        "password": "a-long-new-password-2",
    }


def mechanic_replacement(world):
    return {"name": "Mo Renamed", "email": "mo@example.com", "phone": "555-0223", "salary": "1.00"}


def new_part(world):
    return {"name": "Fuse", "part_number": "F-1", "price": "1.00", "quantity_in_stock": 3}


def part_replacement(world):
    return {"name": "Fuse", "part_number": "F-2", "price": "2.00", "quantity_in_stock": 4}


def new_ticket(world):
    return {
        "customer_id": world.customer_a.pk,
        "vin": "1HGCM82633A004352",
        "service_date": "2026-03-14",
        "service_desc": "Brakes",
    }


def ticket_replacement(world):
    return {**new_ticket(world), "service_desc": "Brakes and tyres"}


def redescribe(world):
    return {"service_desc": "Rattle from the rear axle"}


def edit_mechanics(world):
    return {"add_ids": [world.spare_mechanic.pk], "remove_ids": [world.mechanic.pk]}


def decline_reason(world):
    return {"reason": "Too expensive"}


def labor_line(world):
    return {"description": "Replace pads", "hours": "2.00", "mechanic_id": world.mechanic.pk}


def new_job(world):
    return {"title": "Timing belt"}


def retitle(world):
    return {"title": "Brakes, front"}


def approve_the_job(world):
    return {"approved_job_ids": [world.job.pk]}


def revive_onto_the_ticket(world):
    return {"service_ticket_id": world.ticket.pk}


def dismissal(world):
    return {"reason": "Sold the car"}


def decide_on_the_job(world):  # the approval page's form
    return {f"job_{world.job.pk}": "approve", "signed_name": "Alice A"}


def new_webhook_endpoint(world):
    return {"url": "http://127.0.0.1:9/hooks", "event_types": ["ticket.created"]}


def describe(world):
    return {"description": "The CRM"}


def fewer_hours(world):
    return {"hours": "0.50"}


def clock_in_the_mechanic(world):
    return {"mechanic_id": world.mechanic.pk}


def a_later_start(world):  # by a microsecond: still after the ticket was opened, not future
    return {
        "started_at": (world.time_entry.started_at + datetime.timedelta(microseconds=1)).isoformat()
    }


def payment(world):
    return {"amount": "1.00", "method": "card"}


def more_bays(world):
    return {"bays": 99}


def vehicle_of_a(world):
    return {"customer_id": world.customer_a.pk, "vin": "JH4KA7561PC008269", "make": "Honda"}


def vehicle_replacement(world):
    return {"vin": world.vehicle.vin, "make": "Toyota", "model": "Yaris", "mileage": 60_000}


def new_plate(world):
    return {"license_plate": "NEW 123"}


def new_canned_job(world):
    return {
        "name": "Oil change 5W-30",
        "labor": [{"description": "Drain and fill", "hours": "0.50"}],
        "parts": [{"part_id": world.part.pk, "quantity": 1}],
    }


def canned_job_replacement(world):
    return {**new_canned_job(world), "name": "Oil change 0W-20"}


def appointment_day(hour: int) -> datetime.datetime:
    """``hour`` o'clock on a Monday two weeks ahead, in the shop's time zone
    (America/Chicago, open then): bookable by a customer too."""
    shop = shop_settings()
    today = timezone.now().astimezone(shop.zone()).date()
    day = today + datetime.timedelta(days=14 - today.weekday())
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=shop.zone())


def new_appointment(world):  # for A, at 10:00
    return {
        "customer_id": world.customer_a.pk,
        "vehicle_id": world.vehicle.pk,
        "concern": "Oil change",
        "starts_at": appointment_day(10).isoformat(),
    }


def reconcern(world):
    return {"concern": "Oil change and wipers"}


# ---------------------------------------------------------------- the matrix


@dataclasses.dataclass(frozen=True)
class Row:
    method: str
    path: str
    expected: tuple[int, int, int, int, int]  # in the order of CALLERS
    body: object = None
    # Accepted, yet nothing stored changes (logins and tokens live elsewhere).
    stateless: bool = False
    # A page for people, not the API: a form posted, HTML answers.
    page: bool = False


def row(method, path, anonymous, customer_a, customer_b, mechanic, admin, body=None, **kw):
    return Row(method, path, (anonymous, customer_a, customer_b, mechanic, admin), body, **kw)


def other_methods(path: str, allowed: set[str], *expected: int) -> list[Row]:
    """The methods a path does not have: refused by the first check that
    fails (authentication, then role), else 405."""
    return [row(m, path, *expected) for m in METHODS if m not in allowed]


def token_door(path: str, body, expected: int, *, stateless=True) -> list[Row]:
    """A login or token endpoint: no authentication needed, the body is the
    credential, so every caller gets the same answer."""
    return [
        row("post", path, *([expected] * 5), body=body, stateless=stateless),
        *other_methods(path, {"post"}, 405, 405, 405, 405, 405),
    ]


def link_page(path: str, body) -> list[Row]:
    """A page opened by a link's token: no login, the token is the
    credential, so every caller gets the same answer."""
    return [
        row("get", path, *([200] * 5), page=True),
        row("post", path, *([200] * 5), body=body, page=True),
        *[row(m, path, *([405] * 5), page=True) for m in METHODS if m not in {"get", "post"}],
    ]


# What an unsupported method gets, by who may use the path at all.
LOGGED_IN = (401, 405, 405, 405, 405)
STAFF = (401, 403, 403, 405, 405)
ADMINS = (401, 403, 403, 403, 405)

MATRIX: list[Row] = [
    # -- logins and tokens
    *token_door("/auth/login/", login_a, 200),
    *token_door("/customers/login/", login_a, 200),
    *token_door("/mechanics/login/", login_mechanic, 200),
    *token_door("/auth/token/refresh/", refresh_a, 200),
    *token_door("/auth/logout/", refresh_a, 204),
    row("get", "/auth/me/", 401, 200, 200, 200, 200),
    *other_methods("/auth/me/", {"get"}, *LOGGED_IN),
    # -- customers: staff list them; a customer reaches only its own record
    row("get", "/customers/", 401, 403, 403, 200, 200),
    row("post", "/customers/", 201, 201, 201, 201, 201, body=new_customer),
    *other_methods("/customers/", {"get", "post"}, *LOGGED_IN),
    row("get", "/customers/{a}/", 401, 200, 404, 200, 200),
    # The replacement changes A's email: the login is A's or an admin's to change.
    row("put", "/customers/{a}/", 401, 200, 404, 403, 200, body=customer_replacement),
    row("patch", "/customers/{a}/", 401, 200, 404, 200, 200, body=rename),
    # A has a ticket: whoever may delete the record (A itself, an admin) meets the
    # 409 that keeps history; a mechanic may not delete customers at all.
    row("delete", "/customers/{a}/", 401, 409, 404, 403, 409),
    row("post", "/customers/{a}/", 401, 405, 405, 405, 405),
    row("get", "/customers/my-tickets/", 401, 200, 200, 403, 403),
    *other_methods("/customers/my-tickets/", {"get"}, *LOGGED_IN),
    # -- mechanics: staff read, admins write
    row("get", "/mechanics/", 401, 403, 403, 200, 200),
    row("post", "/mechanics/", 401, 403, 403, 403, 201, body=new_mechanic),
    *other_methods("/mechanics/", {"get", "post"}, *STAFF),
    row("get", "/mechanics/{mechanic}/", 401, 403, 403, 200, 200),
    row("put", "/mechanics/{mechanic}/", 401, 403, 403, 403, 200, body=mechanic_replacement),
    row("patch", "/mechanics/{mechanic}/", 401, 403, 403, 403, 200, body=rename),
    row("delete", "/mechanics/{spare_mechanic}/", 401, 403, 403, 403, 204),
    row("post", "/mechanics/{mechanic}/", 401, 403, 403, 405, 405),
    row("get", "/mechanics/search/?name=mo", 401, 403, 403, 200, 200),
    *other_methods("/mechanics/search/", {"get"}, *STAFF),
    row("get", "/mechanics/popular/", 401, 403, 403, 200, 200),
    *other_methods("/mechanics/popular/", {"get"}, *STAFF),
    # -- inventory: anyone reads the catalog, staff write
    row("get", "/inventory/", 200, 200, 200, 200, 200),
    row("post", "/inventory/", 401, 403, 403, 201, 201, body=new_part),
    *other_methods("/inventory/", {"get", "post"}, *STAFF),
    row("get", "/inventory/{part}/", 200, 200, 200, 200, 200),
    row("put", "/inventory/{part}/", 401, 403, 403, 200, 200, body=part_replacement),
    row("patch", "/inventory/{part}/", 401, 403, 403, 200, 200, body=rename),
    row("delete", "/inventory/{spare_part}/", 401, 403, 403, 204, 204),
    row("post", "/inventory/{part}/", 401, 403, 403, 405, 405),
    # -- service tickets: a customer reads its own, staff work them, admins delete
    row("get", "/service-tickets/", 401, 200, 200, 200, 200),
    row("post", "/service-tickets/", 401, 403, 403, 201, 201, body=new_ticket),
    *other_methods("/service-tickets/", {"get", "post"}, *STAFF),
    row("get", "/service-tickets/{ticket}/", 401, 200, 404, 200, 200),
    row("put", "/service-tickets/{ticket}/", 401, 403, 403, 200, 200, body=ticket_replacement),
    row("patch", "/service-tickets/{ticket}/", 401, 403, 403, 200, 200, body=redescribe),
    row("delete", "/service-tickets/{ticket}/", 401, 403, 403, 403, 204),
    row("post", "/service-tickets/{ticket}/", 401, 403, 403, 405, 405),
    row(
        "put",
        "/service-tickets/{ticket}/assign-mechanic/{spare_mechanic}/",
        401,
        403,
        403,
        200,
        200,
    ),
    *other_methods("/service-tickets/{ticket}/assign-mechanic/{spare_mechanic}/", {"put"}, *STAFF),
    row("put", "/service-tickets/{ticket}/remove-mechanic/{mechanic}/", 401, 403, 403, 200, 200),
    *other_methods("/service-tickets/{ticket}/remove-mechanic/{mechanic}/", {"put"}, *STAFF),
    row("put", "/service-tickets/{ticket}/edit/", 401, 403, 403, 200, 200, body=edit_mechanics),
    *other_methods("/service-tickets/{ticket}/edit/", {"put"}, *STAFF),
    *[
        row(method, f"/service-tickets/{{ticket}}/{verb}/{{part}}/", 401, 403, 403, 200, 200)
        for verb in ("add-part", "remove-part")
        for method in ("post", "put")
    ],
    *[
        row(method, f"/service-tickets/{{ticket}}/{verb}/{{part}}/", 401, 403, 403, 405, 405)
        for verb in ("add-part", "remove-part")
        for method in ("get", "patch", "delete")
    ],
    # -- the lifecycle: the owner (or staff) approves or declines, staff do the rest
    row("post", "/service-tickets/{ticket}/approve/", 401, 200, 404, 200, 200),
    *other_methods("/service-tickets/{ticket}/approve/", {"post"}, *STAFF),
    row("post", "/service-tickets/{ticket}/decline/", 401, 200, 404, 200, 200, body=decline_reason),
    *other_methods("/service-tickets/{ticket}/decline/", {"post"}, *STAFF),
    row("post", "/service-tickets/{approved}/start/", 401, 403, 403, 200, 200),
    *other_methods("/service-tickets/{approved}/start/", {"post"}, *STAFF),
    row("post", "/service-tickets/{in_progress}/complete/", 401, 403, 403, 200, 200),
    *other_methods("/service-tickets/{in_progress}/complete/", {"post"}, *STAFF),
    row("post", "/service-tickets/{completed}/invoice/", 401, 403, 403, 200, 200),
    *other_methods("/service-tickets/{completed}/invoice/", {"post"}, *STAFF),
    row("post", "/service-tickets/{ticket}/cancel/", 401, 403, 403, 200, 200),
    *other_methods("/service-tickets/{ticket}/cancel/", {"post"}, *STAFF),
    # -- labor lines
    row("post", "/service-tickets/{ticket}/labor/", 401, 403, 403, 201, 201, body=labor_line),
    *other_methods("/service-tickets/{ticket}/labor/", {"post"}, *STAFF),
    row(
        "put", "/service-tickets/{ticket}/labor/{labor}/", 401, 403, 403, 200, 200, body=labor_line
    ),
    row(
        "patch",
        "/service-tickets/{ticket}/labor/{labor}/",
        401,
        403,
        403,
        200,
        200,
        body=fewer_hours,
    ),
    row("delete", "/service-tickets/{ticket}/labor/{labor}/", 401, 403, 403, 200, 200),
    *other_methods("/service-tickets/{ticket}/labor/{labor}/", {"put", "patch", "delete"}, *STAFF),
    # -- payments and history: the owner reads, staff take payments
    # -- jobs and their authorization: the owner reads and authorizes
    row("get", "/service-tickets/{ticket}/jobs/", 401, 200, 404, 200, 200),
    row("post", "/service-tickets/{ticket}/jobs/", 401, 403, 403, 201, 201, body=new_job),
    *other_methods("/service-tickets/{ticket}/jobs/", {"get", "post"}, *STAFF),
    row("patch", "/service-tickets/{ticket}/jobs/{job}/", 401, 403, 403, 200, 200, body=retitle),
    row("delete", "/service-tickets/{ticket}/jobs/{job}/", 401, 403, 403, 204, 204),
    *other_methods("/service-tickets/{ticket}/jobs/{job}/", {"patch", "delete"}, *STAFF),
    row("get", "/service-tickets/{ticket}/authorizations/", 401, 200, 404, 200, 200),
    row(
        "post",
        "/service-tickets/{ticket}/authorizations/",
        401,
        201,
        404,
        201,
        201,
        body=approve_the_job,
    ),
    *other_methods("/service-tickets/{ticket}/authorizations/", {"get", "post"}, *STAFF),
    # -- approval links: staff issue them, the customer's page opens with one
    row("post", "/service-tickets/{ticket}/approval-link/", 401, 403, 403, 201, 201),
    *other_methods("/service-tickets/{ticket}/approval-link/", {"post"}, *STAFF),
    *link_page("/approve/{approval_token}/", decide_on_the_job),
    # -- recommendations: the vehicle's owner reads them, staff revive and dismiss
    row("get", "/vehicles/{vehicle}/recommendations/", 401, 200, 404, 200, 200),
    *other_methods("/vehicles/{vehicle}/recommendations/", {"get"}, *LOGGED_IN),
    row(
        "post",
        "/recommendations/{recommendation}/revive/",
        401,
        403,
        403,
        200,
        200,
        body=revive_onto_the_ticket,
    ),
    *other_methods("/recommendations/{recommendation}/revive/", {"post"}, *STAFF),
    row(
        "post",
        "/recommendations/{recommendation}/dismiss/",
        401,
        403,
        403,
        200,
        200,
        body=dismissal,
    ),
    *other_methods("/recommendations/{recommendation}/dismiss/", {"post"}, *STAFF),
    row("get", "/service-tickets/{invoiced}/payments/", 401, 200, 404, 200, 200),
    row("post", "/service-tickets/{invoiced}/payments/", 401, 403, 403, 201, 201, body=payment),
    *other_methods("/service-tickets/{invoiced}/payments/", {"get", "post"}, *STAFF),
    row("get", "/service-tickets/{ticket}/history/", 401, 200, 404, 200, 200),
    *other_methods("/service-tickets/{ticket}/history/", {"get"}, *STAFF),
    # -- documents: the PDFs for staff and the owner, emailed by staff
    row("get", "/service-tickets/{ticket}/estimate.pdf", 401, 200, 404, 200, 200),
    *other_methods("/service-tickets/{ticket}/estimate.pdf", {"get"}, *LOGGED_IN),
    row("get", "/service-tickets/{invoiced}/invoice.pdf", 401, 200, 404, 200, 200),
    *other_methods("/service-tickets/{invoiced}/invoice.pdf", {"get"}, *LOGGED_IN),
    row("post", "/service-tickets/{ticket}/send-estimate/", 401, 403, 403, 202, 202),
    *other_methods("/service-tickets/{ticket}/send-estimate/", {"post"}, *STAFF),
    row("post", "/service-tickets/{invoiced}/send-invoice/", 401, 403, 403, 202, 202),
    *other_methods("/service-tickets/{invoiced}/send-invoice/", {"post"}, *STAFF),
    row("get", "/service-tickets/{ticket}/documents/", 401, 200, 404, 200, 200),
    *other_methods("/service-tickets/{ticket}/documents/", {"get"}, *STAFF),
    # -- vehicles: a customer manages its own, staff all
    row("get", "/vehicles/", 401, 200, 200, 200, 200),
    # B may register vehicles, but not to A: refused, nothing stored.
    row("post", "/vehicles/", 401, 201, 400, 201, 201, body=vehicle_of_a),
    *other_methods("/vehicles/", {"get", "post"}, *LOGGED_IN),
    row("get", "/vehicles/{vehicle}/", 401, 200, 404, 200, 200),
    row("put", "/vehicles/{vehicle}/", 401, 200, 404, 200, 200, body=vehicle_replacement),
    row("patch", "/vehicles/{vehicle}/", 401, 200, 404, 200, 200, body=new_plate),
    row("delete", "/vehicles/{spare_vehicle}/", 401, 204, 404, 204, 204),
    # Serviced: whoever may delete it meets the 409 that keeps its history.
    row("delete", "/vehicles/{vehicle}/", 401, 409, 404, 409, 409),
    row("post", "/vehicles/{vehicle}/", *LOGGED_IN),
    row("get", "/vehicles/{vehicle}/history/", 401, 200, 404, 200, 200),
    *other_methods("/vehicles/{vehicle}/history/", {"get"}, *LOGGED_IN),
    # -- canned jobs: staff read, admins write
    row("get", "/canned-jobs/", 401, 403, 403, 200, 200),
    row("post", "/canned-jobs/", 401, 403, 403, 403, 201, body=new_canned_job),
    *other_methods("/canned-jobs/", {"get", "post"}, *STAFF),
    row("get", "/canned-jobs/{canned_job}/", 401, 403, 403, 200, 200),
    row("put", "/canned-jobs/{canned_job}/", 401, 403, 403, 403, 200, body=canned_job_replacement),
    row("patch", "/canned-jobs/{canned_job}/", 401, 403, 403, 403, 200, body=rename),
    row("delete", "/canned-jobs/{canned_job}/", 401, 403, 403, 403, 204),
    row("post", "/canned-jobs/{canned_job}/", 401, 403, 403, 405, 405),
    # -- the shop's settings: staff read, admins change
    row("get", "/shop/", 401, 403, 403, 200, 200),
    row("patch", "/shop/", 401, 403, 403, 403, 200, body=more_bays),
    *other_methods("/shop/", {"get", "patch"}, *STAFF),
    # -- appointments: a customer books and reaches its own, staff all; staff run the day
    row("get", "/appointments/", 401, 200, 200, 200, 200),
    # B may book, but not for A: refused on the customer, nothing stored.
    row("post", "/appointments/", 401, 201, 400, 201, 201, body=new_appointment),
    *other_methods("/appointments/", {"get", "post"}, *LOGGED_IN),
    row("get", "/appointments/{appointment}/", 401, 200, 404, 200, 200),
    row("patch", "/appointments/{appointment}/", 401, 200, 404, 200, 200, body=reconcern),
    row("delete", "/appointments/{appointment_cancelled}/", 401, 403, 403, 204, 204),
    *other_methods("/appointments/{appointment}/", {"get", "patch", "delete"}, *LOGGED_IN),
    *[
        r
        for verb in ("confirm", "cancel")
        for r in [
            row("post", f"/appointments/{{appointment}}/{verb}/", 401, 200, 404, 200, 200),
            *other_methods(f"/appointments/{{appointment}}/{verb}/", {"post"}, *LOGGED_IN),
        ]
    ],
    *[
        r
        for verb in ("arrive", "no-show", "convert")
        for r in [
            row("post", f"/appointments/{{appointment}}/{verb}/", 401, 403, 403, 200, 200),
            *other_methods(f"/appointments/{{appointment}}/{verb}/", {"post"}, *LOGGED_IN),
        ]
    ],
    row("get", "/appointments/availability/?date=2027-03-01", 401, 200, 200, 200, 200),
    *other_methods("/appointments/availability/", {"get"}, *LOGGED_IN),
    # -- reports: admins only
    *[
        r
        for path in (
            "/reports/revenue/",
            "/reports/mechanics/",
            "/reports/low-stock/",
            "/reports/declined-work/",
            "/reports/productivity/",
        )
        for r in [
            row("get", path, 401, 403, 403, 403, 200),
            *other_methods(path, {"get"}, *ADMINS),
        ]
    ],
    # -- the time clock: staff (a mechanic itself, its own entries), admins correct
    row(
        "post",
        "/service-tickets/{in_progress}/jobs/{in_progress_job}/clock-in/",
        401,
        403,
        403,
        201,
        201,
        body=clock_in_the_mechanic,
    ),
    *other_methods(
        "/service-tickets/{in_progress}/jobs/{in_progress_job}/clock-in/", {"post"}, *STAFF
    ),
    row("get", "/time-entries/", 401, 403, 403, 200, 200),
    *other_methods("/time-entries/", {"get"}, *STAFF),
    row("get", "/time-entries/{time_entry}/", 401, 403, 403, 200, 200),
    row("patch", "/time-entries/{time_entry}/", 401, 403, 403, 403, 200, body=a_later_start),
    *other_methods("/time-entries/{time_entry}/", {"get", "patch"}, *STAFF),
    row("post", "/time-entries/{time_entry}/clock-out/", 401, 403, 403, 200, 200),
    *other_methods("/time-entries/{time_entry}/clock-out/", {"post"}, *STAFF),
    # -- events: admins only
    row("get", "/events/", 401, 403, 403, 403, 200),
    *other_methods("/events/", {"get"}, *ADMINS),
    row("post", "/events/{event}/redeliver/", 401, 403, 403, 403, 202),
    *other_methods("/events/{event}/redeliver/", {"post"}, *ADMINS),
    # -- webhooks: admins only
    row("get", "/webhooks/endpoints/", 401, 403, 403, 403, 200),
    row("post", "/webhooks/endpoints/", 401, 403, 403, 403, 201, body=new_webhook_endpoint),
    *other_methods("/webhooks/endpoints/", {"get", "post"}, *ADMINS),
    row("get", "/webhooks/endpoints/{webhook_endpoint}/", 401, 403, 403, 403, 200),
    row("patch", "/webhooks/endpoints/{webhook_endpoint}/", 401, 403, 403, 403, 200, body=describe),
    row("delete", "/webhooks/endpoints/{webhook_endpoint}/", 401, 403, 403, 403, 204),
    *other_methods("/webhooks/endpoints/{webhook_endpoint}/", {"get", "patch", "delete"}, *ADMINS),
    *[
        r
        for verb in ("rotate-secret", "test")
        for r in [
            row(
                "post",
                f"/webhooks/endpoints/{{webhook_endpoint}}/{verb}/",
                401,
                403,
                403,
                403,
                202 if verb == "test" else 200,
            ),
            *other_methods(f"/webhooks/endpoints/{{webhook_endpoint}}/{verb}/", {"post"}, *ADMINS),
        ]
    ],
    row("get", "/webhooks/deliveries/", 401, 403, 403, 403, 200),
    *other_methods("/webhooks/deliveries/", {"get"}, *ADMINS),
    # -- every payment (an accounting mirror): staff all, a customer its own
    row("get", "/payments/", 401, 200, 200, 200, 200),
    *other_methods("/payments/", {"get"}, *LOGGED_IN),
    # -- sync: the deleted records, staff
    row("get", "/sync/deleted/", 401, 403, 403, 200, 200),
    *other_methods("/sync/deleted/", {"get"}, *STAFF),
    # -- operations: anyone, no authentication (a token is not even read)
    *[
        r
        for path in ("/healthz", "/readyz")
        for r in [
            row("get", path, 200, 200, 200, 200, 200),
            *other_methods(path, {"get"}, *[405] * 5),
        ]
    ],
]

CASES = [
    pytest.param(r, caller, expected, id=f"{r.method.upper()} {r.path} as {caller}")
    for r in MATRIX
    for caller, expected in zip(CALLERS, r.expected, strict=True)
]

ERROR_CODES = {
    401: {"not_authenticated", "no_active_account"},
    403: {"permission_denied"},
    404: {"not_found"},
    405: {"method_not_allowed"},
    409: {"conflict"},
}


@pytest.mark.parametrize("case, caller, expected", CASES)
def test_matrix(world, case, caller, expected):
    client = world.client(caller)
    path = world.path(case.path)
    body = case.body(world) if case.body else None
    before = snapshot()

    response = getattr(client, case.method)(path, body, format="multipart" if case.page else "json")

    assert response.status_code == expected, response.content
    changed = snapshot() != before
    if expected >= 400 and case.page:  # a page for people answers with a page
        assert response["Content-Type"].startswith("text/html")
        assert not changed, "a refused request changed the database"
    elif expected >= 400:
        assert response["Content-Type"].startswith("application/json")
        body = response.json()
        if expected == 400:  # refused on ownership grounds, answered on the field
            assert "customer_id" in body
        else:
            assert body["code"] in ERROR_CODES[expected]
        assert not changed, "a refused request changed the database"
    elif case.method == "get":
        assert not changed, "a read changed the database"
    else:
        assert changed != case.stateless, "an accepted write changed nothing"
    if expected == 200 and case.method == "get" and case.path.endswith("}/") and not case.page:
        assert response.json()["id"] == int(path.rstrip("/").rsplit("/", 1)[1])


def route_patterns() -> set[str]:
    """Every API route, as a regex string (admin, schema and docs aside)."""
    patterns = set()

    def walk(resolver, prefix=""):
        for entry in resolver.url_patterns:
            pattern = prefix + str(entry.pattern)
            if hasattr(entry, "url_patterns"):
                walk(entry, pattern)
            else:
                patterns.add(pattern)

    walk(get_resolver())
    return {p for p in patterns if not p.startswith(("admin", "^admin", "^api/"))}


def test_every_route_is_in_the_matrix(world):
    """A route with no row in MATRIX fails here: new endpoints join the table."""
    import re

    covered = {world.path(r.path).split("?")[0] for r in MATRIX}
    missing = [
        pattern
        for pattern in route_patterns()
        if not any(re.fullmatch(pattern.lstrip("^").rstrip("$"), p.lstrip("/")) for p in covered)
    ]
    assert not missing, f"routes without a row in the matrix: {sorted(missing)}"


@pytest.mark.parametrize("caller", CALLERS)
def test_lists_show_each_caller_only_its_own(world, caller):
    """Object level: a list never carries another customer's records."""
    lifecycle = (world.approved, world.in_progress, world.completed, world.invoiced)
    of_a = {t.pk for t in (world.ticket, *lifecycle)}
    world.spare_vehicle  # noqa: B018 - made now, so that it is listed
    client = world.client(caller)
    tickets = client.get("/service-tickets/")
    mine = client.get("/customers/my-tickets/")
    if caller == "anonymous":
        assert tickets.status_code == mine.status_code == 401
        return
    ids = {t["id"] for t in tickets.json()["results"]}
    expected = {
        "customer_a": of_a,
        "customer_b": {world.ticket_b.pk},
        "mechanic": of_a | {world.ticket_b.pk},
        "admin": of_a | {world.ticket_b.pk},
    }[caller]
    assert ids == expected
    if caller.startswith("customer"):
        assert {t["id"] for t in mine.json()["results"]} == expected
    vehicles = {v["id"] for v in client.get("/vehicles/").json()["results"]}
    if caller == "customer_b":
        assert not vehicles & {world.vehicle.pk, world.spare_vehicle.pk}
    else:
        assert {world.vehicle.pk, world.spare_vehicle.pk} <= vehicles
    # Filtering by another customer cannot widen a customer's view.
    other = world.customer_b if caller == "customer_a" else world.customer_a
    filtered = client.get(f"/service-tickets/?customer={other.pk}").json()["results"]
    assert {t["id"] for t in filtered} <= expected
