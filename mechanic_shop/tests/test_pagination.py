"""Both pagination styles, their limits and their links."""

import pytest

from tests.factories import PartFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def parts(db):
    return [PartFactory(name=f"Part {i:03d}") for i in range(45)]


def names(body):
    return [p["name"] for p in body["results"]]


def test_default_page_is_twenty(anon, parts):
    body = anon.get("/inventory/").json()
    assert body["count"] == 45 and len(body["results"]) == 20
    assert body["previous"] is None
    assert body["next"] == "http://testserver/inventory/?page=2"


def test_page_style(anon, parts):
    body = anon.get("/inventory/?page=2&page_size=10").json()
    assert names(body) == [f"Part {i:03d}" for i in range(10, 20)]
    assert body["next"] == "http://testserver/inventory/?page=3&page_size=10"
    assert body["previous"] == "http://testserver/inventory/?page_size=10"
    last = anon.get("/inventory/?page=5&page_size=10").json()
    assert len(last["results"]) == 5 and last["next"] is None


def test_offset_style(anon, parts):
    body = anon.get("/inventory/?limit=10&offset=20").json()
    assert names(body) == [f"Part {i:03d}" for i in range(20, 30)]
    assert body["count"] == 45
    assert body["next"] == "http://testserver/inventory/?limit=10&offset=30"
    assert body["previous"] == "http://testserver/inventory/?limit=10&offset=10"
    first = anon.get("/inventory/?limit=10&offset=5").json()
    assert first["previous"] == "http://testserver/inventory/?limit=10"


def test_maximum_is_one_hundred(anon, parts):
    assert len(anon.get("/inventory/?page_size=100").json()["results"]) == 45
    for query in ("page_size=101", "limit=101"):
        response = anon.get(f"/inventory/?{query}")
        assert response.status_code == 400
        assert query.split("=")[0] in response.json()


@pytest.mark.parametrize(
    "query, field",
    [
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=abc", "page"),
        ("page_size=0", "page_size"),
        ("limit=0", "limit"),
        ("offset=-1", "offset"),
        ("offset=x", "offset"),
        ("page=1&limit=5", "page"),
    ],
)
def test_bad_parameters_are_400(anon, parts, query, field):
    response = anon.get(f"/inventory/?{query}")
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize(
    "query", ["page=4", "page=999999999999", "offset=46", "offset=1000000000000"]
)
def test_past_the_end_is_404(anon, parts, query):
    response = anon.get(f"/inventory/?{query}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_offset_at_the_end_is_an_empty_page(anon, parts):
    body = anon.get("/inventory/?offset=45").json()
    assert body["results"] == [] and body["next"] is None


def test_empty_list_first_page(anon):
    assert anon.get("/inventory/").json() == {
        "count": 0,
        "next": None,
        "previous": None,
        "results": [],
    }
