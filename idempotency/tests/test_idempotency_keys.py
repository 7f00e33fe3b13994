"""Idempotency-Key through the HTTP API: replays, refusals, expiry,
release after a failure, the caller's scope."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from conftest import client_for
from customers.models import Customer
from idempotency.models import IdempotencyKey
from tests.factories import MechanicFactory, PartFactory, ServiceTicketFactory
from tickets import services as ticket_services
from tickets.models import Payment, ServiceTicket

pytestmark = pytest.mark.django_db

KEY = "3f6c0f7e-6a39-4a8e-9d1e-0c8a3c2b7d11"


def new_ticket_body(customer, **changes):
    return {
        "customer_id": customer.pk,
        "vin": "1HGCM82633A004352",
        "service_date": "2026-03-14",
        "service_desc": "Front brakes grinding",
        **changes,
    }


def keyed(client, method, path, body=None, key=KEY):
    return getattr(client, method)(path, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


@pytest.fixture
def invoiced_ticket(settings):
    settings.SHOP_PARTS_TAX_RATE = Decimal("0")
    ticket = ServiceTicketFactory()
    ticket_services.ticket_add_part(
        ticket=ticket, part=PartFactory(price="100.00", quantity_in_stock=1)
    )
    for action in ("approve", "start", "complete", "invoice"):
        ticket = ticket_services.ticket_transition(ticket=ticket, action=action)
    return ticket


def test_a_retried_ticket_is_created_once_and_the_answer_replayed(mechanic_client, customer):
    body = new_ticket_body(customer)
    first = keyed(mechanic_client, "post", "/service-tickets/", body)
    again = keyed(mechanic_client, "post", "/service-tickets/", body)

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert again["Content-Type"] == first["Content-Type"]
    assert "Idempotent-Replayed" not in first
    assert ServiceTicket.objects.count() == 1


def test_a_retried_payment_is_recorded_once(mechanic_client, invoiced_ticket):
    path = f"/service-tickets/{invoiced_ticket.pk}/payments/"
    body = {"amount": "30.00", "method": "card"}
    first = keyed(mechanic_client, "post", path, body)
    again = keyed(mechanic_client, "post", path, body)

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Payment.objects.filter(ticket=invoiced_ticket).count() == 1
    assert ServiceTicket.objects.get(pk=invoiced_ticket.pk).amount_paid == Decimal("30.00")


def test_a_retried_patch_changes_once(mechanic_client, ticket):
    path = f"/service-tickets/{ticket.pk}/"
    body = {"discount_type": "amount", "discount_value": "5.00"}
    first = keyed(mechanic_client, "patch", path, body)
    events = ticket.events.count()
    again = keyed(mechanic_client, "patch", path, body)

    assert first.status_code == again.status_code == 200
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert ticket.events.count() == events


def test_an_anonymous_registration_is_replayed(anon):
    body = {"name": "Rosa Diaz", "email": "rosa@example.com", "phone": "555-0102"}
    body["password"] = "s3cure-Garage-pass"
    first = keyed(anon, "post", "/customers/", body)
    again = keyed(anon, "post", "/customers/", body)

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Customer.objects.count() == 1
    assert IdempotencyKey.objects.get().caller == "anonymous"


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("post", "/service-tickets/", {"service_desc": "Another job"}),  # another body
        ("post", "/service-tickets/?x=1", {}),  # another query string
        ("post", "/vehicles/", {}),  # another path
    ],
)
def test_a_key_sent_again_for_another_request_is_a_422(
    mechanic_client, customer, method, path, body
):
    first_body = new_ticket_body(customer)
    assert keyed(mechanic_client, "post", "/service-tickets/", first_body).status_code == 201
    vehicles = customer.vehicles.count()

    response = keyed(mechanic_client, method, path, {**first_body, **body})

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert ServiceTicket.objects.count() == 1 and customer.vehicles.count() == vehicles


def test_a_key_sent_again_with_another_method_is_a_422(mechanic_client, ticket):
    path = f"/service-tickets/{ticket.pk}/"
    assert keyed(mechanic_client, "patch", path, {"service_desc": "x"}).status_code == 200
    response = keyed(mechanic_client, "post", f"{path}approve/", {"service_desc": "x"})
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"


@pytest.mark.parametrize("key", ["", "x" * 256, "clé", "tab\there", "nul\x01"])
def test_a_malformed_key_is_a_400_naming_the_header(mechanic_client, customer, key):
    response = keyed(mechanic_client, "post", "/service-tickets/", new_ticket_body(customer), key)

    assert response.status_code == 400
    assert list(response.json()) == ["Idempotency-Key"]
    assert not ServiceTicket.objects.exists() and not IdempotencyKey.objects.exists()


def test_the_longest_key_and_any_printable_ascii_are_accepted(mechanic_client, customer):
    for n, key in enumerate(["k" * 255, " !~{}\"'\\"]):
        body = new_ticket_body(customer, service_desc=f"Job {n}")
        assert keyed(mechanic_client, "post", "/service-tickets/", body, key).status_code == 201


def test_keys_differ_by_case(mechanic_client, customer):
    body = new_ticket_body(customer)
    assert keyed(mechanic_client, "post", "/service-tickets/", body, "abc").status_code == 201
    again = keyed(mechanic_client, "post", "/service-tickets/", body, "ABC")
    assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert ServiceTicket.objects.count() == 2


def test_another_callers_key_is_its_own(customer):
    body = new_ticket_body(customer)
    one, other = client_for(MechanicFactory().user), client_for(MechanicFactory().user)
    first = keyed(one, "post", "/service-tickets/", body)
    second = keyed(other, "post", "/service-tickets/", body)

    assert first.status_code == second.status_code == 201
    assert "Idempotent-Replayed" not in second
    assert first.json()["id"] != second.json()["id"]
    assert ServiceTicket.objects.count() == 2


def test_an_expired_key_is_handled_again(mechanic_client, customer, settings):
    settings.IDEMPOTENCY_KEY_TTL_HOURS = 24
    body = new_ticket_body(customer)
    first = keyed(mechanic_client, "post", "/service-tickets/", body)
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=24, seconds=1))

    again = keyed(mechanic_client, "post", "/service-tickets/", body)

    assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert again.json()["id"] != first.json()["id"]
    assert keyed(mechanic_client, "post", "/service-tickets/", body).json() == again.json()


def test_a_4xx_answer_is_stored_and_replayed(mechanic_client, invoiced_ticket):
    path = f"/service-tickets/{invoiced_ticket.pk}/payments/"
    body = {"amount": "500.00", "method": "card"}  # more than the balance
    first = keyed(mechanic_client, "post", path, body)
    # The balance would now take it; the retry still gets the first answer.
    ServiceTicket.objects.filter(pk=invoiced_ticket.pk).update(balance_due=Decimal("500.00"))
    again = keyed(mechanic_client, "post", path, body)

    assert first.status_code == again.status_code == 400
    assert again.json() == first.json() and "amount" in first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert not Payment.objects.exists()


def test_a_domain_conflict_is_replayed_too(mechanic_client, ticket):
    path = f"/service-tickets/{ticket.pk}/invoice/"  # an estimate cannot be invoiced
    first = keyed(mechanic_client, "post", path)
    again = keyed(mechanic_client, "post", path)
    assert first.status_code == again.status_code == 409
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"


def test_a_failing_request_releases_its_key(mechanic_client, invoiced_ticket, monkeypatch):
    path = f"/service-tickets/{invoiced_ticket.pk}/payments/"
    body = {"amount": "30.00", "method": "card"}
    real = ticket_services.ticket_record_payment

    def failing(**kwargs):
        real(**kwargs)  # the payment is written, then the request fails
        raise RuntimeError("the process failed mid-way")

    monkeypatch.setattr(ticket_services, "ticket_record_payment", failing)
    mechanic_client.raise_request_exception = False
    assert keyed(mechanic_client, "post", path, body).status_code == 500
    assert not Payment.objects.exists() and not IdempotencyKey.objects.exists()

    monkeypatch.setattr(ticket_services, "ticket_record_payment", real)
    again = keyed(mechanic_client, "post", path, body)
    assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert Payment.objects.count() == 1


def test_a_5xx_answer_is_not_stored(mechanic_client, customer, monkeypatch):
    from rest_framework.exceptions import APIException

    from tickets import views

    def failing(**kwargs):
        raise APIException()  # answered 500 by the exception handler

    monkeypatch.setattr(views.services, "ticket_create", failing)
    body = new_ticket_body(customer)
    assert keyed(mechanic_client, "post", "/service-tickets/", body).status_code == 500
    assert not IdempotencyKey.objects.exists()


def claimed(user, *, seconds_ago, path="/service-tickets/", body=b"", key=KEY):
    """A row left by a first request that is not answered (yet)."""
    from idempotency import services

    claim = services.request_claim(user=user, key=key, method="POST", path=path, body=body)
    at = timezone.now() - timedelta(seconds=seconds_ago)
    return IdempotencyKey.objects.create(
        caller=claim.caller,
        key_digest=claim.key_digest,
        fingerprint=claim.fingerprint,
        created_at=at,
        claimed_at=at,
    )


def test_a_retry_while_the_first_runs_is_a_409(mechanic, mechanic_client, customer):
    body = new_ticket_body(customer)
    claimed(mechanic.user, seconds_ago=1, body=JSONRenderer().render(body))

    response = keyed(mechanic_client, "post", "/service-tickets/", body)

    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_in_progress"
    assert not ServiceTicket.objects.exists()
    assert IdempotencyKey.objects.get().status_code is None  # still the first one's


def test_a_claim_whose_process_died_is_taken_over(mechanic, mechanic_client, customer):
    body = new_ticket_body(customer)
    claimed(mechanic.user, seconds_ago=120, body=JSONRenderer().render(body))

    response = keyed(mechanic_client, "post", "/service-tickets/", body)

    assert response.status_code == 201
    assert IdempotencyKey.objects.get().status_code == 201
    assert ServiceTicket.objects.count() == 1


def test_without_the_header_nothing_is_stored(mechanic_client, customer):
    body = new_ticket_body(customer)
    assert mechanic_client.post("/service-tickets/", body, format="json").status_code == 201
    assert mechanic_client.post("/service-tickets/", body, format="json").status_code == 201
    assert ServiceTicket.objects.count() == 2 and not IdempotencyKey.objects.exists()


def test_the_token_doors_check_the_key_and_store_no_credentials(anon, customer):
    body = {"email": customer.user.email, "password": "wrong"}
    response = keyed(anon, "post", "/customers/login/", body, "bad\x01key")
    assert response.status_code == 400 and list(response.json()) == ["Idempotency-Key"]
    assert keyed(anon, "post", "/customers/login/", body).status_code == 401
    assert not IdempotencyKey.objects.exists()


def test_the_purge_deletes_expired_keys_only(mechanic, settings):
    settings.IDEMPOTENCY_KEY_TTL_HOURS = 24
    old = claimed(mechanic.user, seconds_ago=25 * 3600)
    fresh = claimed(mechanic.user, seconds_ago=60, key="another key")

    call_command("purge_idempotency_keys")

    assert list(IdempotencyKey.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert not IdempotencyKey.objects.filter(pk=old.pk).exists()


def test_the_scheduled_purge_is_the_command(mechanic, settings):
    pytest.importorskip("celery")
    from idempotency.tasks import idempotency_keys_purge

    settings.IDEMPOTENCY_KEY_TTL_HOURS = 1
    claimed(mechanic.user, seconds_ago=2 * 3600)
    assert idempotency_keys_purge() == 1 and not IdempotencyKey.objects.exists()


def test_every_api_view_that_writes_takes_the_key():
    """A DRF view answering POST or PATCH without the mixin would ignore
    the header: every one has it (the HTML approval page is not DRF's)."""
    from django.urls import get_resolver
    from rest_framework.views import APIView

    from idempotency.views import IdempotencyKeyMixin

    def views(patterns):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                yield from views(pattern.url_patterns)
            else:
                yield pattern.callback

    missing = set()
    for callback in views(get_resolver().url_patterns):
        cls = getattr(callback, "cls", None)
        if cls is None or not issubclass(cls, APIView):
            continue
        actions = getattr(callback, "actions", None) or {}
        methods = set(actions) if actions else {m for m in ("post", "patch") if hasattr(cls, m)}
        if methods & {"post", "patch"} and not issubclass(cls, IdempotencyKeyMixin):
            missing.add(cls.__name__)
    assert not missing
