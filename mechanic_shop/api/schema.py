"""Shared OpenAPI pieces: the error bodies every endpoint can answer, and
the hooks that make the schema type what the API reads and sends."""

from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import OpenApiResponse, PolymorphicProxySerializer, inline_serializer
from rest_framework import serializers

ErrorSerializer = inline_serializer(
    "Error",
    fields={
        "detail": serializers.CharField(),
        "code": serializers.CharField(),
    },
)


class FieldErrorsSerializer(serializers.Serializer):
    """A 400 for invalid input: documented by ``FieldErrorsSchema``."""


class FieldErrorsSchema(OpenApiSerializerExtension):
    """``{field: [messages]}``: any field name, so no fixed properties. A
    nested field or a list item maps to an object of its own errors
    (``{"mechanic_ids": {"1": ["A valid integer is required."]}}``)."""

    target_class = FieldErrorsSerializer

    def map_serializer(self, auto_schema, direction):
        messages = {"type": "array", "items": {"type": "string"}}
        return {
            "type": "object",
            "description": "Each invalid field maps to its messages (an object of its own "
            "errors for a nested field or a list item); problems not tied to one field "
            "are under non_field_errors.",
            "additionalProperties": {"oneOf": [messages, {"type": "object"}]},
            "example": {"vin": ["A VIN is 17 letters and digits, without I, O or Q."]},
        }


# A 400 is either invalid fields, or a body that could not be read at all
# (malformed JSON: {"detail", "code": "parse_error"}).
BadRequestSerializer = PolymorphicProxySerializer(
    component_name="BadRequest",
    serializers=[FieldErrorsSerializer, ErrorSerializer],
    resource_type_field_name=None,
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
            serializer = BadRequestSerializer
        elif code == 409:
            serializer = ConflictSerializer
        else:
            serializer = ErrorSerializer
        responses[code] = OpenApiResponse(response=serializer, description=_DESCRIPTIONS[code])
    return responses


ERRORS_401 = error_responses(401)
ERRORS_READ = error_responses(401, 403, 404)
ERRORS_WRITE = error_responses(400, 401, 403, 404)


class ShopFilterParameters(DjangoFilterExtension):
    """django-filter's parameters as ShopFilterBackend reads them: a text
    filter sent empty is refused, so it is at least one character long."""

    target_class = "mechanic_shop.api.filter_backends.ShopFilterBackend"
    priority = 1

    def get_schema_operation_parameters(self, auto_schema, *args, **kwargs):
        parameters = super().get_schema_operation_parameters(auto_schema, *args, **kwargs)
        for parameter in parameters:
            schema = parameter["schema"]
            if schema.get("type") == "string" and schema.keys().isdisjoint({"enum", "format"}):
                schema.setdefault("minLength", 1)
        return parameters


# How drf-spectacular writes the pattern of a path parameter matched by \d+.
DIGITS_PATTERNS = {r"^\d+$", "^[0-9]+$"}


def integer_path_ids(result, generator, request, public):
    r"""drf-spectacular postprocessing hook: a path parameter matched by
    ``\d+`` (the viewsets' ``lookup_value_regex``, the ``(?P<x>\d+)`` of
    their actions) is an integer, as the ids in the bodies are. drf-spectacular
    types a regex-matched parameter as a string with that pattern, and
    clients generated from the schema then take every id as a string."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if (
                    parameter.get("in") == "path"
                    and schema.get("type") == "string"
                    and schema.get("pattern") in DIGITS_PATTERNS
                ):
                    parameter["schema"] = {"type": "integer"}
    return result


def _error(description: str, *, retry_after: bool = False) -> dict:
    response = {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    if retry_after:
        response["headers"] = {
            "Retry-After": {
                "schema": {"type": "integer"},
                "description": "Seconds to wait before retrying.",
            }
        }
    return response


def add_cross_cutting_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: the answers an operation gives
    whatever its view says, because they come from the machinery around it.

    * 401 on every operation: a request that *sends* a bad or expired token is
      refused even where no login is needed.
    * 429 (throttles) and 503 (database unreachable) on every operation,
      both with ``Retry-After``.
    * 413 and 415 on operations with a body (size limit, JSON only).
    * 404 on paginated lists: a page or offset past the end.
    """
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in {"get", "put", "patch", "post", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            query = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
            if "page" in query:
                responses.setdefault("404", _error("Page or offset past the end of the list."))
            if "requestBody" in operation:
                responses.setdefault("413", _error(_DESCRIPTIONS[413]))
                responses.setdefault("415", _error("Unsupported media type: send JSON."))
            responses.setdefault("401", _error(_DESCRIPTIONS[401]))
            responses.setdefault("429", _error(_DESCRIPTIONS[429], retry_after=True))
            responses.setdefault(
                "503",
                _error("The database is unreachable; retry later.", retry_after=True),
            )
    return result
