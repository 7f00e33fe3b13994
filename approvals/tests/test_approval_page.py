"""/approve/<token>/: the customer's approval page, through Django's test
client as a browser sends it (form posts, cookies, CSRF)."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from approvals import services as approval_services
from approvals.models import ApprovalLink
from approvals.tokens import SALT
from conftest import mysql_only
from tests.database_state import snapshot
from tests.factories import ServiceTicketFactory
from tickets import services as ticket_services
from tickets.models import Authorization, JobStatus
from tickets.tests.test_concurrency import run_concurrently
from tickets.workflow import Status

from .conftest import decision, issue_link

pytestmark = pytest.mark.django_db

TIMES = "\N{MULTIPLICATION SIGN}"
PHONE = {"REMOTE_ADDR": "203.0.113.7", "HTTP_USER_AGENT": "Mozilla/5.0 (Linux; Android 14)"}


def text(response) -> str:
    """The page's text, tags and runs of whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())).strip()


def assert_html(response, status: int) -> None:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response.content.decode().startswith("<!doctype html>")


def test_the_page_shows_the_pending_jobs_their_lines_and_the_totals(
    client, estimate, page_path, settings
):
    settings.SHOP_NAME = "Dana's Garage"
    ticket = estimate.ticket

    response = client.get(page_path)

    assert_html(response, 200)
    page = text(response)
    assert "Dana&#x27;s Garage" in response.content.decode()
    assert f"Your approval for repair order #{ticket.pk}" in page
    assert "2018 Toyota Corolla VIN 1HGCM82633A004352" in page
    assert "Front brakes 232.50" in page
    assert f"Brake pad set 2 {TIMES} 45.00 90.00" in page
    assert f"Replace front pads labor, 1.50 h {TIMES} 95.00 142.50" in page
    assert "Timing belt 330.00" in page
    assert f"Replace timing belt labor, 3.00 h {TIMES} 110.00 330.00" in page
    assert f"Parts and labor {ticket.parts_total + ticket.labor_total:.2f}" in page
    assert f"Discount {ticket.discount:.2f}" in page
    assert f"Tax {ticket.tax:.2f}" in page
    assert f"Total {ticket.total:.2f}" in page
    assert ticket.total == Decimal("593.56")
    html = response.content.decode()
    for job in (estimate.brakes, estimate.belt):
        for choice in ("approve", "decline"):
            assert f'name="job_{job.pk}" value="{choice}"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'name="signed_name"' in html and 'name="declined_reason"' in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    # Nothing but the page: no script, nothing loaded from elsewhere.
    assert "<script" not in html and "src=" not in html and "<link" not in html
    # Nothing of the customer's account, nor of another ticket.
    assert ticket.customer.user.email not in html
    assert ticket.customer.name not in html


def test_the_page_has_the_sites_security_headers_and_is_never_cached(client, page_path):
    response = client.get(page_path)

    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_the_page_answers_without_its_trailing_slash(client, page_path):
    assert client.get(page_path.rstrip("/")).status_code == 200


def test_approve_one_decline_one_records_the_authorization(client, estimate, page_path):
    response = client.post(page_path, decision(estimate), **PHONE)

    assert_html(response, 200)
    authorization = Authorization.objects.get()
    assert authorization.method == "link"
    assert authorization.authorized_by is None
    assert authorization.signed_name == "Dana Whitfield"
    assert authorization.ip_address == "203.0.113.7"
    assert authorization.user_agent == "Mozilla/5.0 (Linux; Android 14)"
    assert authorization.approved_job_ids == [estimate.brakes.pk]
    assert authorization.declined_job_ids == [estimate.belt.pk]
    assert authorization.declined_reason == "Next month"
    # The brakes, discount and tax included: 232.50 + 7.43 parts tax + 7.13 labor tax.
    assert authorization.authorized_amount == Decimal("247.06")
    estimate.refresh()
    assert estimate.ticket.authorized_total == Decimal("247.06")
    assert (estimate.brakes.status, estimate.belt.status) == (
        JobStatus.APPROVED,
        JobStatus.DECLINED,
    )
    assert estimate.ticket.status == Status.APPROVED
    link = ApprovalLink.objects.get()
    assert link.authorization == authorization
    assert link.decided_at == authorization.created_at
    page = text(response)
    assert "Thank you: your decision is recorded" in page
    assert "signed by Dana Whitfield" in page
    assert "Approved Front brakes Declined Timing belt" in page
    assert "Your reason: Next month" in page
    assert "Authorized amount 247.06" in page


def test_a_used_link_shows_its_decision_and_takes_no_other(client, estimate, page_path):
    client.post(page_path, decision(estimate))
    before = snapshot()

    shown = client.get(page_path)
    again = client.post(page_path, decision(estimate, signed_name="Someone Else"))

    assert_html(shown, 200)
    assert "Your decision was already recorded" in text(shown)
    assert "Authorized amount 247.06" in text(shown)
    assert "<form" not in shown.content.decode()
    assert_html(again, 409)
    assert "Your decision was already recorded" in text(again)
    assert "signed by Dana Whitfield" in text(again)
    assert snapshot() == before


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"signed_name": ""}, "Type your full name to sign."),
        ({"signed_name": "   "}, "Type your full name to sign."),
        ({"job_{belt}": None}, "Choose approve or decline for “Timing belt”."),
        ({"job_{belt}": "maybe"}, "Select a valid choice."),
    ],
)
def test_an_incomplete_form_is_shown_again_and_nothing_recorded(
    client, estimate, page_path, changes, message
):
    form = decision(estimate)
    for key, value in changes.items():
        key = key.format(belt=estimate.belt.pk)
        if value is None:
            del form[key]
        else:
            form[key] = value
    before = snapshot()

    response = client.post(page_path, form)

    assert_html(response, 400)
    page = text(response)
    assert "Nothing was recorded yet." in page
    assert message in page
    assert 'name="csrfmiddlewaretoken"' in response.content.decode()
    assert snapshot() == before


def test_a_job_decided_meanwhile_is_an_error_and_nothing_recorded(client, estimate, page_path):
    client.get(page_path)
    # Staff record the customer's word on the belt while the page is open.
    ticket_services.ticket_authorize(
        ticket=estimate.ticket, method="phone", approved_job_ids=[estimate.belt.pk]
    )
    before = snapshot()

    response = client.post(page_path, decision(estimate))

    assert_html(response, 400)
    assert "“Timing belt” is no longer waiting for your decision (it is approved)" in text(response)
    assert snapshot() == before
    assert not ApprovalLink.objects.get().decided_at


def test_a_job_added_meanwhile_needs_a_decision_too(client, estimate, page_path):
    tyres = ticket_services.job_create(ticket=estimate.ticket, title="Rotate tyres")

    response = client.post(page_path, decision(estimate))

    assert_html(response, 400)
    assert "Choose approve or decline for “Rotate tyres”." in text(response)
    assert f'name="job_{tyres.pk}"' in response.content.decode()
    assert not Authorization.objects.exists()


@pytest.mark.parametrize(
    "change, title",
    [
        ({"expires_at": timezone.now() - datetime.timedelta(seconds=1)}, "This link has expired"),
        ({"revoked_at": timezone.now()}, "This link was replaced"),
    ],
)
def test_an_expired_or_revoked_link_is_gone(client, estimate, page_path, change, title):
    ApprovalLink.objects.update(**change)
    before = snapshot()

    shown = client.get(page_path)
    sent = client.post(page_path, decision(estimate))

    for response in (shown, sent):
        assert_html(response, 410)
        assert title in text(response)
        assert "Front brakes" not in text(response)
    assert snapshot() == before


def tampered(path: str) -> str:
    token = path.split("/")[2]
    last = "A" if token[-1] != "A" else "B"
    return f"/approve/{token[:-1]}{last}/"


@pytest.mark.parametrize(
    "make_path",
    [
        pytest.param(lambda link, path: tampered(path), id="flipped signature"),
        pytest.param(
            lambda link, path: (
                f"/approve/{signing.dumps({'t': link.ticket_id, 'n': link.nonce.hex})}/"
            ),
            id="signed without the links salt",
        ),
        pytest.param(
            lambda link, path: "/approve/{}/".format(
                signing.dumps({"t": link.ticket_id + 1, "n": link.nonce.hex}, salt=SALT)
            ),
            id="another ticket",
        ),
        pytest.param(
            lambda link, path: "/approve/{}/".format(
                signing.dumps({"t": link.ticket_id, "n": "0" * 32}, salt=SALT)
            ),
            id="unknown nonce",
        ),
        pytest.param(lambda link, path: "/approve/not-a-token/", id="garbage"),
    ],
)
def test_a_token_that_is_not_valid_is_an_html_404(client, estimate, page_path, make_path):
    link = ApprovalLink.objects.get()
    path = make_path(link, page_path)
    before = snapshot()

    shown = client.get(path)
    sent = client.post(path, decision(estimate))

    for response in (shown, sent):
        assert_html(response, 404)
        assert "This link is not valid" in text(response)
    assert snapshot() == before


@pytest.mark.parametrize("action", ["cancel", "invoice"])
def test_a_ticket_no_longer_open_to_authorization_says_so(client, estimate, page_path, action):
    ticket = estimate.ticket
    if action == "invoice":
        for step in ("approve", "start", "complete"):
            ticket = ticket_services.ticket_transition(ticket=ticket, action=step)
    ticket_services.ticket_transition(ticket=ticket, action=action)
    before = snapshot()

    shown = client.get(page_path)
    sent = client.post(page_path, decision(estimate))

    for response in (shown, sent):
        assert_html(response, 409)
        assert "This repair order can no longer be approved online" in text(response)
    assert snapshot() == before


def test_nothing_pending_shows_the_decided_jobs_and_takes_no_decision(client, estimate, page_path):
    ticket_services.ticket_authorize(
        ticket=estimate.ticket,
        method="in_person",
        approved_job_ids=[estimate.brakes.pk],
        declined_job_ids=[estimate.belt.pk],
    )
    before = snapshot()

    shown = client.get(page_path)
    sent = client.post(page_path, decision(estimate))

    assert_html(shown, 200)
    assert_html(sent, 409)
    for response in (shown, sent):
        page = text(response)
        assert "Nothing on this repair order is waiting for your decision." in page
        assert "Already decided Approved Front brakes 232.50 Declined Timing belt 330.00" in page
        assert "<form" not in response.content.decode()
    assert snapshot() == before


def test_what_the_shop_typed_is_shown_as_text(client, estimate, page_path):
    ticket_services.job_create(ticket=estimate.ticket, title='<script>alert("x")</script>')

    response = client.get(page_path)

    html = response.content.decode()
    assert "<script" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_the_form_is_csrf_protected(estimate, page_path):
    browser = Client(enforce_csrf_checks=True)
    form = decision(estimate)

    refused = browser.post(page_path, form)

    assert refused.status_code == 403
    assert not Authorization.objects.exists()
    page = browser.get(page_path)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    accepted = browser.post(page_path, {**form, "csrfmiddlewaretoken": token})
    assert_html(accepted, 200)
    assert Authorization.objects.get().signed_name == "Dana Whitfield"


def test_the_page_is_throttled_per_address(client, estimate, page_path, settings):
    settings.THROTTLE_APPROVAL = "3/min"
    for _ in range(2):
        assert client.get(page_path, REMOTE_ADDR="198.51.100.1").status_code == 200
    assert client.post(page_path, {}, REMOTE_ADDR="198.51.100.1").status_code == 400

    throttled = client.get(page_path, REMOTE_ADDR="198.51.100.1")
    guessing = client.get("/approve/not-a-token/", REMOTE_ADDR="198.51.100.1")

    for response in (throttled, guessing):
        assert_html(response, 429)
        assert "Too many requests" in text(response)
        assert 1 <= int(response["Retry-After"]) <= 60
    assert client.get(page_path, REMOTE_ADDR="198.51.100.2").status_code == 200


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_other_methods_are_an_html_405(client, page_path, method):
    response = getattr(client, method)(page_path)

    assert_html(response, 405)
    assert response["Allow"] == "GET, HEAD, POST"


def test_another_tickets_link_shows_only_that_ticket(client, estimate, page_path, mechanic):
    other = ServiceTicketFactory(service_desc="Other customer's car")
    ticket_services.job_create(ticket=other, title="Clutch replacement")
    other_path = issue_link(other, by=mechanic.user)

    mine, theirs = text(client.get(page_path)), text(client.get(other_path))

    assert "Clutch replacement" not in mine and "Front brakes" in mine
    assert "Front brakes" not in theirs and "Clutch replacement" in theirs
    assert f"#{other.pk}" not in mine


def test_the_service_refuses_a_job_decided_after_the_form_was_read(estimate, page_path):
    """Between the form's check and the decision's lock, staff decide a job:
    the decision under the lock refuses it, and nothing is recorded."""
    link = ApprovalLink.objects.get()
    ticket_services.ticket_authorize(
        ticket=estimate.ticket, method="phone", declined_job_ids=[estimate.belt.pk]
    )

    with pytest.raises(ValidationError) as refused:
        approval_services.approval_link_decide(
            link=link,
            approved_job_ids=[estimate.brakes.pk, estimate.belt.pk],
            declined_job_ids=[],
            signed_name="Dana Whitfield",
        )

    assert "approved_job_ids" in refused.value.message_dict
    assert Authorization.objects.count() == 1  # the phone call's
    link.refresh_from_db()
    assert (link.decided_at, link.authorization) == (None, None)
    estimate.refresh()
    assert estimate.brakes.status == JobStatus.PENDING


def test_a_job_deleted_meanwhile_is_an_error(client, estimate, page_path):
    ticket_services.job_delete(ticket=estimate.ticket, job=estimate.belt)

    response = client.post(page_path, decision(estimate))

    assert_html(response, 400)
    assert "A job you saw is no longer on the estimate" in text(response)
    assert not Authorization.objects.exists()


@pytest.mark.mariadb
@mysql_only()
@pytest.mark.django_db(transaction=True)
def test_the_page_sent_twice_at_once_records_one_decision(estimate, page_path):
    form = decision(estimate)
    browsers = [Client(), Client()]

    statuses = run_concurrently(2, lambda i: browsers[i].post(page_path, form).status_code)

    assert sorted(statuses) == [200, 409]
    assert Authorization.objects.count() == 1
    assert ApprovalLink.objects.get().authorization == Authorization.objects.get()


def test_the_form_works_over_https_with_the_production_cookies(estimate, page_path, settings):
    """As behind production settings: HTTPS only, secure cookies, and the
    browser's Origin checked against the host."""
    settings.ALLOWED_HOSTS = ["shop.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    settings.CSRF_COOKIE_SECURE = True
    settings.SESSION_COOKIE_SECURE = True
    browser = Client(enforce_csrf_checks=True, HTTP_HOST="shop.example.com")

    assert browser.get(page_path).status_code == 301  # to https://
    page = browser.get(page_path, secure=True)
    cookie = page.cookies["csrftoken"]
    assert cookie["secure"] and cookie["samesite"] == "Lax"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    form = {**decision(estimate), "csrfmiddlewaretoken": token}
    elsewhere = browser.post(
        page_path, form, secure=True, headers={"Origin": "https://evil.example"}
    )
    accepted = browser.post(
        page_path, form, secure=True, headers={"Origin": "https://shop.example.com"}
    )

    assert elsewhere.status_code == 403
    assert_html(accepted, 200)
    assert Authorization.objects.count() == 1
