"""One pagination class that speaks both styles clients of the old API use,
and a cursor style for deep paging of the ticket lists.

``?page=2&page_size=10`` or ``?limit=10&offset=20``; both answer
``{count, next, previous, results}``. Default 20 items, at most 100. A value
out of range is the client's mistake and answers 400 naming the parameter (a
silent clamp would hide a bug in the client); a page or offset past the end
answers 404, as DRF does for pages.

``?cursor=`` (empty for the first page, then the ``next``/``previous``
links), on views that set ``cursor_paging``: ``{next, previous, results}``,
no count. A page is found from the last row seen (keyset: ``WHERE
(service_date, id) < (...)`` along the list's ordering), so page 50,000
costs what page 1 costs, where an offset makes the database walk past every
row before it.
"""

import base64
import binascii
import datetime
import json
import uuid

from django.conf import settings
from django.db.models import Q, QuerySet
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

MAX_PAGE_SIZE = 100
# From this offset on, a page is read by its ids first (ShopPagination).
DEFERRED_JOIN_FROM = 1_000


def _int_param(params, name: str, *, minimum: int, maximum: int | None = None) -> int | None:
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ValidationError({name: [f"A whole number is required, not {raw[:20]!r}."]})
    if value < minimum:
        raise ValidationError({name: [f"Must be at least {minimum}."]})
    if maximum is not None and value > maximum:
        raise ValidationError({name: [f"Must be at most {maximum}."]})
    return value


class ShopPagination(BasePagination):
    page_query_param = "page"
    page_size_query_param = "page_size"
    limit_query_param = "limit"
    offset_query_param = "offset"
    max_page_size = MAX_PAGE_SIZE

    @property
    def default_page_size(self) -> int:
        return settings.REST_FRAMEWORK.get("PAGE_SIZE", 20)

    cursor_query_param = "cursor"

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        params = request.query_params
        uses_offset = self.limit_query_param in params or self.offset_query_param in params
        uses_pages = self.page_query_param in params or self.page_size_query_param in params
        if uses_offset and uses_pages:
            raise ValidationError(
                {"page": ["Use either page/page_size or limit/offset, not both."]}
            )
        if self.cursor_query_param in params and getattr(view, "cursor_paging", False):
            if uses_offset or self.page_query_param in params:
                raise ValidationError(
                    {"cursor": ["Use either cursor (with page_size) or page or limit/offset."]}
                )
            return self._paginate_by_cursor(queryset, params)
        if uses_offset:
            self.style = "offset"
            self.limit = (
                _int_param(params, self.limit_query_param, minimum=1, maximum=self.max_page_size)
                or self.default_page_size
            )
            self.offset = _int_param(params, self.offset_query_param, minimum=0) or 0
        else:
            self.style = "page"
            self.limit = (
                _int_param(
                    params, self.page_size_query_param, minimum=1, maximum=self.max_page_size
                )
                or self.default_page_size
            )
            self.page = _int_param(params, self.page_query_param, minimum=1) or 1
            self.offset = (self.page - 1) * self.limit

        self.count = self.get_count(queryset, view)
        if self.offset and self.offset >= self.count:
            if self.style == "page":
                raise NotFound("Invalid page: past the last page.")
            if self.offset > self.count:
                raise NotFound("Offset past the end of the list.")
        if self.count == 0 or self.offset >= self.count:
            return []
        if self.offset >= DEFERRED_JOIN_FROM and isinstance(queryset, QuerySet):
            # The page's ids first, from the ordering's index alone, then its
            # rows by primary key. Read in one query, a deep page makes
            # MariaDB scan and sort the whole table: at offset 5,000 of
            # 10,000 tickets 39 ms against 7 ms this way (and the same at
            # the first pages, so shallow ones keep the one query).
            window = queryset.values_list("pk", flat=True)[self.offset : self.offset + self.limit]
            return list(queryset.filter(pk__in=list(window)))
        return list(queryset[self.offset : self.offset + self.limit])

    # -- cursor style -------------------------------------------------------

    def _paginate_by_cursor(self, queryset, params):
        self.style = "cursor"
        self.limit = (
            _int_param(params, self.page_size_query_param, minimum=1, maximum=self.max_page_size)
            or self.default_page_size
        )
        ordering = _keyset_ordering(queryset)
        queryset = queryset.order_by(*ordering)
        self.ordering = ordering
        raw = params.get(self.cursor_query_param) or ""
        backwards, position = False, None
        if raw:
            backwards, position = self._decode_cursor(raw, queryset.model, ordering)
        if position is not None:
            queryset = queryset.filter(_after(ordering, position, backwards))
        if backwards:
            queryset = queryset.order_by(*(_reverse(f) for f in ordering))
        rows = list(queryset[: self.limit + 1])
        more = len(rows) > self.limit
        rows = rows[: self.limit]
        if backwards:
            rows.reverse()
        # Going forwards there is a previous page when we came from one;
        # going backwards, a next page always (the one we came from).
        self.has_next = more if not backwards else True
        self.has_previous = position is not None if not backwards else more
        self.first_key = _key_of(rows[0], ordering) if rows else None
        self.last_key = _key_of(rows[-1], ordering) if rows else None
        if not rows and position is not None:
            self.has_next = self.has_previous = False
        return rows

    def _encode_cursor(self, key: list, backwards: bool) -> str:
        return encode_cursor(self.ordering, key, backwards=backwards)

    def _decode_cursor(self, raw: str, model, ordering: list[str]):
        invalid = ValidationError({"cursor": ["Invalid cursor: use the next or previous link."]})
        try:
            data = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
            if data["o"] != ordering or len(data["k"]) != len(ordering):
                raise invalid
            position = [
                _from_json(model, field.lstrip("-"), value)
                for field, value in zip(ordering, data["k"], strict=True)
            ]
            return bool(data["b"]), position
        except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
            raise invalid

    def _cursor_link(self, key, backwards: bool) -> str:
        url = self.request.build_absolute_uri()
        return replace_query_param(
            url, self.cursor_query_param, self._encode_cursor(key, backwards)
        )

    def get_count(self, queryset, view) -> int:
        counter = getattr(view, "count_for_pagination", None)
        if counter is not None:
            return counter(queryset)
        return queryset.count()

    def get_paginated_response(self, data):
        if self.style == "cursor":
            return Response(
                {
                    "next": self._cursor_link(self.last_key, False) if self.has_next else None,
                    "previous": (
                        self._cursor_link(self.first_key, True) if self.has_previous else None
                    ),
                    "results": data,
                }
            )
        return Response(
            {
                "count": self.count,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def _link(self, offset: int) -> str:
        url = self.request.build_absolute_uri()
        if self.style == "offset":
            url = replace_query_param(url, self.limit_query_param, self.limit)
            if offset <= 0:
                return remove_query_param(url, self.offset_query_param)
            return replace_query_param(url, self.offset_query_param, offset)
        if self.page_size_query_param in self.request.query_params:
            url = replace_query_param(url, self.page_size_query_param, self.limit)
        page = offset // self.limit + 1
        if page == 1:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, page)

    def get_next_link(self):
        if self.offset + self.limit >= self.count:
            return None
        return self._link(self.offset + self.limit)

    def get_previous_link(self):
        if self.offset <= 0:
            return None
        return self._link(max(self.offset - self.limit, 0))

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "count": {
                    "type": "integer",
                    "example": 123,
                    "description": "Items in the whole list; absent when paging by cursor.",
                },
                "next": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "example": "http://127.0.0.1:8000/inventory/?page=3",
                },
                "previous": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "example": "http://127.0.0.1:8000/inventory/?page=1",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        def param(name, description, minimum, maximum=None):
            schema = {"type": "integer", "minimum": minimum}
            if maximum is not None:
                schema["maximum"] = maximum
            return {
                "name": name,
                "required": False,
                "in": "query",
                "description": description,
                "schema": schema,
            }

        params = [
            param(self.page_query_param, "Page number, from 1 (page style).", 1),
            param(
                self.page_size_query_param,
                f"Items per page (page style); default 20, at most {self.max_page_size}.",
                1,
                self.max_page_size,
            ),
            param(
                self.limit_query_param,
                f"Items to return (offset style); default 20, at most {self.max_page_size}.",
                1,
                self.max_page_size,
            ),
            param(self.offset_query_param, "Index of the first item (offset style), from 0.", 0),
        ]
        if getattr(view, "cursor_paging", False):
            params.append(
                {
                    "name": self.cursor_query_param,
                    "required": False,
                    "in": "query",
                    "description": "Cursor style, for deep paging: empty for the first page, "
                    "then follow `next`/`previous`. With `page_size`; no `count`.",
                    "schema": {"type": "string"},
                }
            )
        return params


class CursorPagination(ShopPagination):
    """Lists paged by cursor only (``{next, previous, results}``): lists
    that grow without end (events, webhook deliveries), where neither a
    count nor an offset stays cheap. ``page_size`` applies; ``page``,
    ``limit`` and ``offset`` are a 400."""

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        params = request.query_params
        for name in (self.page_query_param, self.limit_query_param, self.offset_query_param):
            if name in params:
                raise ValidationError({name: ["This list pages by cursor: follow next."]})
        return self._paginate_by_cursor(queryset, params)

    def get_paginated_response_schema(self, schema):
        paged = super().get_paginated_response_schema(schema)
        paged["properties"].pop("count")
        return paged

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Items per page; default 20, at most {self.max_page_size}.",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "The position: absent or empty for the first page, then "
                "follow `next`/`previous`.",
                "schema": {"type": "string"},
            },
        ]


# -- keyset paging ------------------------------------------------------------


def encode_cursor(ordering: list[str], key: list, *, backwards: bool = False) -> str:
    """The ``cursor`` value of the page after (or before) the row whose
    ordering values are ``key`` (JSON values: dates as ISO strings)."""
    raw = json.dumps({"o": ordering, "k": key, "b": backwards}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _keyset_ordering(queryset) -> list[str]:
    """The queryset's ordering as field names, ending with the primary key
    (a unique tie-breaker, in the direction of the last field)."""
    ordering = [str(f) for f in (queryset.query.order_by or queryset.model._meta.ordering)]
    for field in ordering:
        if not isinstance(field, str) or "__" in field or field.lstrip("-") == "?":
            raise ValidationError({"cursor": ["This ordering cannot be paged by cursor."]})
    names = [f.lstrip("-") for f in ordering]
    if "id" not in names and "pk" not in names:
        last_desc = bool(ordering) and ordering[-1].startswith("-")
        ordering.append("-id" if last_desc else "id")
    return [f.replace("pk", "id") if f.lstrip("-") == "pk" else f for f in ordering]


def _reverse(field: str) -> str:
    return field[1:] if field.startswith("-") else f"-{field}"


def _after(ordering: list[str], position: list, backwards: bool) -> Q:
    """Rows after ``position`` along ``ordering`` (before it when going
    backwards): (a, b) > (x, y) written as a > x OR (a = x AND b > y), plus
    a redundant bound on the first field so the index range is used."""
    clauses = Q()
    for i, field in enumerate(ordering):
        name = field.lstrip("-")
        descending = field.startswith("-") != backwards
        clause = Q(**{f"{name}__{'lt' if descending else 'gt'}": position[i]})
        for earlier, value in zip(ordering[:i], position[:i], strict=True):
            clause &= Q(**{earlier.lstrip("-"): value})
        clauses |= clause
    first = ordering[0].lstrip("-")
    first_descending = ordering[0].startswith("-") != backwards
    bound = Q(**{f"{first}__{'lte' if first_descending else 'gte'}": position[0]})
    return bound & clauses


def _key_of(row, ordering: list[str]) -> list:
    values = []
    for field in ordering:
        name = field.lstrip("-")
        value = row[name] if isinstance(row, dict) else getattr(row, name)
        if isinstance(value, datetime.datetime | datetime.date):
            value = value.isoformat()
        elif isinstance(value, uuid.UUID):
            value = str(value)
        values.append(value)
    return values


def _from_json(model, name: str, value):
    field = model._meta.get_field(name)
    internal = field.get_internal_type()
    if value is None:
        raise ValueError("null in a cursor")
    if internal == "DateTimeField":
        return datetime.datetime.fromisoformat(value)
    if internal == "DateField":
        return datetime.date.fromisoformat(value)
    if internal in ("AutoField", "BigAutoField", "IntegerField", "PositiveIntegerField"):
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError("not an integer")
        return value
    return str(value)
