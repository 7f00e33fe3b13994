"""The time-entry admin page: listed by mechanic and day, corrected through
the service (recorded), the corrections read-only."""

import datetime

import pytest
from django.test import Client

from shop.selectors import shop_settings
from tests.factories import AdminFactory, MechanicFactory
from timeclock.models import TimeEntry, TimeEntryCorrection
from timeclock.tests.test_time_clock_api import at, entry_at, in_progress_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return AdminFactory()


@pytest.fixture
def staff(admin):
    client = Client()
    client.force_login(admin)
    return client


@pytest.fixture
def entry():
    mechanic = MechanicFactory(name="Ana Wrench")
    return entry_at(mechanic, in_progress_ticket(mechanic), at(9, 8), at(9, 12))


def form(entry, start: datetime.datetime, end: datetime.datetime, corrections=0) -> dict:
    # The admin reads the times on the shop's wall clock (its time zone).
    zone = shop_settings().zone()
    start, end = start.astimezone(zone), end.astimezone(zone)
    return {
        "started_at_0": start.strftime("%Y-%m-%d"),
        "started_at_1": start.strftime("%H:%M:%S"),
        "ended_at_0": end.strftime("%Y-%m-%d"),
        "ended_at_1": end.strftime("%H:%M:%S"),
        "corrections-TOTAL_FORMS": str(corrections),
        "corrections-INITIAL_FORMS": str(corrections),
        "corrections-MIN_NUM_FORMS": "0",
        "corrections-MAX_NUM_FORMS": "1000",
    }


def test_the_list_by_mechanic_and_day(staff, entry):
    response = staff.get(
        "/admin/timeclock/timeentry/",
        {"mechanic__id__exact": entry.mechanic_id, "started_at__day": 9},
    )
    assert response.status_code == 200
    assert "Ana Wrench" in response.content.decode()
    assert staff.get("/admin/timeclock/timeentry/add/").status_code == 403


def test_a_correction_goes_through_the_service(staff, admin, entry):
    url = f"/admin/timeclock/timeentry/{entry.pk}/change/"
    assert staff.get(url).status_code == 200
    response = staff.post(url, form(entry, at(9, 8, 30), at(9, 12)))
    assert response.status_code == 302, response.content.decode()[:2000]
    entry.refresh_from_db()
    assert entry.started_at == at(9, 8, 30) and entry.minutes == 210
    [correction] = TimeEntryCorrection.objects.filter(entry=entry)
    assert correction.by == admin
    assert correction.before["started_at"] == "2026-03-09T08:00:00+00:00"
    # Shown read-only on the page.
    page = staff.get(url).content.decode()
    assert "2026-03-09T08:00:00+00:00" in page


def test_a_refused_correction_says_why_and_changes_nothing(staff, entry):
    entry_at(entry.mechanic, entry.ticket, at(9, 13), at(9, 15))
    url = f"/admin/timeclock/timeentry/{entry.pk}/change/"
    response = staff.post(url, form(entry, at(9, 8), at(9, 14)), follow=True)
    assert "overlap" in response.content.decode()
    entry.refresh_from_db()
    assert entry.ended_at == at(9, 12)
    assert not TimeEntryCorrection.objects.exists()
    assert TimeEntry.objects.count() == 2
