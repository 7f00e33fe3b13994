"""Property-based tests of the VIN rules (hypothesis): what the validator
accepts is exactly a 17-character VIN in any case, with surrounding spaces,
and what it stores is its upper-case form."""

import re
import string

import pytest
from django.core.exceptions import ValidationError
from hypothesis import example, given, settings
from hypothesis import strategies as st

from conftest import client_for
from tests.factories import CustomerFactory, MechanicFactory
from tickets.models import ServiceTicket
from vehicles.validators import normalize_vin, validate_vin

VIN_ALPHABET = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
vins = st.text(alphabet=VIN_ALPHABET, min_size=17, max_size=17)
# What a client may type around a VIN: ASCII spaces and tabs.
padding = st.text(alphabet=" \t", max_size=3)


def accepted(value: str) -> bool:
    try:
        validate_vin(value)
    except ValidationError:
        return False
    return True


@given(vin=vins, before=padding, after=padding, lower=st.booleans())
def test_every_vin_is_accepted_in_any_case_and_stored_upper_case(vin, before, after, lower):
    typed = before + (vin.lower() if lower else vin) + after
    assert accepted(typed)
    assert normalize_vin(typed) == vin


@given(value=st.text(max_size=40))
@example("ABCDEFGH1234567ß")  # "ß".upper() == "SS": 16 characters would become a VIN
@example("\u017f" * 17)  # the long s upper-cases to "S"
@example("1HGCM82633A00435\uff12")  # a full-width 2
@settings(max_examples=500)
def test_only_ascii_vins_are_accepted(value):
    """Anything accepted is, once trimmed, 17 ASCII VIN characters: no
    Unicode case mapping or look-alike digit turns other text into a VIN."""
    if accepted(value):
        trimmed = value.strip()
        assert re.fullmatch(r"[A-HJ-NPR-Za-hj-npr-z0-9]{17}", trimmed, flags=re.ASCII), value


@pytest.mark.parametrize("letter", "IOQioq")
def test_i_o_q_are_never_accepted(letter):
    assert not accepted("1HGCM82633A00435" + letter)


@given(vin=vins, position=st.integers(0, 16), letter=st.sampled_from("IOQ"))
def test_one_i_o_or_q_anywhere_is_refused(vin, position, letter):
    assert not accepted(vin[:position] + letter + vin[position + 1 :])


@given(vin=vins, extra=st.text(alphabet=string.ascii_uppercase + string.digits, min_size=1))
def test_other_lengths_are_refused(vin, extra):
    assert not accepted(vin + extra)
    assert not accepted(vin[:-1])


@pytest.mark.django_db
@pytest.mark.parametrize("vin", ["ABCDEFGH1234567ß", "\u017f" * 17, "1HGCM82633A00435\uff12"])
def test_the_api_refuses_unicode_that_upper_cases_into_a_vin(vin):
    response = client_for(MechanicFactory().user).post(
        "/service-tickets/",
        {
            "customer_id": CustomerFactory().pk,
            "vin": vin,
            "service_date": "2026-03-01",
            "service_desc": "Brakes",
        },
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["vin"]
    assert not ServiceTicket.objects.exists()


@pytest.fixture(scope="module")
def schema_vin_pattern():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return schema["components"]["schemas"]["ServiceTicketRequest"]["properties"]["vin"]["pattern"]


@given(value=st.one_of(st.text(max_size=20), vins, vins.map(str.lower)))
def test_the_schema_pattern_promises_only_what_the_api_accepts(schema_vin_pattern, value):
    """Clients (and the schema fuzzer) trust the pattern in the OpenAPI
    schema: a VIN matching it is accepted, and every VIN matches it."""
    if re.fullmatch(schema_vin_pattern, value):
        assert accepted(value)


@given(vin=vins, lower=st.booleans())
def test_every_vin_matches_the_schema_pattern(schema_vin_pattern, vin, lower):
    assert re.fullmatch(schema_vin_pattern, vin.lower() if lower else vin)
