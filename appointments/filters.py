from datetime import datetime, time, timedelta

import django_filters

from mechanic_shop.api.filters import IdFilter
from shop.selectors import shop_settings

from .models import Appointment, Status


class AppointmentFilter(django_filters.FilterSet):
    date = django_filters.DateFromToRangeFilter(
        method="filter_date",
        label="Days in the shop's time zone: date_after / date_before (inclusive)",
    )
    status = django_filters.MultipleChoiceFilter(
        choices=Status.choices, label="Status; repeat for several (status=booked&status=confirmed)"
    )
    customer = IdFilter(field_name="customer_id", label="Customer id")

    class Meta:
        model = Appointment
        fields = ["date", "status", "customer"]

    def filter_date(self, queryset, name, value):
        """Appointments starting on those days of the shop's calendar: from
        the first day's local midnight to the one after the last day."""
        zone = shop_settings().zone()
        if value.start is not None:
            queryset = queryset.filter(
                starts_at__gte=datetime.combine(value.start, time(0), tzinfo=zone)
            )
        if value.stop is not None:
            end = datetime.combine(value.stop + timedelta(days=1), time(0), tzinfo=zone)
            queryset = queryset.filter(starts_at__lt=end)
        return queryset
