"""The schema, Swagger UI, and the production settings' own guarantees."""

import itertools
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_schema_is_openapi3_with_a_bearer_jwt_scheme(anon):
    response = anon.get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["components"]["securitySchemes"]["jwtAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
    }
    paths = schema["paths"]
    for path in (
        "/customers/login/",
        "/service-tickets/{id}/add-part/{part_id}/",
        "/reports/revenue/",
    ):
        assert path in paths
    # Protected operations declare the scheme; the catalog also allows anonymous.
    assert {"jwtAuth": []} in paths["/service-tickets/"]["get"]["security"]
    assert {} in paths["/inventory/"]["get"]["security"]


@pytest.fixture(scope="module")
def openapi():
    return SchemaGenerator().get_schema(request=None, public=True)


def test_path_ids_are_integers(openapi):
    """Ids in paths are typed as in the bodies: integers, never strings of
    digits (a client generated from the schema would take them as text)."""
    path_parameters = [
        (path, method, parameter["name"], parameter["schema"])
        for path, operations in openapi["paths"].items()
        for method, operation in operations.items()
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "path"
    ]
    assert len(path_parameters) > 40
    # Except an event's id: a UUID, the webhook-id receivers deduplicate on.
    uuid = {"type": "string", "format": "uuid"}
    wrong = [p for p in path_parameters if p[3] != {"type": "integer"} and p[3] != uuid]
    assert not wrong, wrong
    id_schema = openapi["components"]["schemas"]["Part"]["properties"]["id"]
    assert id_schema["type"] == "integer"


def test_component_names_read_as_an_integrator_would_write_them(openapi):
    names = set(openapi["components"]["schemas"])
    assert {"LoginRequest", "RefreshRequest", "PaymentMethodEnum", "TicketStatusEnum"} <= names
    for name in names:
        words = re.findall(r"[A-Z][a-z0-9]*", name)
        doubled = [a for a, b in itertools.pairwise(words) if a == b]
        assert not doubled, f"{name}: {doubled[0]} twice"
        assert not name.endswith(("RequestRequest", "Serializer", "EnumEnum", "ListList")), name
    # Enums named for what they hold, not for the field ("MethodEnum").
    assert not names & {"MethodEnum", "ActionEnum", "StatusEnum"}


def test_schema_validates_without_warnings(tmp_path):
    # As `make schema` builds it: a warning (an untyped parameter, two
    # components of one name) fails the command.
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml")
    )


@pytest.mark.parametrize("path", ["/api/docs/", "/api/docs", "/api/redoc/"])
def test_docs_pages_answer(anon, path):
    response = anon.get(path)
    assert response.status_code == 200
    assert b"<html" in response.content.lower()


def test_swagger_assets_are_served_locally(anon):
    html = anon.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()


def _prod_settings(**env):
    clean = {
        k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL")
    }
    clean.update(DJANGO_SETTINGS_MODULE="mechanic_shop.settings.prod", **env)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_secret_key():
    result = _prod_settings(ALLOWED_HOSTS="shop.example.com")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_deploy_check_is_clean():
    result = _prod_settings(
        SECRET_KEY="x" * 20 + "-long-random-production-key-0123456789",
        ALLOWED_HOSTS="shop.example.com",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
