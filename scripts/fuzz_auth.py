"""Schemathesis hooks of ``scripts/fuzz.py``: every request of a role's run
carries an access token of that role's fuzz user, minted here.

The fuzzing may give that user a new password (a customer's
``PATCH /customers/{id}/`` with a valid one), which ends its sessions: the
token in use then answers 401 ``password_changed``. Schemathesis asks this
provider for a new token after a 401, and the token minted for the user as
it now is keeps the rest of the run fuzzing as that role, not as a refused
caller.

Loaded by ``st`` through ``SCHEMATHESIS_HOOKS`` with the server's
environment (settings, database, signing key) and ``FUZZ_AUTH_USER_ID``.
"""

import os
import sys
from pathlib import Path

import schemathesis

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django

django.setup()

from django.db import close_old_connections  # noqa: E402

from accounts.models import User  # noqa: E402
from accounts.serializers import tokens_for  # noqa: E402

USER_ID = int(os.environ["FUZZ_AUTH_USER_ID"])


@schemathesis.auth()
class RoleToken:
    def get(self, case, context):
        close_old_connections()
        return str(tokens_for(User.objects.get(pk=USER_ID)).access_token)

    def set(self, case, data, context):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}
