"""Incremental sync of the lists a client mirrors (tickets, customers,
vehicles, parts, a ticket's payments).

``?updated_after=<ISO 8601>`` keeps the records changed after that moment.
``?ordering=updated_at`` with ``?cursor=`` pages them in ``(updated_at, id)``
order (the keyset cursor of mechanic_shop.api.pagination): a client keeps
the last ``next`` link and resumes from it, with no gap and no repeat (in
that order every page with records has a ``next``; an empty page means the
client is up to date, and asks the same link again later). A
record changed after the client read it gets a later ``updated_at``, so it
moves to the end and is read again there.

Two rules make that hold while records change under the client:

* the records changed in the last ``SYNC_SETTLE_SECONDS`` are left out of
  that order: ``updated_at`` is stamped when a row is saved, not when its
  transaction commits, so a row saved at t and committed at t + 0.1 s would
  otherwise land behind a cursor already past t;
* those answers are never cached: a cached page would go on leaving out
  records that settled since.
"""

from datetime import timedelta

import django_filters
from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework import mixins
from rest_framework.exceptions import ValidationError

UPDATED_AFTER = "updated_after"
UPDATED_AFTER_HELP = (
    "Only the records changed after this moment (ISO 8601, e.g. 2026-03-01T12:00:00Z). "
    "With `ordering=updated_at&cursor=`, page in (updated_at, id) order and keep the "
    "last `next` link to resume."
)


def updated_after_filter(field_name: str = "updated_at"):
    """The ``updated_after`` filter of a FilterSet."""
    return django_filters.IsoDateTimeFilter(
        field_name=field_name, lookup_expr="gt", label=UPDATED_AFTER_HELP
    )


def filter_updated_after(request, queryset, field_name: str):
    """``?updated_after=`` applied by hand, for a list without a FilterSet
    (a ticket's payments); a malformed value is a 400 naming it."""
    params = request.query_params
    if UPDATED_AFTER not in params:
        return queryset
    values = params.getlist(UPDATED_AFTER)
    try:
        moment = parse_datetime(values[0]) if len(values) == 1 else None
    except ValueError:  # well formed, out of range (month 13)
        moment = None
    if moment is None:
        raise ValidationError({UPDATED_AFTER: ["Enter a valid date/time (ISO 8601)."]})
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return queryset.filter(**{f"{field_name}__gt": moment})


class SyncedListMixin:
    """For a viewset whose list a client mirrors: ``ordering=updated_at``
    pages by cursor (``?cursor=``), leaves out the records still settling
    and is never a cached answer. The view lists ``updated_at`` in its
    ``ordering_fields`` and its FilterSet has :func:`updated_after_filter`."""

    sync_field = "updated_at"

    @property
    def cursor_paging(self) -> bool:
        return self.action == "list"

    def in_sync_order(self) -> bool:
        return self.action == "list" and self.request.query_params.getlist("ordering") == [
            self.sync_field
        ]

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.in_sync_order() and settings.SYNC_SETTLE_SECONDS > 0:
            settled = timezone.now() - timedelta(seconds=settings.SYNC_SETTLE_SECONDS)
            queryset = queryset.filter(**{f"{self.sync_field}__lte": settled})
        return queryset

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        paginator = self.paginator
        if (
            self.in_sync_order()
            and getattr(paginator, "style", None) == "cursor"
            and response.data.get("next") is None
            and paginator.last_key is not None
        ):
            # The last page too links past its last record: the link a
            # client keeps, to resume from once more records change.
            response.data["next"] = paginator._cursor_link(paginator.last_key, False)
        return response

    def list(self, request, *args, **kwargs):
        if self.in_sync_order():
            return mixins.ListModelMixin.list(self, request, *args, **kwargs)
        return super().list(request, *args, **kwargs)
