"""POST /service-tickets/{id}/approval-link/ through the HTTP API."""

import datetime
import threading
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.db import connections
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from approvals.models import ApprovalLink
from conftest import client_for, mysql_only
from mail.models import OutboundEmail
from tests.factories import ServiceTicketFactory
from tickets import services as ticket_services
from tickets.workflow import Status

pytestmark = pytest.mark.django_db


def url_of(ticket) -> str:
    return f"/service-tickets/{ticket.pk}/approval-link/"


@pytest.mark.parametrize("staff", ["mechanic_client", "admin_client"])
def test_staff_issue_a_link_that_opens_the_page(request, staff, estimate, client):
    api = request.getfixturevalue(staff)
    before = timezone.now()

    response = api.post(url_of(estimate.ticket), {}, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"url", "expires_at", "emailed_to"}
    assert body["emailed_to"] is None
    url = urlsplit(body["url"])
    assert (url.scheme, url.netloc) == ("http", "testserver")
    assert url.path.startswith("/approve/") and url.path.endswith("/")
    link = ApprovalLink.objects.get()
    assert link.ticket == estimate.ticket
    assert link.created_by.role in {"mechanic", "admin"}
    assert (link.revoked_at, link.decided_at, link.authorization) == (None, None, None)
    expires_at = parse_datetime(body["expires_at"])
    assert expires_at == link.expires_at
    assert before + datetime.timedelta(hours=72) <= expires_at
    assert expires_at <= timezone.now() + datetime.timedelta(hours=72)
    # The URL is the customer's: it names neither the customer nor the email.
    assert str(estimate.ticket.customer.user.email) not in body["url"]

    page = client.get(url.path)
    assert page.status_code == 200
    assert "Front brakes" in page.content.decode()


@pytest.mark.parametrize("hours", [1, 168])
def test_the_link_works_for_the_hours_asked(mechanic_client, estimate, hours):
    response = mechanic_client.post(
        url_of(estimate.ticket), {"expires_in_hours": hours}, format="json"
    )

    assert response.status_code == 201, response.content
    expires_in = ApprovalLink.objects.get().expires_at - timezone.now()
    assert datetime.timedelta(hours=hours) - datetime.timedelta(minutes=1) < expires_in
    assert expires_in <= datetime.timedelta(hours=hours)


def test_the_path_without_its_trailing_slash(mechanic_client, estimate):
    response = mechanic_client.post(url_of(estimate.ticket).rstrip("/"), format="json")

    assert response.status_code == 201, response.content


@pytest.mark.parametrize(
    "caller, status, code",
    [("anon", 401, "not_authenticated"), ("customer_client", 403, "permission_denied")],
)
def test_only_staff_issue_links(request, estimate, caller, status, code):
    # The customer who owns the ticket included: the link is the shop's to send.
    api = request.getfixturevalue(caller)

    response = api.post(url_of(estimate.ticket), {"send_email": True}, format="json")

    assert response.status_code == status
    assert response.json()["code"] == code
    assert not ApprovalLink.objects.exists()
    assert not mail.outbox


@pytest.mark.parametrize(
    "body, field",
    [
        ({"expires_in_hours": 0}, "expires_in_hours"),
        ({"expires_in_hours": 169}, "expires_in_hours"),
        ({"expires_in_hours": "x"}, "expires_in_hours"),
        ({"expires_in_hours": None}, "expires_in_hours"),
        ({"send_email": "perhaps"}, "send_email"),
    ],
)
def test_invalid_options_are_a_400_naming_the_field(mechanic_client, estimate, body, field):
    response = mechanic_client.post(url_of(estimate.ticket), body, format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert not ApprovalLink.objects.exists()


def test_unknown_ticket_is_a_json_404(mechanic_client, estimate):
    response = mechanic_client.post(f"/service-tickets/{estimate.ticket.pk + 1000}/approval-link/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def invoiced(ticket):
    for action in ("approve", "start", "complete", "invoice"):
        ticket = ticket_services.ticket_transition(ticket=ticket, action=action)
    return ticket


def cancelled(ticket):
    return ticket_services.ticket_transition(ticket=ticket, action="cancel")


@pytest.mark.parametrize(
    "move, status", [(invoiced, Status.INVOICED), (cancelled, Status.CANCELLED)]
)
def test_a_ticket_past_authorization_is_a_409(mechanic_client, estimate, move, status):
    ticket = move(estimate.ticket)

    response = mechanic_client.post(url_of(ticket), {"send_email": True}, format="json")

    assert response.status_code == 409
    assert response.json() == {
        "detail": f"The ticket is {status}: its work can no longer be authorized.",
        "code": "ticket_locked",
        "status": status,
    }
    assert not ApprovalLink.objects.exists()
    assert not mail.outbox


def test_a_new_link_revokes_the_older_ones(mechanic_client, estimate, client):
    other_ticket = ServiceTicketFactory()
    other = mechanic_client.post(url_of(other_ticket)).json()["url"]
    first = mechanic_client.post(url_of(estimate.ticket)).json()["url"]

    second = mechanic_client.post(url_of(estimate.ticket)).json()["url"]

    assert first != second
    old, new = ApprovalLink.objects.filter(ticket=estimate.ticket).order_by("id")
    assert old.revoked_at is not None and new.revoked_at is None
    assert ApprovalLink.objects.get(ticket=other_ticket).revoked_at is None
    assert client.get(urlsplit(first).path).status_code == 410
    assert client.get(urlsplit(second).path).status_code == 200
    assert client.get(urlsplit(other).path).status_code == 200


def test_send_email_mails_the_customer_once_after_the_commit(
    mechanic_client, estimate, django_capture_on_commit_callbacks, settings
):
    settings.SHOP_NAME = "Dana's Garage"
    email = estimate.ticket.customer.user.email

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = mechanic_client.post(
            url_of(estimate.ticket), {"send_email": True}, format="json"
        )
        # Nothing leaves before the transaction commits.
        assert not mail.outbox

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["emailed_to"] == email
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [email]
    assert message.subject == f"Dana's Garage: your approval for repair order #{estimate.ticket.pk}"
    assert body["url"] in message.body
    assert "2018 Toyota Corolla" in message.body


def test_the_mail_goes_through_a_real_smtp_server(
    mechanic_client, estimate, django_capture_on_commit_callbacks, smtp_server
):
    with django_capture_on_commit_callbacks(execute=True):
        response = mechanic_client.post(
            url_of(estimate.ticket), {"send_email": True}, format="json"
        )

    assert response.status_code == 201, response.content
    [message] = smtp_server.messages
    assert message["To"] == estimate.ticket.customer.user.email
    assert response.json()["url"] in message.get_content()
    assert OutboundEmail.objects.get().status == "sent"


def test_a_mail_the_server_refuses_is_recorded_and_the_link_stands(
    mechanic_client, estimate, django_capture_on_commit_callbacks, smtp_server, caplog
):
    address = estimate.ticket.customer.user.email
    smtp_server.refuse.add(address)

    with django_capture_on_commit_callbacks(execute=True):
        response = mechanic_client.post(
            url_of(estimate.ticket), {"send_email": True}, format="json"
        )

    assert response.status_code == 201, response.content
    link = ApprovalLink.objects.get()
    assert link.revoked_at is None
    email = OutboundEmail.objects.get()
    assert (email.kind, email.ticket_id, email.status) == (
        "approval_link",
        estimate.ticket.pk,
        "failed",
    )
    assert "550" in email.error
    assert address not in caplog.text
    assert smtp_server.messages == []


def test_the_admin_lists_a_tickets_links_read_only(client, admin_user, estimate, mechanic_client):
    other_ticket = ServiceTicketFactory()
    for ticket in (estimate.ticket, estimate.ticket, other_ticket):
        mechanic_client.post(url_of(ticket))
    old, new = ApprovalLink.objects.filter(ticket=estimate.ticket).order_by("id")
    client.force_login(admin_user)
    changelist = "/admin/approvals/approvallink/"

    for query in (f"?q={estimate.ticket.pk}", f"?ticket={estimate.ticket.pk}"):
        response = client.get(changelist + query)
        assert response.status_code == 200, query
        rows = response.context["cl"].result_list
        assert [link.pk for link in rows] == [new.pk, old.pk]
        html = response.content.decode()
        assert f'href="{changelist}?ticket={estimate.ticket.pk}"' in html
        assert html.count('<td class="field-state">revoked</td>') == 1
        assert html.count('<td class="field-state">open</td>') == 1
    page = client.get(f"{changelist}{new.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert new.nonce.hex not in page.content.decode()
    assert str(new.nonce) not in page.content.decode()
    assert client.get(f"{changelist}add/").status_code == 403
    assert client.post(f"{changelist}{new.pk}/delete/", {"post": "yes"}).status_code == 403
    assert ApprovalLink.objects.count() == 3


@pytest.mark.mariadb
@mysql_only()
@pytest.mark.django_db(transaction=True)
def test_links_issued_at_once_leave_one_working(estimate, mechanic):
    clients = [client_for(mechanic.user) for _ in range(4)]
    barrier = threading.Barrier(len(clients))
    statuses = []

    def issue(api):
        try:
            barrier.wait()
            statuses.append(api.post(url_of(estimate.ticket)).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue, args=(api,)) for api in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [201] * 4
    assert ApprovalLink.objects.filter(ticket=estimate.ticket, revoked_at=None).count() == 1
