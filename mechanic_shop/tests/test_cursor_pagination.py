"""Cursor paging of the ticket lists: every ticket exactly once, in the
list's order, forwards and backwards, with filters and orderings; no count;
and a page's cost does not depend on its depth (no OFFSET)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import CustomerFactory, ServiceTicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tickets(customer):
    day = datetime.date(2026, 1, 1)
    made = []
    for i in range(23):
        # Several tickets per day: the id breaks the ties.
        owner = customer if i % 3 else CustomerFactory()
        made.append(
            ServiceTicketFactory(customer=owner, service_date=day + datetime.timedelta(days=i // 4))
        )
    return made


def walk(client, url):
    """Follow next links from ``url``; answer the ids and the pages."""
    ids, pages = [], []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        assert "count" not in body
        pages.append(body)
        ids += [t["id"] for t in body["results"]]
        url = body["next"]
    return ids, pages


def expected(tickets, key, reverse):
    return [t.pk for t in sorted(tickets, key=key, reverse=reverse)]


def test_forwards_every_ticket_once_in_list_order(admin_client, tickets):
    ids, pages = walk(admin_client, "/service-tickets/?cursor=&page_size=5")
    assert ids == expected(tickets, lambda t: (t.service_date, t.pk), reverse=True)
    assert [len(p["results"]) for p in pages] == [5, 5, 5, 5, 3]
    assert pages[0]["previous"] is None
    assert pages[1]["previous"] is not None


def test_backwards_from_the_last_page(admin_client, tickets):
    _, pages = walk(admin_client, "/service-tickets/?cursor=&page_size=5")
    seen, url = [], pages[-1]["previous"]
    while url:
        body = admin_client.get(url).json()
        seen = [t["id"] for t in body["results"]] + seen
        url = body["previous"]
    order = expected(tickets, lambda t: (t.service_date, t.pk), reverse=True)
    assert seen == order[:20]


@pytest.mark.parametrize(
    "ordering, key, reverse",
    [
        ("service_date", lambda t: (t.service_date, t.pk), False),
        ("-id", lambda t: t.pk, True),
        ("created_at", lambda t: (t.created_at, t.pk), False),
    ],
)
def test_other_orderings(admin_client, tickets, ordering, key, reverse):
    ids, _ = walk(admin_client, f"/service-tickets/?cursor=&page_size=4&ordering={ordering}")
    assert ids == expected(tickets, key, reverse)


def test_filters_and_the_customers_own_lists(customer_client, customer, tickets):
    mine = [t for t in tickets if t.customer_id == customer.pk]
    order = expected(mine, lambda t: (t.service_date, t.pk), reverse=True)
    assert walk(customer_client, "/customers/my-tickets/?cursor=&page_size=4")[0] == order
    assert walk(customer_client, "/service-tickets/?cursor=&page_size=4")[0] == order


def test_a_filter_is_kept_in_the_links(admin_client, customer, tickets):
    ids, pages = walk(admin_client, f"/service-tickets/?cursor=&page_size=3&customer={customer.pk}")
    assert f"customer={customer.pk}" in pages[0]["next"]
    assert ids == expected(
        [t for t in tickets if t.customer_id == customer.pk],
        lambda t: (t.service_date, t.pk),
        reverse=True,
    )


@pytest.mark.parametrize(
    "query",
    [
        "cursor=garbage",
        "cursor=eyJvIjpbXX0",
        "cursor=&page=2",
        "cursor=&offset=5",
        "page_size=0&cursor=",
    ],
)
def test_bad_cursor_parameters_are_400(admin_client, tickets, query):
    response = admin_client.get(f"/service-tickets/?{query}")
    assert response.status_code == 400
    assert set(response.json()) & {"cursor", "page_size"}


def test_a_cursor_of_another_ordering_is_400(admin_client, tickets):
    next_link = admin_client.get("/service-tickets/?cursor=&page_size=5").json()["next"]
    cursor = next_link.split("cursor=")[1].split("&")[0]
    response = admin_client.get(f"/service-tickets/?cursor={cursor}&ordering=id")
    assert response.status_code == 400


def test_deep_pages_use_no_offset(admin_client, tickets):
    _, pages = walk(admin_client, "/service-tickets/?cursor=&page_size=5")
    with CaptureQueriesContext(connection) as ctx:
        admin_client.get(pages[3]["next"])
    sql = " ".join(q["sql"].upper() for q in ctx.captured_queries)
    assert "OFFSET" not in sql and "COUNT(" not in sql


def test_other_lists_ignore_the_cursor(admin_client, mechanic):
    # The ticket lists and the synced ones (mechanic_shop.api.sync) take it.
    body = admin_client.get("/mechanics/?cursor=").json()
    assert body["count"] == 1
