"""The canned-job admin page: the job and its lines, saved through the
services (positions in the order shown, names unique whatever the case)."""

from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client

from canned_jobs.models import CannedJob
from canned_jobs.selectors import canned_job_lines
from tests.factories import AdminFactory, CannedJobFactory, PartFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    client = Client()
    client.force_login(AdminFactory())
    return client


def page(name, *, labor=(), parts=(), initial_labor=(), initial_parts=()):
    """The form as the page posts it: stored lines first (``(id, fields,
    deleted)``), then new ones."""
    data = {"name": name, "description": ""}
    for prefix, initial, new, fields in (
        ("labor_lines", initial_labor, labor, ("description", "hours", "rate")),
        ("part_lines", initial_parts, parts, ("part", "quantity")),
    ):
        rows = [*initial, *((None, values, False) for values in new)]
        data[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
        data[f"{prefix}-INITIAL_FORMS"] = str(len(initial))
        for i, (pk, values, deleted) in enumerate(rows):
            if pk is not None:
                data[f"{prefix}-{i}-id"] = str(pk)
            for field, value in zip(fields, values, strict=True):
                data[f"{prefix}-{i}-{field}"] = str(value)
            if deleted:
                data[f"{prefix}-{i}-DELETE"] = "on"
    return data


@pytest.mark.parametrize(
    "url", ["/admin/canned_jobs/cannedjob/?q=brake", "/admin/canned_jobs/cannedjob/add/"]
)
def test_pages_load(staff, url):
    CannedJobFactory(name="Front brake pads")
    assert staff.get(url).status_code == 200


def test_the_part_picker_searches_the_catalog(staff):
    pads = PartFactory(name="Brake pads")
    PartFactory(name="Wiper blade")
    response = staff.get(
        "/admin/autocomplete/",
        {
            "term": "brake",
            "app_label": "canned_jobs",
            "model_name": "cannedjobpart",
            "field_name": "part",
        },
    )
    assert response.status_code == 200
    assert response.json()["results"] == [{"id": str(pads.pk), "text": str(pads)}]


def test_add_a_job_with_its_lines(staff):
    pads, fluid = PartFactory(), PartFactory()
    response = staff.post(
        "/admin/canned_jobs/cannedjob/add/",
        page(
            "Front brake pads",
            labor=[("Replace pads", "1.20", ""), ("Bleed", "0.50", "80.00")],
            parts=[(pads.pk, 2), (fluid.pk, 1)],
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    job = CannedJob.objects.get()
    assert canned_job_lines(job) == (
        [
            {"description": "Replace pads", "hours": Decimal("1.20"), "rate": None},
            {"description": "Bleed", "hours": Decimal("0.50"), "rate": Decimal("80.00")},
        ],
        [{"part_id": pads.pk, "quantity": 2}, {"part_id": fluid.pk, "quantity": 1}],
    )
    assert LogEntry.objects.get().object_id == str(job.pk)


def test_change_deletes_keeps_and_appends_lines(staff):
    pads, fluid, rotor = PartFactory(), PartFactory(), PartFactory()
    job = CannedJobFactory(
        name="Brakes",
        labor=[{"description": "Pads", "hours": Decimal("1.00")}],
        parts=[{"part": pads, "quantity": 2}, {"part": fluid, "quantity": 1}],
    )
    pads_line, fluid_line = job.part_lines.order_by("position")
    [labor_line] = job.labor_lines.all()
    response = staff.post(
        f"/admin/canned_jobs/cannedjob/{job.pk}/change/",
        page(
            "Brakes and rotors",
            initial_labor=[(labor_line.pk, ("Pads", "1.50", ""), False)],
            initial_parts=[
                (pads_line.pk, (pads.pk, 2), True),
                (fluid_line.pk, (fluid.pk, 3), False),
            ],
            parts=[(rotor.pk, 2)],
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    job.refresh_from_db()
    assert job.name == "Brakes and rotors"
    labor, parts = canned_job_lines(job)
    assert [line["hours"] for line in labor] == [Decimal("1.50")]
    assert parts == [{"part_id": fluid.pk, "quantity": 3}, {"part_id": rotor.pk, "quantity": 2}]


def test_a_name_taken_in_another_case_is_refused_on_the_form(staff):
    CannedJobFactory(name="Alignment")
    response = staff.post("/admin/canned_jobs/cannedjob/add/", page("ALIGNMENT"))
    assert response.status_code == 200  # the form again, with the error
    assert "A canned job with this name already exists." in response.content.decode()
    assert CannedJob.objects.count() == 1
