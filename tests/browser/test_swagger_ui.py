"""Swagger UI as an integrator uses it: the page works offline, lists every
endpoint group, and a customer logs in, authorizes and reads its tickets
with the page's own buttons."""

import json

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, CustomerFactory, ServiceTicketFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The groups an integrator must find, whatever else the schema grows.
CORE_TAGS = {"auth", "customers", "mechanics", "service-tickets", "inventory"}
SIDECAR_ASSETS = ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js")


def schema_tags(client) -> set[str]:
    schema = client.get("/api/schema/?format=json").json()
    return {
        tag
        for operations in schema["paths"].values()
        for operation in operations.values()
        for tag in operation.get("tags", [])
    }


def operation(page, method: str, path: str):
    """The block of one operation, expanded, with "Try it out" pressed."""
    block = page.locator(f".opblock-{method}").filter(
        has=page.locator(f'.opblock-summary-path[data-path="{path}"]')
    )
    block.locator(".opblock-summary").click()
    block.get_by_role("button", name="Try it out").click()
    return block


def execute(block) -> tuple[str, str]:
    """Press Execute; the status and body Swagger UI renders for the answer."""
    block.get_by_role("button", name="Execute").click()
    response = block.locator(".live-responses-table .response").first
    expect(response).to_be_visible()
    status = response.locator(".response-col_status").inner_text().strip()
    body = response.locator(".response-col_description pre.microlight").first.inner_text()
    return status, body


def test_customer_logs_in_authorizes_and_reads_my_tickets(
    page, live_server, client, traffic, artifacts_dir
):
    customer = CustomerFactory(name="Dana Whitfield")
    own = [
        ServiceTicketFactory(customer=customer, vin=vin, service_desc=desc)
        for vin, desc in [
            ("1HGCM82633A004352", "Front brake pads and rotor check"),
            ("JH4KA7561PC008269", "Oil change, 5W-30"),
        ]
    ]
    others = ServiceTicketFactory(customer=CustomerFactory(), vin="2T1BURHE0JC043821")

    page.goto(f"{live_server.url}/api/docs/")

    expect(page.locator(".information-container .title")).to_contain_text("Mechanic Shop API")
    # Every endpoint group of the schema is on the page, the core ones included.
    groups = page.locator(".opblock-tag-section h3.opblock-tag")
    expect(groups.first).to_be_visible()
    listed = {groups.nth(i).get_attribute("data-tag") for i in range(groups.count())}
    assert listed == schema_tags(client)
    assert listed >= CORE_TAGS

    # Log in with "Try it out" on the customers' door.
    login = operation(page, "post", "/customers/login/")
    login.locator("textarea.body-param__text").fill(
        json.dumps({"email": customer.user.email, "password": PASSWORD})
    )
    status, body = execute(login)
    assert status == "200", body
    access = json.loads(body)["access"]

    # Paste the raw token into "Authorize": Swagger UI adds "Bearer ".
    page.locator(".auth-wrapper button.authorize").click()
    dialog = page.locator(".modal-ux")
    # The JWT scheme's own form: the dialog also lists the admin's session
    # cookie (the PDF endpoints take it), with a button of the same name.
    bearer = dialog.locator(".auth-container", has_text="jwtAuth")
    bearer.locator("#auth-bearer-value").fill(access)
    bearer.get_by_role("button", name="Apply credentials").click()
    expect(bearer.locator("button", has_text="Logout")).to_be_visible()
    bearer.locator("button", has_text="Close").click()

    my_tickets = operation(page, "get", "/customers/my-tickets/")
    status, body = execute(my_tickets)

    assert status == "200", body
    for ticket in own:
        expect(my_tickets.locator(".live-responses-table")).to_contain_text(ticket.vin)
    assert {t["vin"] for t in json.loads(body)["results"]} == {t.vin for t in own}
    assert others.vin not in body
    expect(my_tickets.locator(".curl-command")).to_contain_text(f"Authorization: Bearer {access}")

    # The call and its answer, under the page's header with "Authorize" locked.
    page.set_viewport_size({"width": 1280, "height": 1600})
    my_tickets.evaluate("block => block.scrollIntoView({block: 'start'})")
    page.screenshot(path=artifacts_dir / "swagger-ui.png")

    # All of it came from the server itself: Swagger UI's own files included.
    assert traffic.requests and not traffic.off_host(), traffic.off_host()
    assert not traffic.failures, traffic.failures
    for asset in SIDECAR_ASSETS:
        url = f"{live_server.url}/static/drf_spectacular_sidecar/swagger-ui-dist/{asset}"
        assert traffic.statuses.get(url) == 200, (asset, traffic.statuses)
