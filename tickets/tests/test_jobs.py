"""Jobs on a repair order and their authorization, through the HTTP API:
jobs CRUD, lines on jobs, partial authorization and its totals, the
re-authorization of changed work, and the workflow's rules on jobs."""

from decimal import Decimal

import pytest

from inventory.models import Part
from tests.factories import PartFactory, ServiceTicketFactory
from tickets.models import Authorization, Job, TicketEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def rates(settings):
    settings.SHOP_LABOR_RATE = Decimal("90.00")
    settings.SHOP_PARTS_TAX_RATE = Decimal("0.08")
    settings.SHOP_LABOR_TAX_RATE = Decimal("0.05")


def url(ticket, tail=""):
    return f"/service-tickets/{ticket.pk}/{tail}"


def new_job(client, ticket, title):
    response = client.post(url(ticket, "jobs/"), {"title": title})
    assert response.status_code == 201, response.content
    return response.json()


def add_part(client, ticket, part, quantity=1, **body):
    return client.post(url(ticket, f"add-part/{part.pk}/"), {"quantity": quantity, **body})


def add_labor(client, ticket, mechanic, hours, **body):
    payload = {"mechanic_id": mechanic.pk, "description": "Work", "hours": hours, **body}
    return client.post(url(ticket, "labor/"), payload)


def detail(client, ticket):
    return client.get(url(ticket)).json()


def stock(part):
    return Part.objects.get(pk=part.pk).quantity_in_stock


@pytest.fixture
def two_jobs(mechanic_client, ticket, mechanic):
    """The worked example: "Brakes" (2 x 100.00 of parts, 2 h at 90.00:
    380.00) and "Timing belt" (50.00, 3 h: 320.00), 10 % off."""
    pads = PartFactory(price="100.00", quantity_in_stock=10)
    belt = PartFactory(price="50.00", quantity_in_stock=10)
    brakes = new_job(mechanic_client, ticket, "Brakes")
    timing = new_job(mechanic_client, ticket, "Timing belt")
    for job, part, quantity, hours in ((brakes, pads, 2, "2.00"), (timing, belt, 1, "3.00")):
        assert (
            add_part(mechanic_client, ticket, part, quantity, job_id=job["id"]).status_code == 200
        )
        assert (
            add_labor(mechanic_client, ticket, mechanic, hours, job_id=job["id"]).status_code == 201
        )
    patched = mechanic_client.patch(
        url(ticket), {"discount_type": "percent", "discount_value": "10.00"}
    )
    assert patched.status_code == 200, patched.content
    return {"brakes": brakes["id"], "timing": timing["id"], "pads": pads, "belt": belt}


def test_jobs_crud(mechanic_client, customer_client, ticket, part):
    job = new_job(mechanic_client, ticket, "Front brakes")
    assert job == {
        "id": job["id"],
        "title": "Front brakes",
        "status": "pending",
        "declined_reason": "",
        "position": 0,
        "canned_job_id": None,
        "recommendation_id": None,
        "subtotal": "0.00",
        "parts": [],
        "labor": [],
    }
    second = new_job(mechanic_client, ticket, "Alignment")
    assert second["position"] == 1
    listed = customer_client.get(url(ticket, "jobs/")).json()["results"]
    assert [j["title"] for j in listed] == ["Front brakes", "Alignment"]
    changed = mechanic_client.patch(
        url(ticket, f"jobs/{job['id']}/"), {"title": "Brakes", "position": 5}
    )
    assert changed.status_code == 200, changed.content
    assert (changed.json()["title"], changed.json()["position"]) == ("Brakes", 5)
    assert add_part(mechanic_client, ticket, part, 3, job_id=second["id"]).status_code == 200
    assert stock(part) == 7
    assert mechanic_client.delete(url(ticket, f"jobs/{second['id']}/")).status_code == 204
    assert stock(part) == 10  # its parts went back
    body = detail(mechanic_client, ticket)
    assert [j["title"] for j in body["jobs"]] == ["Brakes"]
    assert body["parts"] == [] and body["total"] == "0.00"
    actions = set(TicketEvent.objects.filter(ticket=ticket).values_list("action", flat=True))
    assert {"job_added", "job_changed", "job_removed"} <= actions


def test_job_errors(mechanic_client, customer_client, other_customer_client, anon, ticket):
    job = new_job(mechanic_client, ticket, "Brakes")
    blank = mechanic_client.post(url(ticket, "jobs/"), {"title": ""})
    assert blank.status_code == 400 and "title" in blank.json()
    assert customer_client.post(url(ticket, "jobs/"), {"title": "Mine"}).status_code == 403
    assert anon.get(url(ticket, "jobs/")).status_code == 401
    assert other_customer_client.get(url(ticket, "jobs/")).status_code == 404
    other = ServiceTicketFactory()
    assert (
        mechanic_client.patch(url(other, f"jobs/{job['id']}/"), {"title": "X"}).status_code == 404
    )
    assert mechanic_client.delete(url(ticket, "jobs/999999/")).json()["detail"]
    assert customer_client.delete(url(ticket, f"jobs/{job['id']}/")).status_code == 403
    assert Job.objects.filter(pk=job["id"], title="Brakes").exists()


def test_lines_go_to_their_job_or_to_general(mechanic_client, ticket, part, mechanic):
    brakes = new_job(mechanic_client, ticket, "Brakes")
    assert add_part(mechanic_client, ticket, part, 1).status_code == 200  # no job_id
    assert add_part(mechanic_client, ticket, part, 2, job_id=brakes["id"]).status_code == 200
    body = detail(mechanic_client, ticket)
    general = next(j for j in body["jobs"] if j["title"] == "General")
    assert [(p["job_id"], p["quantity"]) for p in body["parts"]] == [
        (general["id"], 1),
        (brakes["id"], 2),
    ]
    by_id = {j["id"]: j for j in body["jobs"]}
    assert by_id[brakes["id"]]["subtotal"] == "25.00"  # 2 x 12.50
    # The part is on two jobs: remove-part takes the General's unless told.
    removed = mechanic_client.post(url(ticket, f"remove-part/{part.pk}/"), {"job_id": brakes["id"]})
    assert removed.status_code == 200, removed.content
    assert [(p["job_id"], p["quantity"]) for p in removed.json()["parts"]] == [(general["id"], 1)]
    worked = add_labor(mechanic_client, ticket, mechanic, "1.00", job_id=brakes["id"])
    assert worked.json()["labor"][0]["job_id"] == brakes["id"]


def test_a_job_of_another_ticket_is_refused(mechanic_client, ticket, part, mechanic):
    other = ServiceTicketFactory()
    theirs = new_job(mechanic_client, other, "Theirs")
    refused = add_part(mechanic_client, ticket, part, 1, job_id=theirs["id"])
    assert refused.status_code == 400 and "job_id" in refused.json()
    refused = add_labor(mechanic_client, ticket, mechanic, "1.00", job_id=theirs["id"])
    assert refused.status_code == 400 and "job_id" in refused.json()
    assert stock(part) == 10 and not Job.objects.get(pk=theirs["id"]).part_lines.exists()


def test_a_part_on_two_jobs_needs_the_job_to_be_removed(mechanic_client, ticket, part):
    for title in ("Brakes", "Rotors"):
        job = new_job(mechanic_client, ticket, title)
        add_part(mechanic_client, ticket, part, 1, job_id=job["id"])
    refused = mechanic_client.post(url(ticket, f"remove-part/{part.pk}/"), {})
    assert refused.status_code == 400 and "job_id" in refused.json()


def test_partial_authorization_and_its_totals(customer_client, mechanic_client, ticket, two_jobs):
    before = detail(mechanic_client, ticket)
    # Both pending: 700.00 of work, 70.00 off (25.00 on parts, 45.00 on
    # labor), tax 18.00 + 20.25.
    assert (before["total"], before["authorized_total"]) == ("668.25", "0.00")
    response = customer_client.post(
        url(ticket, "authorizations/"),
        {
            "approved_job_ids": [two_jobs["brakes"]],
            "declined_job_ids": [two_jobs["timing"]],
            "declined_reason": "Next visit",
            "signed_name": "Pat Customer",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    recorded = response.json()
    # Brakes alone: 380.00, 38.00 off (20.00 parts, 18.00 labor), tax 14.40
    # + 8.10: 364.50.
    assert recorded == {
        "id": recorded["id"],
        "ticket_id": ticket.pk,
        "method": "online",
        "authorized_by": {"id": ticket.customer.user_id, "name": ticket.customer.name},
        "signed_name": "Pat Customer",
        "approved_job_ids": [two_jobs["brakes"]],
        "declined_job_ids": [two_jobs["timing"]],
        "authorized_amount": "364.50",
        "declined_reason": "Next visit",
        "note": "",
        "created_at": recorded["created_at"],
    }
    body = detail(mechanic_client, ticket)
    assert body["status"] == "approved"
    assert (body["total"], body["authorized_total"]) == ("364.50", "364.50")
    assert (body["parts_tax"], body["labor_tax"], body["discount"]) == ("14.40", "8.10", "38.00")
    statuses = {j["id"]: (j["status"], j["declined_reason"]) for j in body["jobs"]}
    assert statuses == {
        two_jobs["brakes"]: ("approved", ""),
        two_jobs["timing"]: ("declined", "Next visit"),
    }
    # The declined job stays on the ticket with its lines; its part is back.
    assert len(body["parts"]) == 2 and stock(two_jobs["belt"]) == 10
    assert stock(two_jobs["pads"]) == 8
    listed = mechanic_client.get(url(ticket, "authorizations/")).json()["results"]
    assert [a["id"] for a in listed] == [recorded["id"]]
    history = TicketEvent.objects.filter(ticket=ticket)
    assert history.filter(action="authorized").count() == 1
    assert history.filter(action="job_status_changed").count() == 2


def test_staff_record_the_method(mechanic_client, mechanic, ticket, two_jobs):
    response = mechanic_client.post(
        url(ticket, "authorizations/"),
        {"approved_job_ids": [two_jobs["brakes"], two_jobs["timing"]], "method": "phone"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["method"] == "phone" and body["authorized_amount"] == "668.25"
    assert body["authorized_by"] == {"id": mechanic.user_id, "name": mechanic.name}


@pytest.mark.parametrize(
    ("caller", "body", "field"),
    [
        ("mechanic_client", {"approved_job_ids": [999999]}, "approved_job_ids"),
        ("mechanic_client", {}, "approved_job_ids"),
        ("mechanic_client", {"approved_job_ids": ["x"]}, "approved_job_ids"),
        ("mechanic_client", {"approved_job_ids": "BRAKES", "method": "online"}, "method"),
        ("mechanic_client", {"approved_job_ids": "BRAKES", "method": "link"}, "method"),
        ("customer_client", {"approved_job_ids": "BRAKES", "method": "phone"}, "method"),
        (
            "mechanic_client",
            {"approved_job_ids": "BRAKES", "declined_job_ids": "BRAKES"},
            "declined_job_ids",
        ),
    ],
)
def test_authorization_validation(request, ticket, two_jobs, caller, body, field):
    client = request.getfixturevalue(caller)
    body = {k: [two_jobs["brakes"]] if v == "BRAKES" else v for k, v in body.items()}
    response = client.post(url(ticket, "authorizations/"), body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Authorization.objects.exists()
    assert not Job.objects.filter(ticket=ticket).exclude(status="pending").exists()


def test_a_job_not_pending_is_named(mechanic_client, ticket, two_jobs):
    approve = {"approved_job_ids": [two_jobs["brakes"]]}
    assert (
        mechanic_client.post(url(ticket, "authorizations/"), approve, format="json").status_code
        == 201
    )
    again = mechanic_client.post(url(ticket, "authorizations/"), approve, format="json")
    assert again.status_code == 400
    assert str(two_jobs["brakes"]) in again.json()["approved_job_ids"][0]
    assert "approved, not pending" in again.json()["approved_job_ids"][0]


def test_authorization_refusals(other_customer_client, anon, ticket, two_jobs):
    body = {"approved_job_ids": [two_jobs["brakes"]]}
    assert (
        other_customer_client.post(url(ticket, "authorizations/"), body, format="json").status_code
        == 404
    )
    assert anon.post(url(ticket, "authorizations/"), body, format="json").status_code == 401
    assert other_customer_client.get(url(ticket, "authorizations/")).status_code == 404
    assert not Authorization.objects.exists()


def test_changed_work_is_authorized_again(
    mechanic_client, customer_client, ticket, two_jobs, mechanic
):
    everything = {"approved_job_ids": [two_jobs["brakes"], two_jobs["timing"]]}
    assert (
        customer_client.post(url(ticket, "authorizations/"), everything, format="json").status_code
        == 201
    )
    for action in ("start", "complete"):
        assert mechanic_client.post(url(ticket, f"{action}/")).status_code == 200, action
    # More pads on the approved brake job: it waits for the customer again.
    changed = add_part(mechanic_client, ticket, two_jobs["pads"], 1, job_id=two_jobs["brakes"])
    jobs = {j["id"]: j["status"] for j in changed.json()["jobs"]}
    assert jobs == {two_jobs["brakes"]: "pending", two_jobs["timing"]: "approved"}
    refused = mechanic_client.post(url(ticket, "invoice/"))
    assert refused.status_code == 409
    assert refused.json()["code"] == "jobs_pending"
    assert refused.json()["jobs"] == [{"id": two_jobs["brakes"], "title": "Brakes"}]
    assert "Brakes" in refused.json()["detail"]
    # The status does not go back; the new authorization takes the work.
    assert changed.json()["status"] == "completed"
    again = customer_client.post(
        url(ticket, "authorizations/"), {"approved_job_ids": [two_jobs["brakes"]]}, format="json"
    )
    assert again.status_code == 201
    invoiced = mechanic_client.post(url(ticket, "invoice/"))
    assert invoiced.status_code == 200, invoiced.content
    assert invoiced.json()["total"] == invoiced.json()["authorized_total"]


def test_changed_labor_reopens_its_job(mechanic_client, ticket, two_jobs):
    approve = {"approved_job_ids": [two_jobs["brakes"]]}
    mechanic_client.post(url(ticket, "authorizations/"), approve, format="json")
    line = next(
        line
        for line in detail(mechanic_client, ticket)["labor"]
        if line["job_id"] == two_jobs["brakes"]
    )
    renamed = mechanic_client.patch(url(ticket, f"labor/{line['id']}/"), {"description": "Pads"})
    assert {j["id"]: j["status"] for j in renamed.json()["jobs"]}[two_jobs["brakes"]] == "approved"
    more = mechanic_client.patch(url(ticket, f"labor/{line['id']}/"), {"hours": "2.50"})
    assert {j["id"]: j["status"] for j in more.json()["jobs"]}[two_jobs["brakes"]] == "pending"


def test_start_needs_an_approved_job(mechanic_client, ticket, two_jobs):
    approve = {"approved_job_ids": [two_jobs["brakes"]]}
    mechanic_client.post(url(ticket, "authorizations/"), approve, format="json")
    add_part(mechanic_client, ticket, two_jobs["pads"], 1, job_id=two_jobs["brakes"])
    refused = mechanic_client.post(url(ticket, "start/"))
    assert refused.status_code == 409 and refused.json()["code"] == "no_approved_job"


def test_approve_and_decline_act_on_pending_jobs(
    mechanic_client, customer_client, ticket, two_jobs, part
):
    approved = customer_client.post(url(ticket, "approve/"))
    assert approved.status_code == 200
    assert {j["status"] for j in approved.json()["jobs"]} == {"approved"}
    assert mechanic_client.post(url(ticket, "start/")).status_code == 200
    extra = new_job(mechanic_client, ticket, "Wipers")
    add_part(mechanic_client, ticket, part, 1, job_id=extra["id"])
    declined = customer_client.post(url(ticket, "decline/"), {"reason": "Not today"})
    assert declined.status_code == 200, declined.content
    body = declined.json()
    assert body["status"] == "in_progress"  # the status does not go back
    assert {j["id"]: j["status"] for j in body["jobs"]}[extra["id"]] == "declined"
    assert body["total"] == body["authorized_total"] == "668.25"
    methods = list(Authorization.objects.filter(ticket=ticket).values_list("method", flat=True))
    assert methods == ["online", "online"]


def test_approve_without_pending_jobs_on_a_started_ticket_is_refused(mechanic_client, ticket):
    assert mechanic_client.post(url(ticket, "approve/")).status_code == 200
    assert mechanic_client.post(url(ticket, "start/")).status_code == 200
    refused = mechanic_client.post(url(ticket, "approve/"))
    assert refused.status_code == 409 and refused.json()["code"] == "invalid_transition"


def test_an_approved_job_of_a_started_ticket_stays(mechanic_client, ticket, two_jobs):
    mechanic_client.post(url(ticket, "approve/"))
    mechanic_client.post(url(ticket, "start/"))
    refused = mechanic_client.delete(url(ticket, f"jobs/{two_jobs['brakes']}/"))
    assert refused.status_code == 409 and refused.json()["code"] == "job_started"
    assert Job.objects.filter(pk=two_jobs["brakes"]).exists()


def test_a_declined_job_takes_no_new_lines(mechanic_client, ticket, two_jobs):
    body = {"declined_job_ids": [two_jobs["timing"]]}
    mechanic_client.post(url(ticket, "authorizations/"), body, format="json")
    refused = add_part(mechanic_client, ticket, two_jobs["belt"], 1, job_id=two_jobs["timing"])
    assert refused.status_code == 409 and refused.json()["code"] == "job_declined"
    # Cancelling gives back the parts still held, not the declined job's twice.
    assert mechanic_client.post(url(ticket, "cancel/")).status_code == 200
    assert stock(two_jobs["belt"]) == 10 and stock(two_jobs["pads"]) == 10


def test_no_authorization_once_invoiced(mechanic_client, ticket, part):
    add_part(mechanic_client, ticket, part, 1)
    for action in ("approve", "start", "complete", "invoice"):
        assert mechanic_client.post(url(ticket, f"{action}/")).status_code == 200, action
    job = Job.objects.get(ticket=ticket)
    refused = mechanic_client.post(
        url(ticket, "authorizations/"), {"declined_job_ids": [job.pk]}, format="json"
    )
    assert refused.status_code == 409 and refused.json()["code"] == "ticket_locked"


def test_the_admin_authorizes_too(admin_client, ticket, two_jobs):
    body = {"approved_job_ids": [two_jobs["timing"]], "method": "email", "note": "Replied yes"}
    response = admin_client.post(url(ticket, "authorizations/"), body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["authorized_by"]["name"] == "Shop staff"
