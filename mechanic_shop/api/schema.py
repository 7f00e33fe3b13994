"""Shared OpenAPI pieces: the error bodies every endpoint can answer."""

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

ErrorSerializer = inline_serializer(
    "Error",
    fields={
        "detail": serializers.CharField(),
        "code": serializers.CharField(),
    },
)

ValidationErrorSerializer = inline_serializer(
    "ValidationError",
    fields={
        "field_name": serializers.ListField(
            child=serializers.CharField(),
            help_text="Each invalid field maps to its messages; "
            "problems not tied to one field are under non_field_errors.",
        ),
    },
)

ConflictSerializer = inline_serializer(
    "Conflict",
    fields={
        "detail": serializers.CharField(),
        "code": serializers.CharField(),
        "status": serializers.CharField(required=False, help_text="Current status, when relevant."),
        "allowed": serializers.ListField(
            child=serializers.CharField(),
            required=False,
            help_text="Statuses reachable from the current one, when relevant.",
        ),
    },
)

_DESCRIPTIONS = {
    400: "Invalid input: the body names each field in error.",
    401: "Missing, invalid or expired token, or wrong credentials.",
    403: "Authenticated, but this role may not do this.",
    404: "No such object (or not yours).",
    409: "Conflicts with the current state.",
    413: "Request body too large.",
    429: "Too many requests; see the Retry-After header.",
}


def error_responses(*codes: int) -> dict:
    responses = {}
    for code in codes:
        if code == 400:
            serializer = ValidationErrorSerializer
        elif code == 409:
            serializer = ConflictSerializer
        else:
            serializer = ErrorSerializer
        responses[code] = OpenApiResponse(response=serializer, description=_DESCRIPTIONS[code])
    return responses


ERRORS_401 = error_responses(401)
ERRORS_READ = error_responses(401, 403, 404)
ERRORS_WRITE = error_responses(400, 401, 403, 404)
