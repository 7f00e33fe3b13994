"""One pagination class that speaks both styles clients of the old API use.

``?page=2&page_size=10`` or ``?limit=10&offset=20``; both answer
``{count, next, previous, results}``. Default 20 items, at most 100. A value
out of range is the client's mistake and answers 400 naming the parameter (a
silent clamp would hide a bug in the client); a page or offset past the end
answers 404, as DRF does for pages.
"""

from django.conf import settings
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

MAX_PAGE_SIZE = 100


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

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        params = request.query_params
        uses_offset = self.limit_query_param in params or self.offset_query_param in params
        uses_pages = self.page_query_param in params or self.page_size_query_param in params
        if uses_offset and uses_pages:
            raise ValidationError(
                {"page": ["Use either page/page_size or limit/offset, not both."]}
            )
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
        return list(queryset[self.offset : self.offset + self.limit])

    def get_count(self, queryset, view) -> int:
        counter = getattr(view, "count_for_pagination", None)
        if counter is not None:
            return counter(queryset)
        return queryset.count()

    def get_paginated_response(self, data):
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
            "required": ["count", "next", "previous", "results"],
            "properties": {
                "count": {"type": "integer", "example": 123},
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

        return [
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
