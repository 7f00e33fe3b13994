"""Property-based tests of the pagination parameters (hypothesis): whatever
``page``, ``page_size``, ``limit`` and ``offset`` say, the answer is the
documented one: the right slice (200), a 400 naming the parameter, or a
404 past the end; never anything else."""

from urllib.parse import urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from inventory.models import Part
from tests.factories import PartFactory

pytestmark = pytest.mark.django_db

TOTAL = 45
MAX_PAGE_SIZE = 100

numbers = st.one_of(
    st.integers(-3, 120),
    st.integers(-(10**15), 10**15),
    st.sampled_from([0, 1, 2, 19, 20, 44, 45, 46, 99, 100, 101, 10**12]),
).map(str)
junk = st.one_of(st.just(""), st.text(max_size=8), st.sampled_from(["1.5", "1e3", "0x10", "-0"]))
value = st.one_of(st.none(), numbers, numbers, junk)


def expected(params: dict):
    """The documented answer: ("slice", start, size) | ("400", name) | ("404",)."""

    def number(name, minimum, maximum=None):
        raw = params.get(name)
        if raw is None or raw == "":
            return None
        try:
            parsed = int(raw)
        except ValueError:
            return ("400", name)
        if parsed < minimum or (maximum is not None and parsed > maximum):
            return ("400", name)
        return parsed

    offset_style = "limit" in params or "offset" in params
    page_style = "page" in params or "page_size" in params
    if offset_style and page_style:
        return ("400", "page")
    if offset_style:
        size = number("limit", 1, MAX_PAGE_SIZE)
        start = number("offset", 0)
    else:
        size = number("page_size", 1, MAX_PAGE_SIZE)
        page = number("page", 1)
        for parsed in (size, page):
            if isinstance(parsed, tuple):
                return parsed
        size = size or 20
        start = ((page or 1) - 1) * size
        if start and start >= TOTAL:
            return ("404",)
        return ("slice", start, size)
    for parsed in (size, start):
        if isinstance(parsed, tuple):
            return parsed
    size, start = size or 20, start or 0
    if start > TOTAL:
        return ("404",)
    return ("slice", start, size)


@pytest.fixture
def catalog():
    PartFactory.create_batch(TOTAL)
    return list(Part.objects.order_by("name", "id").values_list("id", flat=True))


@given(page=value, page_size=value, limit=value, offset=value)
@settings(max_examples=300)
def test_any_pagination_parameters_get_the_documented_answer(
    catalog, page, page_size, limit, offset
):
    params = {
        name: raw
        for name, raw in (
            ("page", page),
            ("page_size", page_size),
            ("limit", limit),
            ("offset", offset),
        )
        if raw is not None
    }
    response = APIClient().get(f"/inventory/?{urlencode(params)}")
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    outcome = expected(params)
    if outcome[0] == "400":
        assert response.status_code == 400, (params, body)
        assert outcome[1] in body
    elif outcome[0] == "404":
        assert response.status_code == 404, (params, body)
        assert body["code"] == "not_found"
    else:
        _, start, size = outcome
        assert response.status_code == 200, (params, body)
        assert body["count"] == TOTAL
        assert [part["id"] for part in body["results"]] == catalog[start : start + size]
        assert (body["next"] is None) == (start + size >= TOTAL)
        assert (body["previous"] is None) == (start == 0)
