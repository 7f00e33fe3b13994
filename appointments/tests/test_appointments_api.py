"""Appointments through the API: booking, each capacity and opening-hours
rule on worked examples (a day the clocks change included), who books what,
the actions, convert, events."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from appointments.models import Appointment
from events.models import Event
from tests.factories import VehicleFactory

from .conftest import OPEN_ALL_NIGHT, at, monday, utc

pytestmark = pytest.mark.django_db


def detail(client, appointment_id):
    return client.get(f"/appointments/{appointment_id}/")


# -- CRUD


def test_staff_book_read_change_and_delete(book, mechanic_client, admin_client, customer, vehicle):
    day = monday()
    response = book(at(day, "09:00"), notes="Loaner car")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body == {
        "id": body["id"],
        "customer_id": customer.pk,
        "vehicle_id": vehicle.pk,
        "concern": "Brakes squeal",
        "starts_at": utc(at(day, "09:00")),
        "ends_at": utc(at(day, "10:00")),  # the shop's 60 minutes
        "status": "booked",
        "ticket_id": None,
        "notes": "Loaner car",
        "created_at": body["created_at"],
    }
    url = f"/appointments/{body['id']}/"
    assert mechanic_client.get(url).json() == body
    assert [a["id"] for a in mechanic_client.get("/appointments/").json()["results"]] == [
        body["id"]
    ]

    changed = mechanic_client.patch(url, {"concern": "Brakes grind"}, format="json")
    assert changed.status_code == 200, changed.content
    assert changed.json()["concern"] == "Brakes grind"
    assert changed.json()["starts_at"] == body["starts_at"]

    # Deleting is housekeeping of cancelled ones: an active one is cancelled first.
    refused = mechanic_client.delete(url)
    assert refused.status_code == 409
    assert refused.json()["status"] == "booked"
    assert mechanic_client.post(f"{url}cancel/").status_code == 200
    assert mechanic_client.delete(url).status_code == 204
    assert admin_client.get(url).status_code == 404


def test_put_is_not_offered(book, mechanic_client):
    appointment = book(at(monday(), "09:00")).json()
    response = mechanic_client.put(f"/appointments/{appointment['id']}/", {}, format="json")
    assert response.status_code == 405


@pytest.mark.parametrize(
    "body, field",
    [
        ({"starts_at": "2027-01-04T09:00:00"}, "starts_at"),  # no offset
        ({"starts_at": "tomorrow"}, "starts_at"),
        ({"starts_at": "9999-12-31T23:30:00Z"}, "starts_at"),  # its default end: year 10000
        ({"starts_at": "0001-01-01T00:00:00+05:00"}, "starts_at"),
        ({"ends_at": "0001-01-01T00:00:00Z"}, "ends_at"),
        ({"concern": ""}, "concern"),
        ({"concern": "x" * 1001}, "concern"),
        ({"vehicle_id": 999_999}, "vehicle_id"),
        ({"customer_id": None}, "customer_id"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(book, body, field):
    day = monday()
    response = book(body.pop("starts_at", at(day, "09:00")), **body)
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Appointment.objects.exists()


def test_staff_name_the_customer(shop, mechanic_client, vehicle):
    response = mechanic_client.post(
        "/appointments/",
        {"vehicle_id": vehicle.pk, "concern": "Oil", "starts_at": at(monday(), "09:00")},
        format="json",
    )
    assert response.status_code == 400
    assert "customer_id" in response.json()


def test_the_vehicle_must_be_the_customers(book, other_customer):
    theirs = VehicleFactory(customer=other_customer)
    response = book(at(monday(), "09:00"), vehicle_id=theirs.pk)
    assert response.status_code == 400
    assert response.json() == {"vehicle_id": ["This vehicle belongs to another customer."]}


# -- capacity


def test_no_instant_has_more_appointments_than_bays(book, shop):
    """Two bays. 9-10 and 10-11 never overlap each other, so 9-11 fits next
    to both (at most two at any instant); a count of overlaps would have
    refused it. Then 9:30-10:30 would make three at 9:30: refused, naming
    9:30, the first instant both bays are taken."""
    day = monday()
    assert book(at(day, "09:00"), at(day, "10:00")).status_code == 201
    assert book(at(day, "10:00"), at(day, "11:00")).status_code == 201
    assert book(at(day, "09:00"), at(day, "11:00")).status_code == 201

    refused = book(at(day, "09:30"), at(day, "10:30"))
    assert refused.status_code == 409
    body = refused.json()
    assert body["code"] == "no_free_bay"
    assert body["conflicting_at"] == at(day, "09:30")
    assert body["bays"] == 2
    assert at(day, "09:30") in body["detail"]
    # After 11:00 both bays are free again.
    assert book(at(day, "11:00"), at(day, "12:00")).status_code == 201
    assert Appointment.objects.count() == 4


def test_the_conflict_names_the_first_full_instant_inside_the_booking(book, shop):
    shop.bays = 1
    shop.save()
    day = monday()
    assert book(at(day, "10:00"), at(day, "11:00")).status_code == 201
    refused = book(at(day, "09:00"), at(day, "10:30"))
    assert refused.status_code == 409
    assert refused.json()["conflicting_at"] == at(day, "10:00")
    # Back to back is no overlap: a bay freed at 10:00 takes the car booked then.
    assert book(at(day, "09:00"), at(day, "10:00")).status_code == 201
    assert book(at(day, "11:00"), at(day, "12:00")).status_code == 201


def test_only_active_appointments_hold_a_bay(book, shop, mechanic_client):
    shop.bays = 1
    shop.save()
    day = monday()
    first = book(at(day, "09:00")).json()
    assert book(at(day, "09:00")).status_code == 409
    assert mechanic_client.post(f"/appointments/{first['id']}/no-show/").status_code == 200
    second = book(at(day, "09:00"))
    assert second.status_code == 201
    assert mechanic_client.post(f"/appointments/{second.json()['id']}/arrive/").status_code == 200
    assert book(at(day, "09:00")).status_code == 409  # arrived still holds the bay
    # Once converted, the work is the ticket's: the bay is free for a booking.
    assert mechanic_client.post(f"/appointments/{second.json()['id']}/convert/").status_code == 200
    assert book(at(day, "09:00")).status_code == 201


def test_a_move_is_checked_like_a_booking(book, shop, mechanic_client):
    shop.bays = 1
    shop.save()
    day = monday()
    book(at(day, "09:00"))
    other = book(at(day, "11:00"), at(day, "12:30")).json()
    url = f"/appointments/{other['id']}/"

    full = mechanic_client.patch(url, {"starts_at": at(day, "09:30")}, format="json")
    assert full.status_code == 409
    assert full.json()["conflicting_at"] == at(day, "09:30")
    closed = mechanic_client.patch(url, {"starts_at": at(day, "17:00")}, format="json")
    assert closed.status_code == 400
    assert "ends_at" in closed.json()  # 17:00 + its 90 minutes is after closing
    assert mechanic_client.get(url).json()["starts_at"] == utc(at(day, "11:00"))

    moved = mechanic_client.patch(url, {"starts_at": at(day, "10:00")}, format="json")
    assert moved.status_code == 200, moved.content
    # Its length kept; its own old place does not count against it.
    assert moved.json()["ends_at"] == utc(at(day, "11:30"))
    again = mechanic_client.patch(url, {"ends_at": at(day, "11:00")}, format="json")
    assert again.status_code == 200, again.content


# -- opening hours


@pytest.mark.parametrize(
    "start, end, field",
    [
        ("07:30", "08:30", "starts_at"),  # before opening
        ("18:00", "19:00", "starts_at"),  # at closing
        ("17:30", "18:30", "ends_at"),  # runs past closing
        ("09:00", "08:30", "ends_at"),  # ends before it starts
    ],
)
def test_outside_opening_hours_is_a_400(book, start, end, field):
    day = monday()
    response = book(at(day, start), at(day, end))
    assert response.status_code == 400, response.content
    assert list(response.json()) == [field]


def test_opening_hours_are_each_days_own(book):
    day = monday()
    # The last hour of a weekday, and a closed Sunday and short Saturday.
    assert book(at(day, "17:00"), at(day, "18:00")).status_code == 201
    saturday, sunday = day + timedelta(days=5), day + timedelta(days=6)
    assert book(at(saturday, "13:00")).status_code == 201
    late = book(at(saturday, "13:30"))
    assert late.status_code == 400
    assert "ends_at" in late.json()
    closed = book(at(sunday, "10:00"))
    assert closed.status_code == 400
    assert "closed" in closed.json()["starts_at"][0]


def test_the_hours_are_read_in_the_shops_time_zone(book, shop):
    """08:00 in Chicago is 14:00 UTC: 13:30 UTC is before opening there,
    and fine for a shop in New York (08:30 local)."""
    day = monday()
    response = book(f"{day.isoformat()}T13:30:00Z")
    assert response.status_code == 400
    assert "starts_at" in response.json()
    shop.time_zone = "America/New_York"
    shop.save()
    assert book(f"{day.isoformat()}T13:30:00Z").status_code == 201


# -- days the clocks change (America/Chicago)


def test_spring_forward_opening_hour_moves_by_an_hour_in_utc(book):
    """Before 2027-03-14 08:00 in Chicago is 14:00 UTC (CST); after, 13:00
    UTC (CDT). 13:30 UTC is 07:30 on the Friday before (closed) and 08:30
    on the Monday after (open)."""
    assert book("2027-03-12T13:30:00Z").status_code == 400
    monday_after = book("2027-03-15T13:30:00Z")
    assert monday_after.status_code == 201, monday_after.content
    assert monday_after.json()["ends_at"] == "2027-03-15T14:30:00Z"


def test_a_booking_across_the_spring_forward_change(book, shop, mechanic_client):
    """Open 00:00-12:00 on Sunday 2027-03-14, when 02:00 CST becomes 03:00
    CDT. Availability steps in real time from opening: after 01:30 CST comes
    03:00 CDT, and no 02:xx start exists. Two hours from 01:00 CST end at
    04:00 CDT on the wall clock."""
    shop.opening_hours = OPEN_ALL_NIGHT
    shop.bays = 1
    shop.save()

    def slots():
        return mechanic_client.get(
            "/appointments/availability/", {"date": "2027-03-14", "duration_minutes": 60}
        ).json()["slots"]

    before = slots()
    assert before[:5] == [
        "2027-03-14T00:00:00-06:00",
        "2027-03-14T00:30:00-06:00",
        "2027-03-14T01:00:00-06:00",
        "2027-03-14T01:30:00-06:00",
        "2027-03-14T03:00:00-05:00",
    ]
    assert before[-1] == "2027-03-14T11:00:00-05:00"
    assert len(before) == 21  # 11 real hours open: 00:00 CST to 12:00 CDT

    response = book("2027-03-14T01:00:00-06:00")
    assert response.status_code == 201, response.content
    body = response.json()
    # The shop's 60 minutes: 01:00 CST + 1 h is 03:00 CDT.
    assert (body["starts_at"], body["ends_at"]) == ("2027-03-14T07:00:00Z", "2027-03-14T08:00:00Z")
    moved = mechanic_client.patch(
        f"/appointments/{body['id']}/", {"ends_at": "2027-03-14T04:00:00-05:00"}, format="json"
    )
    assert moved.status_code == 200, moved.content
    assert moved.json()["ends_at"] == "2027-03-14T09:00:00Z"  # two real hours

    after = slots()
    assert after[:2] == ["2027-03-14T00:00:00-06:00", "2027-03-14T04:00:00-05:00"]
    refused = book("2027-03-14T03:30:00-05:00")
    assert refused.status_code == 409
    assert refused.json()["conflicting_at"] == "2027-03-14T03:30:00-05:00"
    assert book("2027-03-14T04:00:00-05:00").status_code == 201


def test_the_repeated_hour_of_fall_back_is_two_hours_of_bays(book, shop, mechanic_client):
    """Sunday 2027-11-07: 01:00-02:00 happens twice (CDT, then CST). With
    one bay, 01:00 CDT and 01:00 CST are different instants: both book."""
    shop.opening_hours = OPEN_ALL_NIGHT
    shop.bays = 1
    shop.save()
    before = mechanic_client.get(
        "/appointments/availability/", {"date": "2027-11-07", "duration_minutes": 60}
    ).json()["slots"]
    assert before[:5] == [
        "2027-11-07T00:00:00-05:00",
        "2027-11-07T00:30:00-05:00",
        "2027-11-07T01:00:00-05:00",
        "2027-11-07T01:30:00-05:00",
        "2027-11-07T01:00:00-06:00",
    ]
    first = book("2027-11-07T01:00:00-05:00")
    second = book("2027-11-07T01:00:00-06:00")
    assert first.status_code == second.status_code == 201
    assert (first.json()["starts_at"], second.json()["starts_at"]) == (
        "2027-11-07T06:00:00Z",
        "2027-11-07T07:00:00Z",
    )
    # Across the change: 00:30 CDT to 01:30 CST is two real hours, both taken.
    refused = book("2027-11-07T00:30:00-05:00", "2027-11-07T01:30:00-06:00")
    assert refused.status_code == 409
    assert refused.json()["conflicting_at"] == "2027-11-07T01:00:00-05:00"


# -- availability


def test_availability_matches_the_bookings(book, shop, mechanic_client):
    shop.bays = 1
    shop.save()
    day = monday()

    def slots(**params):
        response = mechanic_client.get(
            "/appointments/availability/", {"date": day.isoformat(), **params}
        )
        assert response.status_code == 200, response.content
        return response.json()

    answer = slots()
    assert answer["duration_minutes"] == 60
    assert answer["time_zone"] == "America/Chicago"
    # 08:00 to 17:00, every 30 minutes: the last one ends at closing.
    assert answer["slots"][0] == at(day, "08:00")
    assert answer["slots"][-1] == at(day, "17:00")
    assert len(answer["slots"]) == 19

    assert book(at(day, "09:00")).status_code == 201
    after = slots()["slots"]
    gone = set(answer["slots"]) - set(after)
    assert gone == {at(day, "08:30"), at(day, "09:00"), at(day, "09:30")}
    # Each slot offered books; a time not offered does not.
    assert book(at(day, "08:30")).status_code == 409
    assert book(after[0]).status_code == 201  # 08:00... ends at 09:00, back to back
    long = slots(duration_minutes=120)["slots"]
    assert at(day, "10:00") in long and at(day, "16:30") not in long
    assert at(day, "16:00") in long


def test_availability_of_a_full_or_closed_day(book, shop, mechanic_client):
    day = monday()
    sunday = day + timedelta(days=6)
    answer = mechanic_client.get("/appointments/availability/", {"date": sunday.isoformat()})
    assert answer.status_code == 200
    assert answer.json()["slots"] == []
    shop.bays = 1
    shop.save()
    assert book(at(day, "08:00"), at(day, "18:00")).status_code == 201
    full = mechanic_client.get("/appointments/availability/", {"date": day.isoformat()})
    assert full.json()["slots"] == []


@pytest.mark.parametrize(
    "params, field",
    [
        ({}, "date"),
        ({"date": "2027-02-30"}, "date"),
        ({"date": ""}, "date"),
        ({"date": "9999-12-31"}, "date"),
        ({"date": "0001-01-01"}, "date"),
        ({"date": "2027-03-01", "duration_minutes": 0}, "duration_minutes"),
        ({"date": "2027-03-01", "duration_minutes": "1.5"}, "duration_minutes"),
    ],
)
def test_availability_bad_parameters(shop, customer_client, params, field):
    response = customer_client.get("/appointments/availability/", params)
    assert response.status_code == 400
    assert field in response.json()


def test_a_customer_is_offered_only_what_it_may_book(shop, customer_client, mechanic_client):
    """Starts closer than 2 hours, and days past the horizon, are not
    offered to a customer; staff see them (they may book them)."""
    shop.opening_hours = [
        {"weekday": day, "opens": "00:00", "closes": "23:30", "closed": False} for day in range(7)
    ]
    shop.save()
    now = timezone.now()
    today = now.astimezone(shop.zone()).date()
    for day in (today, today + timedelta(days=1)):
        params = {"date": day.isoformat()}
        mine = customer_client.get("/appointments/availability/", params).json()["slots"]
        staff = mechanic_client.get("/appointments/availability/", params).json()["slots"]
        soon = now + timedelta(hours=2)
        assert mine == [s for s in staff if datetime.fromisoformat(s) >= soon]
    assert len(staff) == 46  # tomorrow, staff: 00:00 to 22:30
    far = (today + timedelta(days=61)).isoformat()
    assert customer_client.get("/appointments/availability/", {"date": far}).json()["slots"] == []
    assert len(mechanic_client.get("/appointments/availability/", {"date": far}).json()["slots"])


# -- customers


@pytest.fixture
def customer_book(shop, customer_client, vehicle):
    def book(starts_at, **extra):
        body = {"vehicle_id": vehicle.pk, "concern": "Oil change", "starts_at": starts_at, **extra}
        return customer_client.post("/appointments/", body, format="json")

    return book


def test_a_customer_books_for_itself(customer_book, customer, customer_client):
    response = customer_book(at(monday(), "09:00"))
    assert response.status_code == 201, response.content
    assert response.json()["customer_id"] == customer.pk
    assert customer_client.get("/appointments/").json()["count"] == 1


def test_a_customer_books_only_its_own_vehicles(customer_book, other_customer):
    theirs = VehicleFactory(customer=other_customer)
    response = customer_book(at(monday(), "09:00"), vehicle_id=theirs.pk)
    assert response.status_code == 400
    assert "vehicle_id" in response.json()  # answered as an unknown vehicle
    other = customer_book(at(monday(), "09:00"), customer_id=other_customer.pk)
    assert other.status_code == 400
    assert "customer_id" in other.json()
    assert not Appointment.objects.exists()


def test_a_customer_books_two_hours_ahead_and_within_the_horizon(customer_book, shop):
    soon = timezone.now() + timedelta(minutes=30)
    response = customer_book(soon.isoformat())
    assert response.status_code == 400
    assert response.json()["starts_at"][0].startswith(
        ("Book at least 2 hours ahead", "The shop is closed", "Outside the opening hours")
    )
    far = monday(weeks_ahead=10)  # 64 days or more: past the 60-day horizon
    response = customer_book(at(far, "09:00"))
    assert response.status_code == 400
    assert "60 days" in response.json()["starts_at"][0]
    shop.booking_horizon_days = 90
    shop.save()
    assert customer_book(at(far, "09:00")).status_code == 201


def test_a_customer_books_two_hours_ahead(customer_book, shop):
    shop.opening_hours = [
        {"weekday": day, "opens": "00:00", "closes": "23:59", "closed": False} for day in range(7)
    ]
    shop.save()
    # A past time is open (the shop never closes but a minute) yet too soon.
    yesterday = (timezone.now() - timedelta(days=1)).astimezone(shop.zone())
    start = yesterday.replace(hour=10, minute=0, second=0, microsecond=0)
    response = customer_book(start.isoformat())
    assert response.status_code == 400
    assert response.json() == {"starts_at": ["Book at least 2 hours ahead."]}


def test_a_customer_holds_at_most_three(customer_book, customer_client):
    day = monday()
    booked = [customer_book(at(day, f"{9 + n}:00")).json()["id"] for n in range(3)]
    refused = customer_book(at(day, "13:00"))
    assert refused.status_code == 409
    assert refused.json()["code"] == "too_many_appointments"
    assert customer_client.post(f"/appointments/{booked[0]}/cancel/").status_code == 200
    assert customer_book(at(day, "13:00")).status_code == 201


def test_a_customer_reaches_only_its_own(book, other_customer_client, customer_client):
    appointment = book(at(monday(), "09:00")).json()
    url = f"/appointments/{appointment['id']}/"
    assert other_customer_client.get("/appointments/").json()["count"] == 0
    assert other_customer_client.get(url).status_code == 404
    assert other_customer_client.post(f"{url}cancel/").status_code == 404
    assert other_customer_client.patch(url, {"concern": "x"}, format="json").status_code == 404
    assert customer_client.get(url).status_code == 200
    # A customer's filter on another customer widens nothing.
    assert (
        other_customer_client.get(
            "/appointments/", {"customer": appointment["customer_id"]}
        ).json()["count"]
        == 0
    )


def test_a_customer_moves_its_own_by_the_same_rules(customer_book, customer_client):
    day = monday()
    appointment = customer_book(at(day, "09:00")).json()
    url = f"/appointments/{appointment['id']}/"
    moved = customer_client.patch(url, {"starts_at": at(day, "10:00")}, format="json")
    assert moved.status_code == 200
    past = customer_client.patch(
        url, {"starts_at": at(day - timedelta(days=30), "10:00")}, format="json"
    )
    assert past.status_code == 400
    assert "starts_at" in past.json()
    other = customer_client.patch(url, {"customer_id": 999_999}, format="json")
    assert other.status_code == 400 and "customer_id" in other.json()


# -- actions


def test_actions_follow_the_status(book, mechanic_client, customer_client):
    day = monday()
    first = book(at(day, "09:00")).json()
    url = f"/appointments/{first['id']}/"
    confirmed = customer_client.post(f"{url}confirm/")
    assert confirmed.status_code == 200
    assert confirmed.json()["status"] == "confirmed"
    again = customer_client.post(f"{url}confirm/")
    assert again.status_code == 409
    assert again.json()["code"] == "invalid_state"
    assert again.json()["status"] == "confirmed"
    assert again.json()["allowed"] == ["cancel", "arrive", "no_show", "convert"]
    assert customer_client.post(f"{url}arrive/").status_code == 403
    assert customer_client.post(f"{url}no-show/").status_code == 403
    assert mechanic_client.post(f"{url}arrive/").json()["status"] == "arrived"
    for action in ("confirm", "cancel", "arrive", "no-show"):
        refused = mechanic_client.post(f"{url}{action}/")
        assert refused.status_code == 409, action
        assert refused.json()["allowed"] == ["convert"]
    refused = mechanic_client.patch(url, {"concern": "Late"}, format="json")
    assert refused.status_code == 409

    second = book(at(day, "11:00")).json()
    url = f"/appointments/{second['id']}/"
    assert customer_client.post(f"{url}cancel/").json()["status"] == "cancelled"
    for action in ("confirm", "cancel", "arrive", "no-show", "convert"):
        refused = mechanic_client.post(f"{url}{action}/")
        assert refused.status_code == 409, action
        assert refused.json()["status"] == "cancelled"

    third = book(at(day, "13:00")).json()
    url = f"/appointments/{third['id']}/"
    assert mechanic_client.post(f"{url}no-show/").json()["status"] == "no_show"
    assert mechanic_client.post(f"{url}arrive/").status_code == 409


def test_convert_opens_the_estimate(book, mechanic_client, customer, vehicle, customer_client):
    day = monday()
    appointment = book(at(day, "09:00"), concern="Grinding noise from the front left").json()
    url = f"/appointments/{appointment['id']}/"
    converted = mechanic_client.post(f"{url}convert/")
    assert converted.status_code == 200, converted.content
    body = converted.json()
    assert body["status"] == "converted"
    ticket = mechanic_client.get(f"/service-tickets/{body['ticket_id']}/").json()
    assert ticket["status"] == "estimate"
    assert ticket["customer"]["id"] == customer.pk
    assert ticket["vehicle_id"] == vehicle.pk
    assert ticket["service_date"] == day.isoformat()
    assert ticket["service_desc"] == "Grinding noise from the front left"
    assert [(j["title"], j["status"]) for j in ticket["jobs"]] == [
        ("Grinding noise from the front left", "pending")
    ]
    # The customer sees its new estimate.
    assert customer_client.get(f"/service-tickets/{body['ticket_id']}/").status_code == 200

    again = mechanic_client.post(f"{url}convert/")
    assert again.status_code == 409
    assert again.json()["status"] == "converted"
    assert mechanic_client.get("/service-tickets/").json()["count"] == 1
    assert mechanic_client.delete(url).status_code == 409  # it stays with its ticket


def test_customers_cannot_convert(book, customer_client):
    appointment = book(at(monday(), "09:00")).json()
    response = customer_client.post(f"/appointments/{appointment['id']}/convert/")
    assert response.status_code == 403
    assert Appointment.objects.get().status == "booked"


# -- filters


def test_filters(book, mechanic_client, other_customer):
    day = monday()
    first = book(at(day, "09:00")).json()
    second = book(at(day + timedelta(days=1), "17:00")).json()
    mechanic_client.post(f"/appointments/{second['id']}/confirm/")

    def ids(**params):
        response = mechanic_client.get("/appointments/", params)
        assert response.status_code == 200, response.content
        return [a["id"] for a in response.json()["results"]]

    assert ids(date_after=day.isoformat(), date_before=day.isoformat()) == [first["id"]]
    assert ids(date_after=(day + timedelta(days=1)).isoformat()) == [second["id"]]
    assert ids(date_before=(day - timedelta(days=1)).isoformat()) == []
    assert ids(status="confirmed") == [second["id"]]
    assert ids(status=["confirmed", "booked"]) == [first["id"], second["id"]]
    assert ids(customer=first["customer_id"]) == [first["id"], second["id"]]
    assert ids(customer=other_customer.pk) == []
    for bad in ({"status": "late"}, {"date_after": "soon"}, {"customer": "x"}, {"status": ""}):
        assert mechanic_client.get("/appointments/", bad).status_code == 400, bad


# -- events


def test_events_carry_the_appointment_as_the_api_answers_it(book, mechanic_client):
    day = monday()
    appointment = book(at(day, "09:00")).json()
    url = f"/appointments/{appointment['id']}/"
    mechanic_client.patch(url, {"starts_at": at(day, "10:00")}, format="json")
    mechanic_client.post(f"{url}confirm/")
    mechanic_client.post(f"{url}cancel/")
    events = list(Event.objects.filter(resource_type="appointment").order_by("created_at"))
    assert [e.type for e in events] == [
        "appointment.created",
        "appointment.updated",
        "appointment.updated",
        "appointment.cancelled",
    ]
    assert {e.resource_id for e in events} == {str(appointment["id"])}
    assert events[0].data == appointment
    assert events[1].data["starts_at"] == utc(at(day, "10:00"))
    assert events[-1].data == mechanic_client.get(url).json()


def test_a_refused_booking_records_nothing(book, shop):
    shop.bays = 1
    shop.save()
    day = monday()
    book(at(day, "09:00"))
    assert book(at(day, "09:00")).status_code == 409
    assert Event.objects.filter(type="appointment.created").count() == 1
    assert Appointment.objects.count() == 1


def test_webhooks_subscribe_to_the_appointment_events(admin_client):
    types = ["appointment.created", "appointment.updated", "appointment.cancelled"]
    response = admin_client.post(
        "/webhooks/endpoints/",
        {"url": "http://127.0.0.1:9/hooks", "event_types": types},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert sorted(response.json()["event_types"]) == sorted(types)
    assert admin_client.get("/events/", {"type": "appointment.cancelled"}).status_code == 200


def test_a_booking_and_an_action_retried_with_an_idempotency_key(
    shop, mechanic_client, customer, vehicle
):
    # Found by the fuzzing: with the header, every write answered 500.
    body = {
        "customer_id": customer.pk,
        "vehicle_id": vehicle.pk,
        "concern": "Brakes squeal",
        "starts_at": at(monday(), "09:00"),
    }
    first, again = (
        mechanic_client.post("/appointments/", body, format="json", HTTP_IDEMPOTENCY_KEY="b-1")
        for _ in range(2)
    )
    assert (first.status_code, again.status_code) == (201, 201), first.content
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    url = f"/appointments/{first.json()['id']}/"
    for _ in range(2):
        confirmed = mechanic_client.post(f"{url}confirm/", HTTP_IDEMPOTENCY_KEY="confirm-1")
        assert (confirmed.status_code, confirmed.json()["status"]) == (200, "confirmed")
    moved = mechanic_client.patch(
        url, {"notes": "Loaner"}, format="json", HTTP_IDEMPOTENCY_KEY="move-1"
    )
    assert (moved.status_code, moved.json()["notes"]) == (200, "Loaner")
