"""Production settings, as deployed (OWASP API8): errors never show a
traceback or settings, security headers are set, HTTP redirects to HTTPS,
CORS is closed unless origins are listed.

Each scenario runs in a fresh interpreter with
DJANGO_SETTINGS_MODULE=mechanic_shop.settings.prod (the test settings could
not show what production does), drives the app with Django's test client,
and reports statuses, headers and bodies as JSON.
"""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SECRET = "prod-" + secrets.token_urlsafe(40)

PROBE = r"""
import json, os
from unittest import mock

import django
django.setup()
from django.test import Client
from drf_spectacular.views import SpectacularAPIView

client = Client(raise_request_exception=False)
https = {"secure": True}
evil = {"HTTP_ORIGIN": "https://evil.example"}
shop = {"HTTP_ORIGIN": "https://shop.example.com"}
answers = {
    "plain_http": client.get("/api/schema/"),
    "https": client.get("/api/schema/", **https),
    "not_found": client.get("/nowhere/", **https),
    "bad_host": client.get("/api/schema/", HTTP_HOST="attacker.example", **https),
    "cors_unlisted": client.get("/api/schema/", **https, **evil),
    "cors_unlisted_preflight": client.options(
        "/inventory/", HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST", **https, **evil
    ),
    "cors_listed": client.get("/api/schema/", **https, **shop),
    "cors_listed_preflight": client.options(
        "/inventory/", HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST", **https, **shop
    ),
}
crash = RuntimeError("boom with " + os.environ["SECRET_KEY"])
with mock.patch.object(SpectacularAPIView, "get", side_effect=crash):
    answers["crash"] = client.get("/api/schema/", **https)
print(json.dumps({
    name: {
        "status": r.status_code,
        "headers": {k.lower(): v for k, v in r.headers.items()},
        "body": r.content.decode(errors="replace")[:2000],
    }
    for name, r in answers.items()
}))
"""


def run_production(tmp_path, **env) -> dict:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CORS_"))}
    clean.pop("REDIS_URL", None)
    clean.update(
        DJANGO_SETTINGS_MODULE="mechanic_shop.settings.prod",
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS="testserver",
        DATABASE_URL=f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        LOG_LEVEL="CRITICAL",
        **env,
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def default(tmp_path_factory):
    return run_production(tmp_path_factory.mktemp("prod"))


@pytest.fixture(scope="module")
def with_cors(tmp_path_factory):
    return run_production(
        tmp_path_factory.mktemp("prod-cors"), CORS_ALLOWED_ORIGINS="https://shop.example.com"
    )


LEAKS = ["Traceback", "SECRET_KEY", "DATABASES", "DJANGO_SETTINGS_MODULE", SECRET, "boom"]


@pytest.mark.parametrize(
    "answer, status, code",
    [
        ("crash", 500, "server_error"),
        ("not_found", 404, "not_found"),
        ("bad_host", 400, "bad_request"),
    ],
)
def test_error_pages_are_json_without_traceback_or_settings(default, answer, status, code):
    page = default[answer]
    assert page["status"] == status
    assert page["headers"]["content-type"].startswith("application/json")
    body = json.loads(page["body"])
    assert set(body) == {"detail", "code"} and body["code"] == code
    for leak in LEAKS:
        assert leak not in page["body"], leak


def test_security_headers_are_set(default):
    headers = default["https"]["headers"]
    assert default["https"]["status"] == 200
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["x-frame-options"] == "DENY"
    assert headers["strict-transport-security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["cross-origin-opener-policy"] == "same-origin"


def test_plain_http_is_redirected_to_https(default):
    answer = default["plain_http"]
    assert answer["status"] == 301
    assert answer["headers"]["location"] == "https://testserver/api/schema/"


@pytest.mark.parametrize("answer", ["cors_unlisted", "cors_unlisted_preflight", "cors_listed"])
def test_cors_is_closed_by_default(default, answer):
    assert "access-control-allow-origin" not in default[answer]["headers"]


def test_cors_opens_only_to_listed_origins(with_cors):
    listed = with_cors["cors_listed"]["headers"]
    assert listed["access-control-allow-origin"] == "https://shop.example.com"
    preflight = with_cors["cors_listed_preflight"]
    assert preflight["status"] == 200
    assert preflight["headers"]["access-control-allow-origin"] == "https://shop.example.com"
    assert "POST" in preflight["headers"]["access-control-allow-methods"]
    for answer in ("cors_unlisted", "cors_unlisted_preflight"):
        assert "access-control-allow-origin" not in with_cors[answer]["headers"]
