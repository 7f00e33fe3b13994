"""The Django admin as the shop's staff use it: a repair order written on
the ticket page, with its mechanics and parts, then found again in the list."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from inventory.models import Part
from tests.factories import (
    PASSWORD,
    AdminFactory,
    CustomerFactory,
    MechanicFactory,
    PartFactory,
    ServiceTicketFactory,
    VehicleFactory,
)
from tickets.models import ServiceTicket
from tickets.workflow import Status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIN = "1HGCM82633A004352"


def pick(page, select_id: str, search: str, option: str) -> None:
    """Choose in an autocomplete (select2) box as a person does: open it,
    type, click the option the server suggests."""
    page.locator(f"#{select_id} + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(search)
    page.locator(".select2-results__option", has_text=option).click()
    expect(page.locator(f"#{select_id} + .select2")).to_contain_text(option)


def test_staff_writes_a_ticket_with_mechanics_and_a_part(page, live_server, traffic, artifacts_dir):
    staff = AdminFactory(email="frontdesk@shop.test")
    customer = CustomerFactory(name="Dana Whitfield")
    first, second = MechanicFactory(name="Sam Ortega"), MechanicFactory(name="Kim Novak")
    pads = PartFactory(name="Brake pad set", part_number="BP-2041", quantity_in_stock=10)
    MechanicFactory(name="Not On This Job")
    # The car came in last year (that order is paid); another car waits for
    # its estimate.
    accord = VehicleFactory(customer=customer, vin=VIN, year=2003, make="Honda", model="Accord")
    ServiceTicketFactory(
        customer=customer,
        vehicle=accord,
        vin=VIN,
        service_date=timezone.localdate() - datetime.timedelta(days=365),
        status=Status.PAID,
    )
    ServiceTicketFactory(status=Status.ESTIMATE)

    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Shop records")).to_be_visible()

    page.locator("#tickets-serviceticket").get_by_role("link", name="Service tickets").click()
    page.get_by_role("link", name="Add service ticket").click()
    pick(page, "id_customer", "Whitfield", "Dana Whitfield")
    pick(page, "id_vehicle", "Accord", f"2003 Honda Accord ({VIN})")
    page.locator(".field-service_date .datetimeshortcuts").get_by_text("Today").click()
    page.get_by_label("Service description").fill("Front brake pads and rotor check")
    pick(page, "id_assignments-0-mechanic", "Ortega", "Sam Ortega")
    page.get_by_role("button", name="Add another Ticket mechanic").click()
    pick(page, "id_assignments-1-mechanic", "Novak", "Kim Novak")
    pick(page, "id_part_lines-0-part", "BP-2041", "Brake pad set")
    page.locator("#id_part_lines-0-quantity").fill("3")
    page.get_by_role("button", name="Save and continue editing").click()

    expect(page.locator(".messagelist .success")).to_contain_text("was added successfully")
    expect(page.locator("div.form-row.field-status")).to_contain_text("Estimate")
    ticket = ServiceTicket.objects.latest("id")
    assert (ticket.customer, ticket.vehicle, ticket.vin) == (customer, accord, VIN)
    assert (ticket.status, ticket.service_date) == (Status.ESTIMATE, timezone.localdate())
    assert set(ticket.mechanics.all()) == {first, second}
    line = ticket.part_lines.get()
    assert (line.part_id, line.quantity) == (pads.pk, 3)
    assert Part.objects.get(pk=pads.pk).quantity_in_stock == 10 - 3
    page.screenshot(path=artifacts_dir / "admin-ticket-change.png", full_page=True)

    # Found again in the list: searched by VIN, filtered by status.
    page.locator(".breadcrumbs").get_by_role("link", name="Service tickets").last.click()
    page.locator("#searchbar").fill(VIN)
    page.get_by_role("button", name="Search").click()
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(2)  # this visit and last year's
    page.locator("#changelist-filter").get_by_role("link", name="Estimate").click()

    expect(rows).to_have_count(1)
    expect(rows.first.locator(".field-id")).to_have_text(str(ticket.pk))
    expect(rows.first).to_contain_text("Dana Whitfield")
    # No count of the whole table on a filtered page (show_full_result_count).
    expect(page.locator("#changelist-search")).to_contain_text("1 result (Show all)")
    assert f"q={VIN}" in page.url and "status__exact=estimate" in page.url
    page.screenshot(path=artifacts_dir / "admin-ticket-list.png", full_page=True)

    # The admin's scripts and styles (select2 included) are the server's own.
    assert traffic.requests and not traffic.off_host(), traffic.off_host()
    assert not traffic.failures, traffic.failures
