"""Unknown URLs answer the JSON 404 under every settings module (DEBUG on
under ``dev``), and the admin keeps its own answers.

With DEBUG on, Django answers an unknown URL with its HTML debug page
whatever ``handler404`` says, so the last route of ``mechanic_shop.urls``
answers instead (test_conventions checks it with DEBUG either way). Here
each settings module is loaded in a fresh interpreter, as ``manage.py``
would load it.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from mechanic_shop.tests.test_conventions import UNKNOWN_URLS
from tests.factories import AdminFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
NOT_FOUND = {"detail": "Not found.", "code": "not_found"}


@pytest.mark.parametrize("debug", [False, True], ids=["no-debug", "debug"])
def test_the_admin_keeps_its_own_answers(settings, debug):
    """Unknown admin pages: anonymous users are sent to the login page (the
    admin does not tell which pages exist); staff get a 404, Django's page
    when DEBUG is on (the admin is an HTML site), else the JSON one. A
    missing object sends staff back to the admin index with a message."""
    settings.DEBUG = debug
    anonymous = Client()
    response = anonymous.get("/admin/nowhere/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")

    staff = Client()
    staff.force_login(AdminFactory())
    assert staff.get("/admin/").status_code == 200
    response = staff.get("/admin/nowhere/")
    assert response.status_code == 404
    if not debug:
        assert response.json() == NOT_FOUND
    response = staff.get("/admin/inventory/part/424242/change/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


PROBE = r"""
import json, sys

import django
django.setup()
from django.conf import settings
from django.test import Client

client = Client(enforce_csrf_checks=True, raise_request_exception=False)
answers = {}
for path in json.loads(sys.argv[1]):
    for method in ("get", "post"):
        response = getattr(client, method)(path, secure=True)
        answers[f"{method} {path}"] = {
            "status": response.status_code,
            "type": response.get("Content-Type"),
            "body": response.content.decode(errors="replace")[:300],
        }
print(json.dumps({"debug": settings.DEBUG, "answers": answers}))
"""


@pytest.mark.parametrize("module", ["dev", "test", "prod", "fuzz", "bench"])
def test_unknown_url_is_the_json_404_under_each_settings_module(tmp_path, module):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("DJANGO_") and k not in ("DEBUG", "REDIS_URL", "ROOT_URLCONF")
    }
    env.update(
        DJANGO_SETTINGS_MODULE=f"mechanic_shop.settings.{module}",
        SECRET_KEY="not-found-probe-" + "x" * 40,
        ALLOWED_HOSTS="testserver",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        LOG_LEVEL="CRITICAL",
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", PROBE, json.dumps(UNKNOWN_URLS)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert probe["debug"] is (module == "dev")
    for request, answer in probe["answers"].items():
        assert answer["status"] == 404, (request, answer)
        assert answer["type"] == "application/json", (request, answer)
        assert json.loads(answer["body"]) == NOT_FOUND, request
