import django_filters

from .models import ServiceTicket
from .validators import normalize_vin
from .workflow import Status


class ServiceTicketFilter(django_filters.FilterSet):
    customer = django_filters.NumberFilter(field_name="customer_id", label="Customer id")
    mechanic = django_filters.NumberFilter(method="filter_mechanic", label="Mechanic id")
    vin = django_filters.CharFilter(method="filter_vin", label="VIN (any case)")
    service_date = django_filters.DateFromToRangeFilter(
        label="Service date range: service_date_after / service_date_before (inclusive)"
    )

    status = django_filters.MultipleChoiceFilter(
        choices=Status.choices, label="Status; repeat for several (status=estimate&status=approved)"
    )
    vehicle = django_filters.NumberFilter(field_name="vehicle_id", label="Vehicle id")
    invoice_number = django_filters.NumberFilter()

    class Meta:
        model = ServiceTicket
        fields = [
            "customer",
            "mechanic",
            "vin",
            "service_date",
            "status",
            "vehicle",
            "invoice_number",
        ]

    def filter_mechanic(self, queryset, name, value):
        return queryset.filter(assignments__mechanic_id=value)

    def filter_vin(self, queryset, name, value):
        return queryset.filter(vin=normalize_vin(value))
