"""GET/PATCH /shop/: who reads and writes the shop's settings, what each
field accepts, and the change log."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest

from shop.models import ShopSettings, ShopSettingsChange
from shop.selectors import shop_settings

pytestmark = pytest.mark.django_db

WEEK = [
    *({"weekday": d, "opens": "08:00", "closes": "18:00", "closed": False} for d in range(5)),
    {"weekday": 5, "opens": "09:00", "closes": "14:00", "closed": False},
    {"weekday": 6, "opens": None, "closes": None, "closed": True},
]


@pytest.fixture
def defaults(shop):
    """The shop as the environment's defaults make it (named here, so the
    tests do not depend on the environment they run in)."""
    for name, value in {
        "name": "Mechanic Shop",
        "time_zone": "America/Chicago",
        "bays": 4,
        "appointment_minutes": 60,
        "slot_step_minutes": 30,
        "labor_rate": Decimal("95.00"),
        "parts_tax_rate": Decimal("0.0825"),
        "labor_tax_rate": Decimal("0.05"),
        "reminder_lead_hours": 24,
        "booking_horizon_days": 60,
        "opening_hours": [dict(day) for day in WEEK],
    }.items():
        setattr(shop, name, value)
    shop.save()
    return shop


@pytest.mark.parametrize("role", ["mechanic", "admin"])
def test_staff_read_the_settings(request, defaults, role):
    response = request.getfixturevalue(f"{role}_client").get("/shop/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body == {
        "name": "Mechanic Shop",
        "address": defaults.address,
        "phone": defaults.phone,
        "email": defaults.email,
        "time_zone": "America/Chicago",
        "opening_hours": WEEK,
        "bays": 4,
        "appointment_minutes": 60,
        "slot_step_minutes": 30,
        "labor_rate": "95.00",
        "parts_tax_rate": "0.0825",
        "labor_tax_rate": "0.0500",
        "reminder_lead_hours": 24,
        "booking_horizon_days": 60,
        "updated_at": body["updated_at"],
    }


def test_the_path_answers_without_its_slash(admin_client, shop):
    assert admin_client.get("/shop").status_code == 200


@pytest.mark.parametrize(
    "client_name, method, expected",
    [
        ("anon", "get", 401),
        ("customer_client", "get", 403),
        ("anon", "patch", 401),
        ("customer_client", "patch", 403),
        ("mechanic_client", "patch", 403),
        ("mechanic_client", "put", 405),
        ("admin_client", "post", 405),
        ("admin_client", "delete", 405),
    ],
)
def test_refusals(request, shop, client_name, method, expected):
    client = request.getfixturevalue(client_name)
    response = getattr(client, method)("/shop/", {"bays": 9}, format="json")
    assert response.status_code == expected, response.content
    assert response.json()["code"] in {
        "not_authenticated",
        "permission_denied",
        "method_not_allowed",
    }
    shop.refresh_from_db()
    assert shop.bays != 9
    assert not ShopSettingsChange.objects.exists()


def test_admin_changes_settings_and_the_change_is_recorded(admin_client, admin_user, defaults):
    response = admin_client.patch(
        "/shop/",
        {
            "name": "Dana's Garage",
            "time_zone": "Europe/Paris",
            "bays": 6,
            "labor_rate": "110",
            "parts_tax_rate": "0.1",
            "opening_hours": [{"weekday": 6, "opens": "10:00", "closes": "13:00"}],
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["name"], body["time_zone"], body["bays"]) == ("Dana's Garage", "Europe/Paris", 6)
    assert (body["labor_rate"], body["parts_tax_rate"], body["labor_tax_rate"]) == (
        "110.00",
        "0.1000",
        "0.0500",
    )
    # The day named replaces its own; the others stay.
    sunday = {"weekday": 6, "opens": "10:00", "closes": "13:00", "closed": False}
    assert body["opening_hours"] == [*WEEK[:6], sunday]
    assert admin_client.get("/shop/").json() == body

    change = ShopSettingsChange.objects.get()
    assert change.actor == admin_user
    assert change.changes == {
        "name": ["Mechanic Shop", "Dana's Garage"],
        "time_zone": ["America/Chicago", "Europe/Paris"],
        "bays": [4, 6],
        "labor_rate": ["95.00", "110.00"],
        "parts_tax_rate": ["0.0825", "0.1000"],
        "opening_hours": [WEEK, [*WEEK[:6], sunday]],
    }
    row = shop_settings()
    assert row.zone() == zoneinfo.ZoneInfo("Europe/Paris")
    assert row.hours_on(datetime.date(2026, 12, 6)) == (datetime.time(10), datetime.time(13))


def test_closing_a_day(admin_client, defaults):
    response = admin_client.patch(
        "/shop/", {"opening_hours": [{"weekday": 5, "closed": True}]}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["opening_hours"][5] == {
        "weekday": 5,
        "opens": None,
        "closes": None,
        "closed": True,
    }
    assert shop_settings().hours_on(datetime.date(2026, 12, 5)) is None  # a Saturday


def test_a_patch_that_changes_nothing_records_nothing(admin_client, defaults):
    response = admin_client.patch("/shop/", {"bays": 4, "labor_rate": "95"}, format="json")
    assert response.status_code == 200
    assert not ShopSettingsChange.objects.exists()


@pytest.mark.parametrize(
    "body, field",
    [
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"time_zone": "CET+1"}, "time_zone"),
        ({"time_zone": ""}, "time_zone"),
        ({"parts_tax_rate": "1.01"}, "parts_tax_rate"),
        ({"parts_tax_rate": "-0.01"}, "parts_tax_rate"),
        ({"labor_tax_rate": "2"}, "labor_tax_rate"),
        ({"labor_tax_rate": "abc"}, "labor_tax_rate"),
        ({"labor_rate": "-1"}, "labor_rate"),
        ({"bays": 0}, "bays"),
        ({"bays": "many"}, "bays"),
        ({"slot_step_minutes": 0}, "slot_step_minutes"),
        ({"appointment_minutes": 2000}, "appointment_minutes"),
        ({"reminder_lead_hours": 0}, "reminder_lead_hours"),
        ({"booking_horizon_days": 0}, "booking_horizon_days"),
        ({"email": "not an address"}, "email"),
        ({"name": ""}, "name"),
        # opening hours: closing before opening, a weekday out of range, an
        # open day without its closing time, a day twice, not a time
        (
            {"opening_hours": [{"weekday": 0, "opens": "18:00", "closes": "08:00"}]},
            "opening_hours",
        ),
        (
            {"opening_hours": [{"weekday": 0, "opens": "08:00", "closes": "08:00"}]},
            "opening_hours",
        ),
        ({"opening_hours": [{"weekday": 7, "opens": "08:00", "closes": "12:00"}]}, "opening_hours"),
        ({"opening_hours": [{"weekday": 2, "opens": "08:00"}]}, "opening_hours"),
        (
            {
                "opening_hours": [
                    {"weekday": 1, "closed": True},
                    {"weekday": 1, "opens": "08:00", "closes": "12:00"},
                ]
            },
            "opening_hours",
        ),
        ({"opening_hours": [{"weekday": 0, "opens": "8 am", "closes": "12:00"}]}, "opening_hours"),
        ({"opening_hours": "Mon-Fri 8-6"}, "opening_hours"),
        ({"opening_hours": []}, "opening_hours"),
    ],
)
def test_bad_values_are_400_naming_the_field(admin_client, defaults, body, field):
    before = ShopSettings.objects.values().get()
    response = admin_client.patch("/shop/", {"bays": 5, **body}, format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()) == [field]
    assert ShopSettings.objects.values().get() == before  # nothing written, not even bays
    assert not ShopSettingsChange.objects.exists()


def test_reading_the_settings_is_one_query(shop, django_assert_num_queries):
    with django_assert_num_queries(1):
        shop_settings()


def test_the_row_comes_back_from_the_environment_when_missing(settings, db):
    ShopSettings.objects.all().delete()
    settings.SHOP_BAYS = 2
    row = shop_settings()
    assert (row.pk, row.bays, row.labor_rate) == (1, 2, settings.SHOP_LABOR_RATE)
    assert len(row.opening_hours) == 7


def test_a_test_setting_the_environment_changes_the_row(admin_client, shop, settings):
    settings.SHOP_LABOR_RATE = Decimal("80.00")
    assert admin_client.get("/shop/").json()["labor_rate"] == "80.00"
