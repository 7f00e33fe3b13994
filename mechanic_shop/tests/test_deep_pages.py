"""A deep page is read by its ids first (mechanic_shop.api.pagination):
it answers the same tickets, in the same order, as the one-query read."""

import pytest

from mechanic_shop.api import pagination
from tests.factories import ServiceTicketFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/service-tickets/", "/service-tickets/?status=estimate"])
def test_a_deep_page_is_the_same_page(admin_client, monkeypatch, settings, url):
    settings.RESPONSE_CACHE_ENABLED = False
    ServiceTicketFactory.create_batch(12)
    sep = "&" if "?" in url else "?"
    pages = f"{url}{sep}page_size=3&page="
    shallow = [admin_client.get(f"{pages}{n}").json()["results"] for n in (1, 2, 3, 4)]
    monkeypatch.setattr(pagination, "DEFERRED_JOIN_FROM", 3)
    deep = [admin_client.get(f"{pages}{n}").json()["results"] for n in (1, 2, 3, 4)]
    assert deep == shallow
    assert [t["id"] for page in deep for t in page] == sorted(
        (t["id"] for page in deep for t in page),
        key=lambda i: next((t["service_date"], t["id"]) for p in deep for t in p if t["id"] == i),
        reverse=True,
    )
