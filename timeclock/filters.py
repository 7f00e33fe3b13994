import datetime

import django_filters
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone

from mechanic_shop.api.filters import IdFilter

from .models import TimeEntry


def _midnight(day: datetime.date) -> datetime.datetime:
    """The start of ``day`` in the shop's time zone (the reports' days)."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


class TimeEntryFilter(django_filters.FilterSet):
    """``mechanic``, and ``from`` / ``to`` (days, inclusive): the entries
    whose time overlaps those days, an open one as running until now."""

    mechanic = IdFilter(field_name="mechanic_id", label="Mechanic id")

    class Meta:
        model = TimeEntry
        fields = ["mechanic"]

    def filter_from(self, queryset, name, value):
        low = _midnight(value)
        return queryset.exclude(ended_at__lte=low)

    def filter_to(self, queryset, name, value):
        high = _midnight(value + datetime.timedelta(days=1))
        return queryset.filter(started_at__lt=high)


# A day's midnight in any time zone, and the next one, are datetimes Python
# can hold: a day of margin at each end of the calendar (9999-12-31 was a 500).
DAY_RANGE = [
    MinValueValidator(datetime.date(1, 1, 2)),
    MaxValueValidator(datetime.date(9999, 12, 30)),
]

# "from" is a Python keyword: the two filters are added by name.
TimeEntryFilter.base_filters["from"] = django_filters.DateFilter(
    method="filter_from",
    label="First day (inclusive): entries still running on or after it",
    validators=DAY_RANGE,
)
TimeEntryFilter.base_filters["to"] = django_filters.DateFilter(
    method="filter_to",
    label="Last day (inclusive): entries started on or before it",
    validators=DAY_RANGE,
)
