"""The shop-settings admin page: the one record, edited through the
service (the change logged), never added twice or deleted."""

from decimal import Decimal

import pytest
from django.test import Client

from shop.models import EDITABLE_FIELDS, ShopSettings, ShopSettingsChange

pytestmark = pytest.mark.django_db

CHANGE_URL = "/admin/shop/shopsettings/1/change/"


@pytest.fixture
def staff(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


def form(shop, **changes) -> dict:
    """The page's form as it posts the row, with ``changes``."""
    data = {name: getattr(shop, name) for name in EDITABLE_FIELDS if name != "opening_hours"}
    for day in shop.opening_hours:
        prefix = f"day{day['weekday']}"
        if day["closed"]:
            data[f"{prefix}_closed"] = "on"
        else:
            data[f"{prefix}_opens"] = day["opens"]
            data[f"{prefix}_closes"] = day["closes"]
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_list_is_the_record(staff, shop):
    response = staff.get("/admin/shop/shopsettings/")
    assert response.status_code == 302 and response["Location"] == CHANGE_URL
    page = staff.get(CHANGE_URL)
    assert page.status_code == 200
    assert 'name="day6_closed"' in page.content.decode()


def test_no_second_record_and_no_delete(staff, shop):
    assert staff.get("/admin/shop/shopsettings/add/").status_code == 403
    assert staff.post("/admin/shop/shopsettings/1/delete/", {"post": "yes"}).status_code == 403
    assert ShopSettings.objects.count() == 1


def test_edit_goes_through_the_service_and_is_logged(staff, admin_user, shop):
    data = form(shop, labor_rate="120.00", bays="2", day6_closed=None)
    data.update({"day6_opens": "10:00", "day6_closes": "13:00"})
    response = staff.post(CHANGE_URL, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    shop.refresh_from_db()
    assert (shop.labor_rate, shop.bays) == (Decimal("120.00"), 2)
    assert shop.opening_hours[6] == {
        "weekday": 6,
        "opens": "10:00",
        "closes": "13:00",
        "closed": False,
    }
    change = ShopSettingsChange.objects.get()
    assert change.actor == admin_user
    assert set(change.changes) == {"labor_rate", "bays", "opening_hours"}
    assert staff.get("/admin/shop/shopsettingschange/").status_code == 200


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"day0_opens": "18:00", "day0_closes": "08:00"}, "opens must be before closes"),
        ({"day1_closes": ""}, "an open day needs opens and closes"),
        ({"time_zone": "Mars/Olympus"}, "is not an IANA time zone name"),
        ({"parts_tax_rate": "1.5"}, "less than or equal to 1"),
        ({"bays": "0"}, "greater than or equal to 1"),
    ],
)
def test_bad_values_show_on_the_form(staff, shop, changes, message):
    before = ShopSettings.objects.values().get()
    response = staff.post(CHANGE_URL, form(shop, **changes))
    assert response.status_code == 200  # the form again, with the error
    assert message in response.content.decode().replace("&#x27;", "'")
    assert ShopSettings.objects.values().get() == before
    assert not ShopSettingsChange.objects.exists()
