"""The declined-work report: recommendations made and revived per month."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection

from tests.factories import VehicleFactory
from tickets.models import Recommendation, RecommendationStatus

pytestmark = pytest.mark.django_db
UTC = datetime.UTC
URL = "/reports/declined-work/"
OPEN, REVIVED, DISMISSED = (
    RecommendationStatus.OPEN,
    RecommendationStatus.REVIVED,
    RecommendationStatus.DISMISSED,
)


def at(month, day, hour=12, year=2026):
    return datetime.datetime(year, month, day, hour, tzinfo=UTC)


def declined(vehicle, *, on, amount, status=OPEN, closed=None, revived_amount=None):
    """A recommendation declined at ``on`` (created_at is auto_now_add: set
    afterwards) and, when revived or dismissed, closed at ``closed``."""
    recommendation = Recommendation.objects.create(
        vehicle=vehicle,
        title="Declined work",
        amount=Decimal(amount),
        status=status,
        revived_amount=Decimal(revived_amount) if revived_amount else None,
        closed_at=closed,
    )
    Recommendation.objects.filter(pk=recommendation.pk).update(created_at=on)
    return recommendation


def month(period, declined_count, declined_amount, revived_count, revived_amount):
    return {
        "period": period,
        "declined_count": declined_count,
        "declined_amount": declined_amount,
        "revived_count": revived_count,
        "revived_amount": revived_amount,
    }


def test_declined_and_revived_per_month(admin_client):
    vehicle, other = VehicleFactory(), VehicleFactory()
    declined(vehicle, on=at(10, 5), amount="120.00")
    # Declined in October, revived in November: counted once in each.
    declined(
        vehicle,
        on=at(10, 20),
        amount="80.50",
        status=REVIVED,
        closed=at(11, 3),
        revived_amount="85.00",
    )
    declined(other, on=at(11, 10), amount="200.00", status=DISMISSED, closed=at(11, 12))
    declined(
        other,
        on=at(11, 15),
        amount="40.00",
        status=REVIVED,
        closed=at(11, 20),
        revived_amount="42.25",
    )
    # Declined before the range, revived in it.
    declined(
        vehicle,
        on=at(9, 30, 23),
        amount="999.00",
        status=REVIVED,
        closed=at(10, 2),
        revived_amount="10.00",
    )
    # Declined in the range, revived after it.
    declined(
        other,
        on=at(11, 28),
        amount="60.00",
        status=REVIVED,
        closed=at(12, 1, 0),
        revived_amount="61.00",
    )

    response = admin_client.get(f"{URL}?from=2026-10-01&to=2026-11-30")

    assert response.status_code == 200, response.content
    assert response.json() == {
        "from": "2026-10-01",
        "to": "2026-11-30",
        "periods": [
            month("2026-10-01", 2, "200.50", 1, "10.00"),
            month("2026-11-01", 3, "300.00", 2, "127.25"),
        ],
        "totals": {
            "declined_count": 5,
            "declined_amount": "500.50",
            "revived_count": 3,
            "revived_amount": "137.25",
        },
    }


def test_an_empty_range_lists_every_month_as_zero(admin_client):
    declined(VehicleFactory(), on=at(4, 1), amount="50.00")  # after the range

    body = admin_client.get(f"{URL}?from=2026-01-15&to=2026-03-31").json()

    assert body == {
        "from": "2026-01-15",
        "to": "2026-03-31",
        "periods": [
            month("2026-01-01", 0, "0.00", 0, "0.00"),
            month("2026-02-01", 0, "0.00", 0, "0.00"),
            month("2026-03-01", 0, "0.00", 0, "0.00"),
        ],
        "totals": {
            "declined_count": 0,
            "declined_amount": "0.00",
            "revived_count": 0,
            "revived_amount": "0.00",
        },
    }


def test_defaults_to_the_last_12_months_to_today(admin_client):
    body = admin_client.get(URL).json()
    today = datetime.date.today()
    assert body["to"] == today.isoformat()
    assert len(body["periods"]) == 12
    assert body["periods"][-1]["period"] == today.replace(day=1).isoformat()
    assert body["from"] == body["periods"][0]["period"]


@pytest.mark.parametrize(
    "to, start",
    [
        ("2026-01-31", "2025-02-01"),
        ("2026-02-28", "2025-03-01"),
        ("2026-03-15", "2025-04-01"),
        ("2026-11-30", "2025-12-01"),
        ("2026-12-03", "2026-01-01"),
    ],
)
def test_from_defaults_to_12_months_with_the_last(admin_client, to, start):
    body = admin_client.get(f"{URL}?to={to}").json()
    assert (body["from"], body["to"], len(body["periods"])) == (start, to, 12)


def _has_time_zone_tables() -> bool:
    if connection.vendor != "mysql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT CONVERT_TZ('2026-01-01 00:00:00', 'UTC', 'America/Chicago')")
        return cursor.fetchone()[0] is not None


def test_months_are_the_shops(admin_client, settings):
    """Months of the shop's time zone: late evening on Oct 31 in Chicago is
    already November in UTC."""
    if not _has_time_zone_tables():
        pytest.skip("the database has no time zone tables (mariadb-tzinfo-to-sql)")
    settings.TIME_ZONE = "America/Chicago"
    declined(
        VehicleFactory(),
        on=at(11, 1, 3),  # Oct 31, 22:00 in Chicago
        amount="30.00",
        status=REVIVED,
        closed=at(12, 1, 5),  # Nov 30, 23:00 in Chicago
        revived_amount="31.00",
    )

    body = admin_client.get(f"{URL}?from=2026-10-01&to=2026-11-30").json()

    assert body["periods"] == [
        month("2026-10-01", 1, "30.00", 0, "0.00"),
        month("2026-11-01", 0, "0.00", 1, "31.00"),
    ]


@pytest.mark.parametrize(
    "query, errors",
    [
        ("from=2026-11-05&to=2026-11-01", {"from": ["Must not be after 'to'."]}),
        ("from=2016-01-01&to=2026-01-31", {"from": ["At most 120 months."]}),
        ("from=2026-13-01", "from"),
        ("to=soon", "to"),
        ("from=", {"from": ["This field may not be blank."]}),
        ("to=2026-03-01&to=2026-03-02", {"to": ["Give this parameter once."]}),
    ],
)
def test_bad_parameters_name_the_field(admin_client, query, errors):
    response = admin_client.get(f"{URL}?{query}")
    assert response.status_code == 400
    body = response.json()
    if isinstance(errors, dict):
        assert body == errors
    else:
        assert list(body) == [errors] and "format" in body[errors][0]


def test_120_months_is_the_limit(admin_client):
    response = admin_client.get(f"{URL}?from=2016-02-01&to=2026-01-31")
    assert response.status_code == 200, response.content
    assert len(response.json()["periods"]) == 120


@pytest.mark.parametrize(
    "caller, status, code",
    [
        ("anon", 401, "not_authenticated"),
        ("customer_client", 403, "permission_denied"),
        ("mechanic_client", 403, "permission_denied"),
    ],
)
def test_for_admins_only(request, caller, status, code):
    declined(VehicleFactory(), on=at(11, 5), amount="10.00")
    response = request.getfixturevalue(caller).get(f"{URL}?from=2026-11-01&to=2026-11-30")
    assert response.status_code == status
    assert response.json()["code"] == code


@pytest.mark.parametrize("recommendations", [1, 6])
def test_queries_do_not_grow_with_the_recommendations(
    admin_client, django_assert_num_queries, recommendations
):
    """The JWT's user, then one grouped query on created_at (declined) and
    one on closed_at (revived): never a query per month or recommendation."""
    vehicle = VehicleFactory()
    for n in range(recommendations):
        declined(
            vehicle,
            on=at(1 + n, 10),
            amount="10.00",
            status=REVIVED,
            closed=at(1 + n, 20),
            revived_amount="12.00",
        )
    with django_assert_num_queries(3):
        body = admin_client.get(f"{URL}?from=2026-01-01&to=2026-12-31").json()
    assert body["totals"] == {
        "declined_count": recommendations,
        "declined_amount": f"{10 * recommendations}.00",
        "revived_count": recommendations,
        "revived_amount": f"{12 * recommendations}.00",
    }
