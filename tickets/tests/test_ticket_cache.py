"""Cached ticket answers (the staff list, my-tickets, the detail): keyed by
the URL and the role, a customer's by the customer too; fresh after every
committed write to what a ticket shows."""

import pytest

from accounts.models import User
from tests.factories import ServiceTicketFactory

# Real commits: invalidation happens when the writing transaction commits.
pytestmark = pytest.mark.django_db(transaction=True)


def get(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.content
    return response


@pytest.mark.parametrize("url", ["/service-tickets/", "/service-tickets/{pk}/"])
def test_second_read_is_a_hit_and_answers_the_same(mechanic_client, ticket, url):
    url = url.format(pk=ticket.pk)
    miss = get(mechanic_client, url)
    hit = get(mechanic_client, url)
    assert (miss["X-Cache"], hit["X-Cache"]) == ("MISS", "HIT")
    assert hit.json() == miss.json()


@pytest.mark.parametrize("url", ["/service-tickets/", "/customers/my-tickets/"])
def test_customers_never_share_an_entry(customer_client, other_customer_client, ticket, url):
    ServiceTicketFactory(customer=ticket.customer)
    mine = get(customer_client, url).json()
    assert mine["count"] == 2
    theirs = get(other_customer_client, url)
    assert theirs["X-Cache"] == "MISS"
    assert theirs.json()["count"] == 0


def test_a_warm_detail_is_still_not_found_for_another_customer(
    customer_client, other_customer_client, mechanic_client, ticket
):
    url = f"/service-tickets/{ticket.pk}/"
    get(customer_client, url)
    get(mechanic_client, url)
    get(other_customer_client, url, status=404)


def test_a_line_added_refreshes_the_list_and_the_detail(
    mechanic_client, customer_client, ticket, part
):
    urls = ["/service-tickets/", f"/service-tickets/{ticket.pk}/"]
    for url in urls:
        get(mechanic_client, url)
    get(customer_client, "/customers/my-tickets/")
    answer = mechanic_client.post(
        f"/service-tickets/{ticket.pk}/add-part/{part.pk}/", {"quantity": 2}
    )
    assert answer.status_code == 200, answer.content
    expected = answer.json()
    assert get(mechanic_client, urls[1]).json() == expected
    assert get(mechanic_client, urls[0]).json()["results"][0] == expected
    assert (
        get(customer_client, "/customers/my-tickets/").json()["results"][0]["parts"]
        == expected["parts"]
    )


def test_names_shown_on_a_ticket_refresh_it(mechanic_client, admin_client, ticket, part, mechanic):
    """The customer's, the mechanics' and the parts' names are on the ticket:
    renaming any of them through the API shows on the next read."""
    url = f"/service-tickets/{ticket.pk}/"
    mechanic_client.post(f"/service-tickets/{ticket.pk}/add-part/{part.pk}/", {"quantity": 1})
    get(mechanic_client, url)
    assert (
        admin_client.patch(f"/customers/{ticket.customer_id}/", {"name": "New Name"}).status_code
        == 200
    )
    assert get(mechanic_client, url).json()["customer"]["name"] == "New Name"
    assert (
        admin_client.patch(f"/mechanics/{mechanic.pk}/", {"name": "Ann Other"}).status_code == 200
    )
    assert get(mechanic_client, url).json()["mechanics"][0]["name"] == "Ann Other"
    assert admin_client.patch(f"/inventory/{part.pk}/", {"name": "Pad set"}).status_code == 200
    assert get(mechanic_client, url).json()["parts"][0]["name"] == "Pad set"


def test_a_payment_refreshes_the_balance(mechanic_client, admin_client, ticket, part):
    url = f"/service-tickets/{ticket.pk}/"
    mechanic_client.post(f"/service-tickets/{ticket.pk}/add-part/{part.pk}/", {"quantity": 1})
    for action in ("approve", "start", "complete", "invoice"):
        answer = mechanic_client.post(f"{url}{action}/")
        assert answer.status_code == 200, (action, answer.content)
    before = get(mechanic_client, url).json()
    paid = mechanic_client.post(f"{url}payments/", {"amount": "5.00", "method": "cash"})
    assert paid.status_code == 201, paid.content
    after = get(mechanic_client, url)
    assert after["X-Cache"] == "MISS"
    assert after.json()["amount_paid"] != before["amount_paid"]


@pytest.mark.parametrize("caller", ["mechanic_client", "customer_client"])
def test_a_hit_reads_nothing_but_the_callers_user(
    request, django_assert_num_queries, caller, ticket
):
    client = request.getfixturevalue(caller)
    url = f"/service-tickets/{ticket.pk}/"
    get(client, url)
    with django_assert_num_queries(1) as captured:
        hit = get(client, url)
    assert hit["X-Cache"] == "HIT"
    assert User._meta.db_table in captured.captured_queries[0]["sql"]
