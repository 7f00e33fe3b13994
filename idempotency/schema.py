"""drf-spectacular: the ``Idempotency-Key`` header and its answers on
every operation whose view takes it (``IdempotencyKeyMixin``)."""

import re

from django.urls import Resolver404, resolve

from . import services
from .views import IdempotencyKeyMixin

PARAMETER = {
    "name": services.HEADER,
    "in": "header",
    "required": False,
    "description": "Send the same key (1 to 255 printable ASCII characters, e.g. a UUID) "
    "when retrying: within the keys' lifetime (24 hours by default), the first "
    "answer is replayed (header `Idempotent-Replayed: true`) and nothing is applied twice. "
    "Keys are the caller's own. Another method, path or body with the same key: 422; "
    "while the first request runs: 409.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": r"^[ -~]+$"},
}
REPLAYED = {
    "schema": {"type": "string", "enum": ["true"]},
    "description": "Present on a stored answer replayed for a retry with the same Idempotency-Key.",
}
IN_PROGRESS = (
    "A request with the same Idempotency-Key is still being handled "
    "(`idempotency_key_in_progress`): retry shortly."
)


def _error(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _takes_keys(path: str, method: str) -> bool:
    try:
        match = resolve(re.sub(r"\{[^}]+\}", "1", path))
    except Resolver404:
        return False
    view = getattr(match.func, "cls", None)
    if view is None or not issubclass(view, IdempotencyKeyMixin):
        return False
    actions = getattr(match.func, "actions", None)
    return method in actions if actions is not None else hasattr(view, method)


def document_idempotency_keys(result, generator, request, public):
    """Postprocessing hook: on each POST and PATCH that takes the header, the
    header, the 409 and 422 it may answer, a 400 for a malformed key, and
    ``Idempotent-Replayed`` on its successes."""
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method.upper() not in services.METHODS or not _takes_keys(path, method):
                continue
            operation.setdefault("parameters", []).append(PARAMETER)
            responses = operation.setdefault("responses", {})
            # The malformed key is answered as a field error (the header's
            # name, its message), as every other 400: the BadRequest schema.
            responses.setdefault(
                "400",
                {
                    "description": f"Invalid input (a malformed {services.HEADER} included).",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/BadRequest"}}
                    },
                },
            )
            if "409" in responses:
                conflict = responses["409"]
                conflict["description"] = f"{conflict.get('description', '')} Or: {IN_PROGRESS}"
            else:
                responses["409"] = _error(IN_PROGRESS)
            responses["422"] = _error(
                "This Idempotency-Key was first sent with another method, path or body "
                "(`idempotency_key_reused`)."
            )
            for code, response in responses.items():
                if code.startswith("2"):
                    response.setdefault("headers", {})[services.REPLAYED_HEADER] = REPLAYED
    return result
