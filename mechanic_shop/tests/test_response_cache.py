"""Cached lists: keyed by query string and role, fresh after every write."""

import pytest

from accounts.models import User
from inventory.models import Part
from tests.factories import MechanicFactory, PartFactory, ServiceTicketFactory

# Real commits: invalidation happens when the writing transaction commits.
pytestmark = pytest.mark.django_db(transaction=True)


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content
    return response


def test_second_read_is_a_hit(anon, part):
    assert get(anon, "/inventory/")["X-Cache"] == "MISS"
    hit = get(anon, "/inventory/")
    assert hit["X-Cache"] == "HIT"
    assert hit.json()["results"][0]["id"] == part.pk


def test_page_two_is_not_page_one(anon):
    for i in range(30):
        PartFactory(name=f"P{i:02d}")
    first = get(anon, "/inventory/?page=1").json()
    second = get(anon, "/inventory/?page=2").json()
    assert first["results"] != second["results"]
    assert second["results"][0]["name"] == "P20"
    assert get(anon, "/inventory/?page=2").json() == second


def test_each_query_string_has_its_own_entry(anon):
    PartFactory(name="Cheap", price="1.00")
    PartFactory(name="Dear", price="99.00")
    assert get(anon, "/inventory/?ordering=price").json()["results"][0]["name"] == "Cheap"
    assert get(anon, "/inventory/?ordering=-price").json()["results"][0]["name"] == "Dear"


def test_part_update_refreshes_the_list(anon, mechanic_client, part):
    get(anon, "/inventory/")
    mechanic_client.patch(f"/inventory/{part.pk}/", {"price": "15.00"})
    response = get(anon, "/inventory/")
    assert response["X-Cache"] == "MISS"
    assert response.json()["results"][0]["price"] == "15.00"


def test_part_create_and_delete_refresh_the_list(anon, mechanic_client):
    assert get(anon, "/inventory/").json()["count"] == 0
    created = mechanic_client.post(
        "/inventory/", {"name": "N", "part_number": "N-1", "price": "1.00", "quantity_in_stock": 1}
    ).json()
    assert get(anon, "/inventory/").json()["count"] == 1
    mechanic_client.delete(f"/inventory/{created['id']}/")
    assert get(anon, "/inventory/").json()["count"] == 0


def test_stock_taken_by_a_ticket_refreshes_the_list(anon, mechanic_client, ticket, part):
    assert get(anon, "/inventory/").json()["results"][0]["quantity_in_stock"] == 10
    mechanic_client.post(f"/service-tickets/{ticket.pk}/add-part/{part.pk}/", {"quantity": 4})
    assert get(anon, "/inventory/").json()["results"][0]["quantity_in_stock"] == 6
    mechanic_client.post(f"/service-tickets/{ticket.pk}/remove-part/{part.pk}/")
    assert get(anon, "/inventory/").json()["results"][0]["quantity_in_stock"] == 10


def test_direct_model_save_refreshes_the_list(anon, part):
    """Writes outside the API (the Django admin, a shell) invalidate too."""
    get(anon, "/inventory/")
    Part.objects.filter(pk=part.pk).first().save()
    assert get(anon, "/inventory/")["X-Cache"] == "MISS"


def test_roles_never_share_an_entry(mechanic_client, admin_client, mechanic):
    as_admin = get(admin_client, "/mechanics/").json()["results"][0]
    assert "salary" in as_admin
    as_mechanic = get(mechanic_client, "/mechanics/")
    assert as_mechanic["X-Cache"] == "MISS"
    assert "salary" not in as_mechanic.json()["results"][0]
    assert "salary" not in get(mechanic_client, "/mechanics/").json()["results"][0]


def test_mechanic_changes_refresh_the_list(mechanic_client, admin_client, mechanic):
    get(mechanic_client, "/mechanics/")
    admin_client.patch(f"/mechanics/{mechanic.pk}/", {"email": "renamed@shop.example"})
    assert (
        get(mechanic_client, "/mechanics/").json()["results"][0]["email"] == "renamed@shop.example"
    )
    admin_client.post(
        "/mechanics/",
        {
            "name": "New",
            "email": "n@shop.example",
            "phone": "555-0000",
            "salary": "1.00",
            "password": "Hydraulic-jack-9",
        },
    )
    assert get(mechanic_client, "/mechanics/").json()["count"] == 2


def test_assignments_refresh_popular(mechanic_client, mechanic, ticket):
    rookie = MechanicFactory(name="Aaa Rookie")
    ranking = get(mechanic_client, "/mechanics/popular/").json()["results"]
    assert [(m["id"], m["ticket_count"]) for m in ranking] == [(mechanic.pk, 1), (rookie.pk, 0)]
    mechanic_client.put(f"/service-tickets/{ticket.pk}/assign-mechanic/{rookie.pk}/")
    second = ServiceTicketFactory()
    mechanic_client.put(f"/service-tickets/{second.pk}/assign-mechanic/{rookie.pk}/")
    ranking = get(mechanic_client, "/mechanics/popular/").json()["results"]
    assert [(m["id"], m["ticket_count"]) for m in ranking] == [(rookie.pk, 2), (mechanic.pk, 1)]
    mechanic_client.put(
        f"/service-tickets/{ticket.pk}/edit/", {"remove_ids": [rookie.pk, mechanic.pk]}
    )
    ranking = get(mechanic_client, "/mechanics/popular/").json()["results"]
    assert [(m["id"], m["ticket_count"]) for m in ranking] == [(rookie.pk, 1), (mechanic.pk, 0)]


def test_ticket_delete_refreshes_popular(mechanic_client, admin_client, mechanic, ticket):
    assert get(mechanic_client, "/mechanics/popular/").json()["results"][0]["ticket_count"] == 1
    admin_client.delete(f"/service-tickets/{ticket.pk}/")
    assert get(mechanic_client, "/mechanics/popular/").json()["results"][0]["ticket_count"] == 0


def test_errors_are_not_cached(anon, part):
    assert anon.get("/inventory/?page=9").status_code == 404
    PartFactory.create_batch(200)
    assert anon.get("/inventory/?page=9").status_code == 200


# A hit is served from inside DRF's dispatch, after its authentication,
# permissions, throttles and content negotiation; these pin that the answer,
# and every refusal, is what an uncached request gets.


def test_a_hit_answers_what_the_miss_answered(anon, part):
    miss = get(anon, "/inventory/")
    hit = get(anon, "/inventory/")
    assert (miss["X-Cache"], hit["X-Cache"]) == ("MISS", "HIT")
    assert hit.content == miss.content
    for header in ("Content-Type", "Allow", "Cache-Control", "X-Frame-Options"):
        assert hit[header] == miss[header], header


def test_a_warm_entry_never_serves_a_refused_caller(anon, customer_client, mechanic_client):
    get(mechanic_client, "/mechanics/popular/")
    assert get(mechanic_client, "/mechanics/popular/")["X-Cache"] == "HIT"
    assert customer_client.get("/mechanics/popular/").status_code == 403
    assert anon.get("/mechanics/popular/").status_code == 401
    anon.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert anon.get("/mechanics/popular/").status_code == 401
    assert anon.get("/inventory/").status_code == 401  # a bad token is refused, never anonymous


def test_a_warm_entry_never_serves_a_deactivated_user(mechanic_client, mechanic):
    get(mechanic_client, "/mechanics/popular/")
    assert get(mechanic_client, "/mechanics/popular/")["X-Cache"] == "HIT"
    type(mechanic.user).objects.filter(pk=mechanic.user.pk).update(is_active=False)
    response = mechanic_client.get("/mechanics/popular/")
    assert response.status_code == 401
    assert response.json()["code"] == "user_inactive"


@pytest.mark.parametrize(
    ("url", "caller", "scope"),
    [("/inventory/", "anon", "anon"), ("/mechanics/popular/", "mechanic_client", "user")],
)
def test_hits_count_against_the_rate_once_each(request, settings, url, caller, scope):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            scope: "4/min",
        },
    }
    client = request.getfixturevalue(caller)
    responses = [client.get(url) for _ in range(5)]
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 429]
    assert [r.get("X-Cache") for r in responses[:4]] == ["MISS", "HIT", "HIT", "HIT"]
    assert responses[4].json()["code"] == "throttled"
    assert "Retry-After" in responses[4]


def test_an_unacceptable_accept_header_is_refused_on_a_warm_entry(anon):
    get(anon, "/inventory/")
    assert anon.get("/inventory/", HTTP_ACCEPT="text/html").status_code == 406
    assert anon.get("/inventory/?format=xml").status_code == 404
    assert get(anon, "/inventory/")["X-Cache"] == "HIT"


@pytest.mark.parametrize(
    ("url", "caller", "queries"),
    [
        ("/inventory/", "anon", 0),
        ("/inventory/?ordering=-price&search=brake", "anon", 0),
        ("/inventory/", "mechanic_client", 1),
        ("/mechanics/", "mechanic_client", 1),
        ("/mechanics/", "admin_client", 1),
        ("/mechanics/popular/", "mechanic_client", 1),
        ("/mechanics/popular/", "admin_client", 1),
    ],
)
def test_a_hit_reads_nothing_but_the_callers_user(
    request, django_assert_num_queries, url, caller, queries, part, ticket
):
    """A hit queries no table for its answer: an anonymous one makes no
    query at all, an authenticated one only the lookup of the token's user
    (which refuses a deleted or deactivated one)."""
    client = request.getfixturevalue(caller)
    miss = get(client, url)
    with django_assert_num_queries(queries) as captured:
        hit = get(client, url)
    assert (miss["X-Cache"], hit["X-Cache"]) == ("MISS", "HIT")
    assert hit.json() == miss.json()
    for query in captured.captured_queries:
        assert User._meta.db_table in query["sql"], query["sql"]
