"""The customer's approval page as a customer uses it, in Chromium: the
link the shop issued opened, one job approved and one declined with a
reason, signed, sent; then the decision as staff find it in the API. Also
the page of an expired link, of a used one, and the page at a phone's width."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from rest_framework_simplejwt.tokens import RefreshToken

from approvals.models import ApprovalLink
from tests.factories import MechanicFactory, PartFactory, ServiceTicketFactory, VehicleFactory
from tickets import services as ticket_services
from tickets.models import Authorization, JobStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def bearer(user) -> dict:
    refresh = RefreshToken.for_user(user)
    refresh["role"] = user.role
    return {"Authorization": f"Bearer {refresh.access_token}"}


def estimate(*, belt_title="Timing belt"):
    """A ticket with two pending jobs: front brakes (232.50) and the belt (330.00)."""
    mechanic = MechanicFactory(name="Sam Ortega")
    vehicle = VehicleFactory(vin="1HGCM82633A004352", year=2018, make="Toyota", model="Corolla")
    ticket = ServiceTicketFactory(
        customer=vehicle.customer, vehicle=vehicle, vin=vehicle.vin, mechanics=[mechanic]
    )
    brakes = ticket_services.job_create(ticket=ticket, title="Front brakes")
    belt = ticket_services.job_create(ticket=ticket, title=belt_title)
    pads = PartFactory(name="Brake pad set (front, ceramic)", price="45.00", quantity_in_stock=10)
    ticket_services.ticket_add_part(ticket=ticket, part=pads, quantity=2, job_id=brakes.pk)
    for job, description, hours, rate in [
        (brakes, "Replace front pads", "1.50", "95.00"),
        (belt, "Replace timing belt and tensioner", "3.00", "110.00"),
    ]:
        ticket_services.ticket_add_labor(
            ticket=ticket,
            mechanic=mechanic,
            description=description,
            hours=Decimal(hours),
            rate=Decimal(rate),
            job_id=job.pk,
        )
    return ticket, brakes, belt, mechanic


def issue_link(page, live_server, ticket, staff) -> str:
    """The link, as the shop's front desk gets it from the API."""
    response = page.request.post(
        f"{live_server.url}/service-tickets/{ticket.pk}/approval-link/",
        data={"expires_in_hours": 24},
        headers=bearer(staff),
    )
    assert response.status == 201, response.text()
    url = response.json()["url"]
    assert url.startswith(f"{live_server.url}/approve/")
    return url


def decide(page, brakes: str, belt: str) -> None:
    """Approve the brakes, decline the belt with a reason, sign, send."""
    page.get_by_role("group", name=f"Your decision on “{brakes}”").get_by_label("Approve").check()
    page.get_by_role("group", name=f"Your decision on “{belt}”").get_by_label("Decline").check()
    page.get_by_label("Reason for declining (optional)").fill("Next month, after payday")
    page.get_by_label("Your full name (signature)").fill("Dana Whitfield")
    page.get_by_role("button", name="Send my decision").click()


def test_customer_approves_one_job_declines_another_and_staff_find_it(
    page, live_server, traffic, artifacts_dir
):
    ticket, brakes, belt, mechanic = estimate()
    url = issue_link(page, live_server, ticket, mechanic.user)

    answer = page.goto(url)

    assert answer.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Your approval for repair order #{ticket.pk}"
    )
    expect(page.locator("header")).to_contain_text("Mechanic Shop")
    expect(page.locator(".vehicle")).to_contain_text("2018 Toyota Corolla")
    expect(page.locator(".vehicle")).to_contain_text("VIN 1HGCM82633A004352")
    brakes_card = page.locator(f"#job-{brakes.pk}")
    expect(brakes_card).to_contain_text("Brake pad set (front, ceramic)")
    expect(brakes_card).to_contain_text("232.50")
    expect(page.locator(f"#job-{belt.pk}")).to_contain_text("330.00")
    expect(page.locator(".totals .total")).to_contain_text("593.56")

    decide(page, "Front brakes", "Timing belt")

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Thank you: your decision is recorded"
    )
    expect(page.locator(".decided")).to_contain_text("signed by Dana Whitfield")
    expect(page.locator(".decided .total")).to_contain_text("247.06")
    page.screenshot(path=artifacts_dir / "approval-page-decided.png", full_page=True)

    # The front desk finds the decision in the API.
    listed = page.request.get(
        f"{live_server.url}/service-tickets/{ticket.pk}/authorizations/",
        headers=bearer(mechanic.user),
    )
    assert listed.status == 200, listed.text()
    [authorization] = listed.json()["results"]
    assert authorization["method"] == "link"
    assert authorization["authorized_by"] is None
    assert authorization["signed_name"] == "Dana Whitfield"
    assert authorization["approved_job_ids"] == [brakes.pk]
    assert authorization["declined_job_ids"] == [belt.pk]
    assert authorization["declined_reason"] == "Next month, after payday"
    assert authorization["authorized_amount"] == "247.06"
    stored = Authorization.objects.get()
    assert stored.ip_address == "127.0.0.1"
    assert "Chrome" in stored.user_agent
    brakes.refresh_from_db()
    belt.refresh_from_db()
    assert (brakes.status, belt.status) == (JobStatus.APPROVED, JobStatus.DECLINED)

    # The page is all the server's own: nothing asked of another host.
    assert traffic.requests and not traffic.off_host(), traffic.off_host()
    assert not traffic.failures, traffic.failures


def test_an_expired_link_shows_the_410_page(page, live_server, artifacts_dir):
    ticket, _, _, mechanic = estimate()
    url = issue_link(page, live_server, ticket, mechanic.user)
    ApprovalLink.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))

    answer = page.goto(url)

    assert answer.status == 410
    expect(page.get_by_role("heading", level=1)).to_have_text("This link has expired")
    expect(page.locator("main")).to_contain_text("Ask the shop to send you a new one.")
    expect(page.locator("form")).to_have_count(0)
    page.screenshot(path=artifacts_dir / "approval-page-expired.png", full_page=True)


def test_a_used_link_shows_its_decision(page, live_server, artifacts_dir):
    ticket, _, _, mechanic = estimate()
    url = issue_link(page, live_server, ticket, mechanic.user)
    page.goto(url)
    decide(page, "Front brakes", "Timing belt")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Thank you: your decision is recorded"
    )

    answer = page.goto(url)  # the link opened again, from the mail

    assert answer.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text("Your decision was already recorded")
    expect(page.locator(".decided")).to_contain_text("Approved Front brakes")
    expect(page.locator(".decided")).to_contain_text("Declined Timing belt")
    expect(page.locator(".decided .total")).to_contain_text("247.06")
    expect(page.get_by_role("button", name="Send my decision")).to_have_count(0)
    assert Authorization.objects.count() == 1
    page.screenshot(path=artifacts_dir / "approval-page-used.png", full_page=True)


def test_the_page_fits_a_phone(browser, live_server, artifacts_dir):
    # A long job title and part name must wrap, not widen the page.
    ticket, _, _, mechanic = estimate(
        belt_title="Timing belt, water pump and serpentine belt (manufacturer interval)"
    )
    # A phone's browser lays a page out at its own width only when the page's
    # viewport meta says so (is_mobile honours it, as a phone does).
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    try:
        context.set_default_timeout(10_000)
        page = context.new_page()
        url = issue_link(page, live_server, ticket, mechanic.user)

        page.goto(url)
        brakes = page.get_by_role("group", name="Your decision on “Front brakes”")
        brakes.get_by_label("Approve").check()
        page.get_by_label("Your full name (signature)").fill("Dana Whitfield")

        assert page.evaluate("window.innerWidth") == PHONE["width"]
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        send = page.get_by_role("button", name="Send my decision").bounding_box()
        assert send["x"] >= 0 and send["x"] + send["width"] <= PHONE["width"]
        page.screenshot(path=artifacts_dir / "approval-page-phone.png", full_page=True)
    finally:
        context.close()
