"""Webhooks through the API, delivered to a real receiver that checks the
Standard Webhooks signature."""

import socket
from datetime import timedelta

import pytest
from django.utils import timezone

from events.models import Event
from webhooks import services
from webhooks.models import Delivery

pytestmark = pytest.mark.django_db(transaction=True)

NEW_CUSTOMER = {
    "name": "Rosa Diaz",
    "email": "rosa@example.com",
    "phone": "555-0102",
    "password": "s3cure-Garage-pass",
}


def attempts(admin_client, **params) -> list[dict]:
    response = admin_client.get("/webhooks/deliveries/", params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def later(seconds: int):
    return timezone.now() + timedelta(seconds=seconds)


def test_an_event_is_delivered_signed(anon, admin_client, endpoint, receiver):
    customer = anon.post("/customers/", NEW_CUSTOMER).json()

    (payload,) = receiver.received
    assert receiver.refused == []
    event = Event.objects.get()
    assert payload == {
        "id": str(event.pk),
        "type": "customer.created",
        "created_at": payload["created_at"],
        "data": customer,
        "_webhook_id": str(event.pk),
    }
    (attempt,) = attempts(admin_client)
    assert attempt["event_id"] == str(event.pk)
    assert attempt["endpoint_id"] == endpoint["id"]
    assert attempt["attempt"] == 1
    assert attempt["status"] == "succeeded"
    assert attempt["status_code"] == 200
    assert attempt["error"] == ""
    assert attempt["duration_ms"] >= 0


def test_the_secret_is_shown_once(admin_client, endpoint):
    assert endpoint["secret"].startswith("whsec_")
    assert len(endpoint["secret"]) == len("whsec_") + 32  # base64 of 24 bytes
    url = f"/webhooks/endpoints/{endpoint['id']}/"
    assert admin_client.get(url).json()["secret"] is None
    assert admin_client.get("/webhooks/endpoints/").json()["results"][0]["secret"] is None
    assert admin_client.patch(url, {"description": "CRM"}).json()["secret"] is None

    rotated = admin_client.post(f"{url}rotate-secret/").json()
    assert rotated["secret"].startswith("whsec_")
    assert rotated["secret"] != endpoint["secret"]
    assert admin_client.get(url).json()["secret"] is None


def test_a_rotated_secret_signs_what_follows(anon, admin_client, endpoint, receiver):
    receiver.secret = admin_client.post(
        f"/webhooks/endpoints/{endpoint['id']}/rotate-secret/"
    ).json()["secret"]
    anon.post("/customers/", NEW_CUSTOMER)
    assert receiver.types() == ["customer.created"]
    assert receiver.refused == []


def test_only_subscribed_types_are_sent(anon, admin_client, receiver):
    created = admin_client.post(
        "/webhooks/endpoints/", {"url": receiver.url, "event_types": ["ticket.created"]}
    ).json()
    receiver.secret = created["secret"]
    anon.post("/customers/", NEW_CUSTOMER)
    assert receiver.received == []
    assert Delivery.objects.count() == 0


def test_ping(admin_client, endpoint, receiver):
    response = admin_client.post(f"/webhooks/endpoints/{endpoint['id']}/test/")
    assert response.status_code == 202
    assert response.json()["type"] == "ping"
    assert receiver.types() == ["ping"]
    assert receiver.received[0]["data"] == {"endpoint_id": endpoint["id"], "url": receiver.url}


def test_retries_until_the_receiver_is_back(anon, admin_client, endpoint, receiver, settings):
    settings.WEBHOOK_RETRY_DELAYS = [30, 120]
    receiver.answer = 503
    anon.post("/customers/", NEW_CUSTOMER)
    (first,) = attempts(admin_client)
    assert (first["status"], first["status_code"], first["error"]) == ("failed", 503, "HTTP 503")

    assert services.deliveries_sweep(now=later(10)) == 0  # not due for 30 s
    assert services.deliveries_sweep(now=later(31)) == 1  # second attempt, still down
    receiver.answer = 200
    assert services.deliveries_sweep(now=later(31)) == 0  # next one in 2 min
    assert services.deliveries_sweep(now=later(152)) == 1

    log = attempts(admin_client)
    assert [(a["attempt"], a["status"]) for a in log] == [
        (3, "succeeded"),
        (2, "failed"),
        (1, "failed"),
    ]
    assert receiver.types() == ["customer.created"]
    assert len({p["_webhook_id"] for p in receiver.received}) == 1
    assert services.deliveries_sweep(now=later(100_000)) == 0  # delivered: done


def test_a_closed_port_is_an_attempt_failed(anon, admin_client, endpoint, receiver, settings):
    settings.WEBHOOK_RETRY_DELAYS = []
    receiver.stop()
    anon.post("/customers/", NEW_CUSTOMER)
    (attempt,) = attempts(admin_client)
    assert attempt["status"] == "failed"
    assert attempt["status_code"] is None
    assert "ConnectionError" in attempt["error"]


def test_an_endpoint_failing_every_event_is_disabled(
    anon, admin_client, endpoint, receiver, settings
):
    settings.WEBHOOK_RETRY_DELAYS = [30]
    settings.WEBHOOK_DISABLE_AFTER = 2
    receiver.answer = 500
    url = f"/webhooks/endpoints/{endpoint['id']}/"
    for n in range(2):
        anon.post("/customers/", {**NEW_CUSTOMER, "email": f"rosa{n}@example.com"})
        services.deliveries_sweep(now=later(31))  # the one retry, failed too
        if n == 0:
            assert admin_client.get(url).json()["failure_count"] == 1
    answer = admin_client.get(url).json()
    assert answer["is_active"] is False
    assert answer["failure_count"] == 2
    assert "2 events in a row" in answer["disabled_reason"]

    anon.post("/customers/", {**NEW_CUSTOMER, "email": "rosa9@example.com"})
    assert len(attempts(admin_client)) == 4  # nothing sent to a disabled endpoint

    receiver.answer = 200
    again = admin_client.patch(url, {"is_active": True}).json()
    assert (again["is_active"], again["failure_count"], again["disabled_reason"]) == (True, 0, "")


def test_redeliver(anon, admin_client, endpoint, receiver):
    anon.post("/customers/", NEW_CUSTOMER)
    event = Event.objects.get()
    response = admin_client.post(f"/events/{event.pk}/redeliver/")
    assert response.status_code == 202
    assert response.json() == {"event_id": str(event.pk), "endpoint_ids": [endpoint["id"]]}
    assert receiver.types() == ["customer.created", "customer.created"]
    assert [a["attempt"] for a in attempts(admin_client, event=str(event.pk))] == [2, 1]
    assert Delivery.objects.count() == 1  # the same delivery, sent again


def test_a_delivery_is_made_once_per_event_and_endpoint(anon, endpoint, receiver):
    anon.post("/customers/", NEW_CUSTOMER)
    event = Event.objects.get()
    delivery = Delivery.objects.get()
    # The dispatch again, and the send again with its old token: nothing.
    services.event_fan_out(sender=Event, event=event)
    assert Delivery.objects.count() == 1
    assert services.delivery_send(delivery_id=delivery.pk, token=later(60).isoformat()) is None
    assert len(receiver.received) == 1


def test_the_log_filters(anon, admin_client, endpoint, receiver):
    receiver.answer = 500
    anon.post("/customers/", NEW_CUSTOMER)
    receiver.answer = 200
    anon.post("/customers/", {**NEW_CUSTOMER, "email": "other@example.com"})
    assert [a["status"] for a in attempts(admin_client, status="failed")] == ["failed"]
    assert len(attempts(admin_client, endpoint=endpoint["id"])) == 2
    assert attempts(admin_client, endpoint=endpoint["id"] + 1) == []
    assert admin_client.get("/webhooks/deliveries/", {"status": "lost"}).status_code == 400


REFUSED = [
    "http://10.0.0.8/hooks",
    "http://172.16.4.2/hooks",
    "http://192.168.1.20/hooks",
    "http://127.0.0.1/hooks",
    "http://[::1]/hooks",
    "http://169.254.169.254/latest/meta-data/",
    "http://[fd00::1]/hooks",
    "http://0.0.0.0/hooks",
    "http://[::ffff:10.0.0.8]/hooks",
    "http://100.64.0.1/hooks",
    "ftp://example.com/hooks",
    "http://metadata.internal.example/hooks",  # resolves to 169.254.169.254
]


@pytest.mark.parametrize("url", REFUSED)
def test_private_addresses_are_refused(admin_client, settings, monkeypatch, url):
    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    real = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if host == "metadata.internal.example":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("169.254.169.254", 80))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    response = admin_client.post("/webhooks/endpoints/", {"url": url, "event_types": ["*"]})
    assert response.status_code == 400, response.content
    assert list(response.json()) == ["url"]


def test_a_public_address_is_accepted_and_https_only_in_production(
    admin_client, settings, monkeypatch
):
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda *a, **k: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", 443))],
    )
    body = {"url": "http://hooks.example.com/shop", "event_types": ["ticket.created"]}
    assert admin_client.post("/webhooks/endpoints/", body).status_code == 201
    settings.WEBHOOKS_REQUIRE_HTTPS = True
    response = admin_client.post("/webhooks/endpoints/", body)
    assert response.status_code == 400 and "url" in response.json()
    body["url"] = "https://hooks.example.com/shop"
    assert admin_client.post("/webhooks/endpoints/", body).status_code == 201


def test_an_address_turned_private_is_refused_when_sent(
    anon, admin_client, endpoint, receiver, settings
):
    settings.WEBHOOK_RETRY_DELAYS = []
    settings.WEBHOOKS_ALLOW_LOOPBACK = False  # as if the name now pointed inside
    anon.post("/customers/", NEW_CUSTOMER)
    (attempt,) = attempts(admin_client)
    assert attempt["status"] == "failed" and "loopback" in attempt["error"]
    assert receiver.received == []


def test_a_send_goes_to_the_address_checked_not_to_a_later_answer(
    anon, admin_client, receiver, settings, monkeypatch
):
    # DNS rebinding: the name resolves to an allowed address for the checks
    # (saving, then sending), and to another one afterwards. The request is
    # pinned to the address checked; the name is only its Host header.
    settings.WEBHOOK_TIMEOUT_SECONDS = 2
    real = socket.getaddrinfo
    lookups = []

    def getaddrinfo(host, port, *args, **kwargs):
        if host != "hooks.rebind.example":
            return real(host, port, *args, **kwargs)
        lookups.append(host)
        address = "127.0.0.1" if len(lookups) <= 2 else "192.0.2.1"  # TEST-NET: nowhere
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    url = receiver.url.replace("127.0.0.1", "hooks.rebind.example")
    created = admin_client.post("/webhooks/endpoints/", {"url": url, "event_types": ["*"]})
    assert created.status_code == 201, created.content
    receiver.secret = created.json()["secret"]

    anon.post("/customers/", NEW_CUSTOMER)

    assert receiver.types() == ["customer.created"]
    assert len(lookups) == 2  # saved, then sent: never again behind the check's back
    (attempt,) = attempts(admin_client)
    assert attempt["status"] == "succeeded", attempt


@pytest.mark.parametrize(
    "body",
    [
        {"url": "http://127.0.0.1:9/x", "event_types": []},
        {"url": "http://127.0.0.1:9/x", "event_types": ["ticket.exploded"]},
        {"url": "not a url", "event_types": ["*"]},
    ],
)
def test_bad_endpoints_are_a_400(admin_client, body):
    response = admin_client.post("/webhooks/endpoints/", body)
    assert response.status_code == 400


def test_only_admins(anon, mechanic_client):
    assert anon.get("/webhooks/endpoints/").status_code == 401
    assert mechanic_client.get("/webhooks/endpoints/").status_code == 403
    assert mechanic_client.get("/webhooks/deliveries/").status_code == 403


def test_an_endpoint_created_inactive_and_options_of_redeliver(admin_client):
    """Found by the fuzzing: is_active sent at creation, and OPTIONS on the
    redeliver action, answered 500."""
    response = admin_client.post(
        "/webhooks/endpoints/",
        {"url": "http://127.0.0.1:9/shop-hooks", "event_types": ["*"], "is_active": False},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["is_active"] is False
    options = admin_client.options("/events/6f39f623-213f-4276-8833-7e374dcf01e9/redeliver/")
    assert options.status_code < 500
