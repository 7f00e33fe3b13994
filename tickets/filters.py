import django_filters

from .models import ServiceTicket
from .validators import normalize_vin


class ServiceTicketFilter(django_filters.FilterSet):
    customer = django_filters.NumberFilter(field_name="customer_id", label="Customer id")
    mechanic = django_filters.NumberFilter(method="filter_mechanic", label="Mechanic id")
    vin = django_filters.CharFilter(method="filter_vin", label="VIN (any case)")
    service_date = django_filters.DateFromToRangeFilter(
        label="Service date range: service_date_after / service_date_before (inclusive)"
    )

    class Meta:
        model = ServiceTicket
        fields = ["customer", "mechanic", "vin", "service_date"]

    def filter_mechanic(self, queryset, name, value):
        return queryset.filter(assignments__mechanic_id=value)

    def filter_vin(self, queryset, name, value):
        return queryset.filter(vin=normalize_vin(value))
