"""The last bay under concurrent requests, on a real MySQL/MariaDB server
(SQLite serializes whole-database writes, so it would prove nothing): run
when DATABASE_URL points at MySQL/MariaDB, as in CI. Two servers on one
database: scripts/concurrency_check.py."""

import pytest

from appointments.models import Appointment
from conftest import client_for, mysql_only
from tests.factories import MechanicFactory, VehicleFactory
from tickets.tests.test_concurrency import run_concurrently

from .conftest import at, monday

pytestmark = [pytest.mark.mariadb, mysql_only(), pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("tries", [2, 12])
def test_simultaneous_bookings_of_the_last_bay_give_one(shop, tries):
    shop.bays = 2
    shop.save()
    day = monday()
    vehicle = VehicleFactory()
    mechanic = MechanicFactory()
    clients = [client_for(mechanic.user) for _ in range(tries)]

    def body(clock):
        return {
            "customer_id": vehicle.customer_id,
            "vehicle_id": vehicle.pk,
            "concern": "Last bay",
            "starts_at": at(day, clock),
        }

    assert clients[0].post("/appointments/", body("09:00"), format="json").status_code == 201
    # Overlapping the taken bay differently: 09:30-10:30 and 09:00-10:00.
    answers = run_concurrently(
        tries,
        lambda i: clients[i].post(
            "/appointments/", body("09:30" if i % 2 else "09:00"), format="json"
        ),
    )
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201] + [409] * (tries - 1)
    assert {a.json()["code"] for a in answers if a.status_code == 409} == {"no_free_bay"}
    assert Appointment.objects.count() == 2
