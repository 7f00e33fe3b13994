"""The filter backends of every list: django-filter's and DRF's ordering,
both strict about what the query string says.

django-filter's backend is skipped when a request names no filter. Building
a FilterSet deep-copies its filters and builds a form: about half a
millisecond per request, spent on every unfiltered list read (the common
case) to change nothing. A request that names any parameter a filter reads
goes through django-filter as before, validation included, after the blank
and repeated values it would ignore are refused.
"""

from functools import cache

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter

from .filters import refuse_blank_or_repeated


@cache
def _parameters(filterset_class) -> tuple[frozenset[str], frozenset[str]]:
    """The query parameters a FilterSet reads (a range filter reads
    ``<name>_after``/``<name>_before``), and those of them that may be
    repeated (a multiple choice: ``status=estimate&status=approved``)."""
    names, repeatable = set(), set()
    for name, filter_ in filterset_class.base_filters.items():
        widget = filter_.extra.get("widget") or filter_.field_class.widget
        suffixes = getattr(widget, "suffixes", None) or [""]
        read = {f"{name}_{suffix}" if suffix else name for suffix in suffixes}
        names |= read
        if getattr(widget, "allow_multiple_selected", False):
            repeatable |= read
    return frozenset(names), frozenset(repeatable)


class ShopFilterBackend(DjangoFilterBackend):
    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            return queryset
        names, repeatable = _parameters(filterset_class)
        if names.isdisjoint(request.query_params):
            return queryset
        refuse_blank_or_repeated(request.query_params, names, repeatable=repeatable)
        return super().filter_queryset(request, queryset, view)


class ShopOrderingFilter(OrderingFilter):
    """``?ordering=`` names only the view's ``ordering_fields``, each with
    ``-`` first for descending; several fields comma-separated
    (``ordering=name,-id``) or repeated (``ordering=name&ordering=-id``).

    Anything else is a 400 naming ``ordering``: DRF drops the fields it does
    not know and answers the default order, so a typo in a client went
    unnoticed.
    """

    def get_ordering(self, request, queryset, view):
        params = request.query_params
        if self.ordering_param not in params:
            return self.get_default_ordering(view)
        refuse_blank_or_repeated(params, [self.ordering_param], repeatable={self.ordering_param})
        terms = [
            term.strip()
            for value in params.getlist(self.ordering_param)
            for term in value.split(",")
        ]
        context = {"request": request}
        valid = [name for name, _ in self.get_valid_fields(queryset, view, context)]
        for term in terms:
            if term.removeprefix("-") not in valid:
                raise ValidationError(
                    {
                        self.ordering_param: [
                            f"Cannot order by {term[:40]!r}: use "
                            f"{', '.join(valid)}, with '-' first for descending."
                        ]
                    }
                )
        return terms

    def get_schema_operation_parameters(self, view):
        fields = getattr(view, "ordering_fields", None)
        if not isinstance(fields, list | tuple):
            return super().get_schema_operation_parameters(view)
        names = [field if isinstance(field, str) else field[0] for field in fields]
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": "Fields to order by, `-` first for descending; several "
                "repeated (`ordering=name&ordering=-id`) or comma-separated "
                "(`ordering=name,-id`). Another field is a 400.",
                "schema": {
                    "type": "array",
                    "items": {
                        "type": "string",
                        "enum": [term for name in names for term in (name, f"-{name}")],
                    },
                },
                "style": "form",
                "explode": True,
            }
        ]
