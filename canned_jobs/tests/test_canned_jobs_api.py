"""/canned-jobs/ through the HTTP API, and the lines a ticket applies."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from canned_jobs import services
from canned_jobs.models import CannedJob, CannedJobLabor, CannedJobPart
from canned_jobs.selectors import canned_job_lines
from conftest import mysql_only
from inventory.models import Part
from tests.factories import CannedJobFactory, PartFactory

pytestmark = pytest.mark.django_db


def new_job(part, **changes):
    return {
        "name": "Front brake pads",
        "description": "Pads, both sides, and a road test",
        "labor": [
            {"description": "Replace front pads", "hours": "1.2", "rate": "110.00"},
            {"description": "Road test", "hours": "0.25"},
        ],
        "parts": [{"part_id": part.pk, "quantity": 2}],
        **changes,
    }


@pytest.fixture
def brake_job(part):
    oil = PartFactory(name="Brake fluid")
    return CannedJobFactory(
        name="Front brake pads",
        labor=[
            {"description": "Replace front pads", "hours": Decimal("1.20"), "rate": None},
            {"description": "Bleed brakes", "hours": Decimal("0.50"), "rate": Decimal("80.00")},
        ],
        parts=[{"part": part, "quantity": 2}, {"part": oil, "quantity": 1}],
    )


def test_admin_adds_a_canned_job(admin_client, part):
    response = admin_client.post("/canned-jobs/", new_job(part))
    assert response.status_code == 201, response.content
    body = response.json()
    job = CannedJob.objects.get()
    assert body == {
        "id": job.pk,
        "name": "Front brake pads",
        "description": "Pads, both sides, and a road test",
        "labor": [
            {"description": "Replace front pads", "hours": "1.20", "rate": "110.00"},
            {"description": "Road test", "hours": "0.25", "rate": None},
        ],
        "parts": [{"part_id": part.pk, "name": part.name, "quantity": 2}],
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
    }
    assert admin_client.get(f"/canned-jobs/{job.pk}/").json() == body


def test_a_canned_job_needs_only_a_name(admin_client):
    response = admin_client.post("/canned-jobs/", {"name": "Diagnosis"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["description"], body["labor"], body["parts"]) == ("", [], [])


@pytest.mark.parametrize("who", ["mechanic", "admin"])
def test_staff_read_the_catalog(request, who, brake_job, part):
    client = request.getfixturevalue(f"{who}_client")
    response = client.get("/canned-jobs/")
    assert response.status_code == 200
    [job] = response.json()["results"]
    assert job["id"] == brake_job.pk
    assert [line["description"] for line in job["labor"]] == ["Replace front pads", "Bleed brakes"]
    assert job["labor"][0]["rate"] is None and job["labor"][1]["rate"] == "80.00"
    fluid = brake_job.part_lines.get(position=2).part_id
    assert job["parts"] == [
        {"part_id": part.pk, "name": part.name, "quantity": 2},
        {"part_id": fluid, "name": "Brake fluid", "quantity": 1},
    ]
    detail = client.get(f"/canned-jobs/{brake_job.pk}/")
    assert detail.status_code == 200 and detail.json() == job


def test_list_is_paginated_searched_and_ordered_by_name(mechanic_client):
    for name in ("Oil change 5W-30", "Front brake pads", "Oil change 0W-20", "Alignment"):
        CannedJobFactory(name=name)

    def names(query=""):
        response = mechanic_client.get(f"/canned-jobs/?{query}")
        assert response.status_code == 200, response.content
        return [job["name"] for job in response.json()["results"]]

    assert names() == ["Alignment", "Front brake pads", "Oil change 0W-20", "Oil change 5W-30"]
    assert names("search=OIL") == ["Oil change 0W-20", "Oil change 5W-30"]
    assert names("ordering=-name&search=oil") == ["Oil change 5W-30", "Oil change 0W-20"]
    page = mechanic_client.get("/canned-jobs/?page_size=3&page=2").json()
    assert page["count"] == 4 and [j["name"] for j in page["results"]] == ["Oil change 5W-30"]
    assert mechanic_client.get("/canned-jobs/?ordering=created_at").status_code == 400


def test_list_query_count_does_not_grow_with_the_page(mechanic_client, django_assert_num_queries):
    parts = PartFactory.create_batch(3)
    for i in range(12):
        CannedJobFactory(
            labor=[{"description": f"Step {n}", "hours": Decimal("1.00")} for n in range(2)],
            parts=[{"part": p, "quantity": i + 1} for p in parts],
        )
    # The JWT's user, the count, the page, its labor lines, its part lines
    # with their part's name.
    for size in (2, 12):
        with django_assert_num_queries(5):
            response = mechanic_client.get(f"/canned-jobs/?page_size={size}")
        results = response.json()["results"]
        assert len(results) == size
        assert all(len(j["labor"]) == 2 and len(j["parts"]) == 3 for j in results)
        assert results[0]["parts"][0]["name"] == parts[0].name


def test_put_replaces_the_job_and_its_lists(admin_client, brake_job, part):
    other = PartFactory()
    body = {
        "name": "Front brake pads and rotors",
        "labor": [{"description": "Pads and rotors", "hours": "2.5"}],
        "parts": [{"part_id": other.pk, "quantity": 2}, {"part_id": part.pk, "quantity": 4}],
    }
    response = admin_client.put(f"/canned-jobs/{brake_job.pk}/", body)
    assert response.status_code == 200, response.content
    job = response.json()
    assert job["name"] == "Front brake pads and rotors"
    assert job["description"] == ""  # not sent: emptied, as a replacement does
    assert job["labor"] == [{"description": "Pads and rotors", "hours": "2.50", "rate": None}]
    assert [(p["part_id"], p["quantity"]) for p in job["parts"]] == [(other.pk, 2), (part.pk, 4)]
    assert CannedJobLabor.objects.count() == 1 and CannedJobPart.objects.count() == 2


def test_patch_replaces_only_the_lists_it_sends(admin_client, brake_job, part):
    url = f"/canned-jobs/{brake_job.pk}/"
    before = admin_client.get(url).json()

    response = admin_client.patch(url, {"description": "Both front wheels"})
    assert response.status_code == 200, response.content
    after = response.json()
    assert after["description"] == "Both front wheels"
    assert (after["labor"], after["parts"]) == (before["labor"], before["parts"])

    response = admin_client.patch(url, {"parts": [{"part_id": part.pk, "quantity": 6}]})
    assert response.status_code == 200, response.content
    after = response.json()
    assert after["parts"] == [{"part_id": part.pk, "name": part.name, "quantity": 6}]
    assert after["labor"] == before["labor"]

    response = admin_client.patch(url, {"labor": []})
    assert response.status_code == 200 and response.json()["labor"] == []
    assert response.json()["parts"] == after["parts"]


def test_admin_deletes_a_canned_job_and_the_parts_stay(admin_client, brake_job, part):
    response = admin_client.delete(f"/canned-jobs/{brake_job.pk}/")
    assert response.status_code == 204 and not response.content
    assert not CannedJob.objects.exists()
    assert not CannedJobLabor.objects.exists() and not CannedJobPart.objects.exists()
    assert Part.objects.filter(pk=part.pk).exists()
    assert admin_client.get(f"/canned-jobs/{brake_job.pk}/").status_code == 404


@pytest.mark.parametrize(
    "who, expected",
    [("anon", 401), ("customer_client", 403), ("mechanic_client", 403)],
)
def test_only_admins_write(request, brake_job, part, who, expected):
    client = request.getfixturevalue(who)
    url = f"/canned-jobs/{brake_job.pk}/"
    answers = [
        client.post("/canned-jobs/", new_job(part, name="Other")),
        client.put(url, new_job(part)),
        client.patch(url, {"name": "Renamed"}),
        client.delete(url),
    ]
    for response in answers:
        assert response.status_code == expected
        assert response.json()["code"] in {"not_authenticated", "permission_denied"}
    assert CannedJob.objects.get().name == "Front brake pads"
    assert CannedJobPart.objects.count() == 2


@pytest.mark.parametrize("who, expected", [("anon", 401), ("customer_client", 403)])
def test_customers_and_anonymous_cannot_read(request, brake_job, who, expected):
    client = request.getfixturevalue(who)
    for url in ("/canned-jobs/", f"/canned-jobs/{brake_job.pk}/"):
        response = client.get(url)
        assert response.status_code == expected
        assert "detail" in response.json()


def test_unknown_canned_job_is_a_json_404(admin_client):
    for method in ("get", "put", "patch", "delete"):
        response = getattr(admin_client, method)("/canned-jobs/999999/", {"name": "X"})
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"labor": [{"description": "Pads", "hours": "0"}]}, "labor"),
        ({"labor": [{"description": "Pads", "hours": "1000.01"}]}, "labor"),
        ({"labor": [{"description": "Pads", "hours": "1.234"}]}, "labor"),
        ({"labor": [{"description": "Pads", "hours": "abc"}]}, "labor"),
        ({"labor": [{"description": "Pads", "hours": "1", "rate": "-1"}]}, "labor"),
        ({"labor": [{"description": "x" * 501, "hours": "1"}]}, "labor"),
        ({"labor": [{"hours": "1"}]}, "labor"),
        ({"parts": [{"part_id": 1, "quantity": 0}]}, "parts"),
        ({"parts": [{"part_id": 1, "quantity": 100_001}]}, "parts"),
        ({"parts": [{"part_id": "one", "quantity": 1}]}, "parts"),
        ({"parts": {"part_id": 1}}, "parts"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(admin_client, part, changes, field):
    response = admin_client.post("/canned-jobs/", new_job(part, **changes))
    assert response.status_code == 400
    assert field in response.json()
    assert not CannedJob.objects.exists()


def test_bad_hours_are_reported_on_their_line(admin_client, part):
    labor = [{"description": "Pads", "hours": "1"}, {"description": "Rotors", "hours": "0"}]
    response = admin_client.post("/canned-jobs/", new_job(part, labor=labor))
    assert response.status_code == 400
    assert list(response.json()["labor"]) == ["1"]
    assert "hours" in response.json()["labor"]["1"]


def test_unknown_part_is_a_400_on_its_part_id(admin_client, part):
    parts = [{"part_id": part.pk, "quantity": 1}, {"part_id": 999_999, "quantity": 1}]
    response = admin_client.post("/canned-jobs/", new_job(part, parts=parts))
    assert response.status_code == 400
    assert response.json() == {"parts": {"1": {"part_id": ["Unknown part id: 999999."]}}}
    assert not CannedJob.objects.exists()


def test_the_same_part_twice_is_a_400(admin_client, brake_job, part):
    parts = [{"part_id": part.pk, "quantity": 1}, {"part_id": part.pk, "quantity": 3}]
    response = admin_client.post("/canned-jobs/", new_job(part, name="Other", parts=parts))
    assert response.status_code == 400
    assert "listed more than once" in response.json()["parts"][0]
    assert CannedJob.objects.count() == 1
    # An update is refused the same way, and leaves the job as it was.
    response = admin_client.patch(f"/canned-jobs/{brake_job.pk}/", {"parts": parts})
    assert response.status_code == 400 and "parts" in response.json()
    assert brake_job.part_lines.count() == 2


@pytest.mark.parametrize("name", ["Front brake pads", "FRONT BRAKE PADS", "front brake pads"])
def test_a_name_taken_whatever_its_case_is_a_400(admin_client, brake_job, part, name):
    response = admin_client.post("/canned-jobs/", new_job(part, name=name))
    assert response.status_code == 400
    assert response.json() == {"name": ["A canned job with this name already exists."]}
    other = CannedJobFactory(name="Oil change")
    response = admin_client.patch(f"/canned-jobs/{other.pk}/", {"name": name})
    assert response.status_code == 400 and "name" in response.json()
    # A job keeps its own name, in another case too.
    response = admin_client.patch(f"/canned-jobs/{brake_job.pk}/", {"name": name.upper()})
    assert response.status_code == 200 and response.json()["name"] == name.upper()


def test_the_service_refuses_a_taken_name_by_itself(brake_job):
    """What the serializer checks first, the service checks in its own
    transaction (the admin and other callers go through it too)."""
    with pytest.raises(ValidationError) as refused:
        services.canned_job_create(name="FRONT brake pads")
    assert refused.value.message_dict == {"name": ["A canned job with this name already exists."]}
    assert CannedJob.objects.count() == 1


def test_deleting_a_part_a_canned_job_uses_is_a_409(admin_client, brake_job, part):
    response = admin_client.delete(f"/inventory/{part.pk}/")
    assert response.status_code == 409
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "conflict"
    assert "detail" in response.json()
    part.refresh_from_db()
    assert brake_job.part_lines.filter(part=part).exists()
    # Once no job uses it, the part can go.
    admin_client.patch(f"/canned-jobs/{brake_job.pk}/", {"parts": []})
    assert admin_client.delete(f"/inventory/{part.pk}/").status_code == 204


def test_canned_job_lines_are_what_a_ticket_applies(brake_job, part):
    labor, parts = canned_job_lines(brake_job)
    fluid = brake_job.part_lines.get(position=2).part_id
    assert labor == [
        {"description": "Replace front pads", "hours": Decimal("1.20"), "rate": None},
        {"description": "Bleed brakes", "hours": Decimal("0.50"), "rate": Decimal("80.00")},
    ]
    assert parts == [{"part_id": part.pk, "quantity": 2}, {"part_id": fluid, "quantity": 1}]


def test_canned_job_lines_follow_the_order_last_given(admin_client, brake_job, part):
    fluid = brake_job.part_lines.get(position=2).part_id
    body = {
        "labor": [
            {"description": "Bleed brakes", "hours": "0.5"},
            {"description": "Replace front pads", "hours": "1.2", "rate": "95.50"},
        ],
        "parts": [{"part_id": fluid, "quantity": 2}, {"part_id": part.pk, "quantity": 1}],
    }
    assert admin_client.patch(f"/canned-jobs/{brake_job.pk}/", body).status_code == 200
    labor, parts = canned_job_lines(brake_job)
    assert [(line["description"], line["rate"]) for line in labor] == [
        ("Bleed brakes", None),
        ("Replace front pads", Decimal("95.50")),
    ]
    assert parts == [{"part_id": fluid, "quantity": 2}, {"part_id": part.pk, "quantity": 1}]
    assert canned_job_lines(CannedJobFactory()) == ([], [])


@pytest.mark.django_db(transaction=True)
def test_a_name_taken_meanwhile_is_a_400_not_a_500(monkeypatch):
    """Another request takes the name between the checks (the serializer's,
    the service's: skipped here) and the insert: the unique index refuses,
    and the answer is the same 400."""
    CannedJobFactory(name="Alignment")
    monkeypatch.setattr(services, "canned_job_name_check", lambda **kwargs: None)
    with pytest.raises(ValidationError) as refused:
        services.canned_job_create(name="Alignment")
    assert refused.value.message_dict == {"name": ["A canned job with this name already exists."]}
    assert CannedJob.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_part_deleted_meanwhile_is_a_400_not_a_500(part):
    """The part is deleted after the input was checked: the foreign key
    refuses the line, and the job is not stored."""
    gone = PartFactory()
    gone_id = gone.pk
    gone.delete()
    gone.pk = gone_id
    with pytest.raises(ValidationError) as refused:
        services.canned_job_create(
            name="Wipers", parts=[{"part": part, "quantity": 1}, {"part": gone, "quantity": 1}]
        )
    assert refused.value.message_dict == {"parts": [f"Unknown part id(s): {gone_id}."]}
    assert not CannedJob.objects.exists()


@mysql_only()
def test_on_mariadb_the_unique_index_ignores_case(brake_job):
    """What makes a name unique whatever its case on MariaDB, whoever writes
    the row: the collation of the unique index (canned_jobs.models)."""
    with pytest.raises(IntegrityError), transaction.atomic():
        CannedJob.objects.create(name="FRONT BRAKE PADS")
