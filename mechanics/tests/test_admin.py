"""The mechanic admin as the ticket page uses it: its autocomplete."""

import pytest

from tests.factories import MechanicFactory

pytestmark = pytest.mark.django_db

AUTOCOMPLETE = "/admin/autocomplete/"


def test_mechanic_autocomplete_on_the_ticket_page(client, admin_user):
    for name in ("Sam Ortega", "Ana Ortega", "Kim Novak"):
        MechanicFactory(name=name)
    client.force_login(admin_user)

    response = client.get(
        AUTOCOMPLETE,
        {
            "term": "ortega",
            "app_label": "tickets",
            "model_name": "ticketmechanic",
            "field_name": "mechanic",
        },
    )

    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["Ana Ortega", "Sam Ortega"]
