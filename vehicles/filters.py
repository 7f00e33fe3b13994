import django_filters

from mechanic_shop.api.filters import IdFilter
from mechanic_shop.api.sync import updated_after_filter
from vehicles.validators import normalize_vin

from .models import Vehicle


class VehicleFilter(django_filters.FilterSet):
    customer = IdFilter(field_name="customer_id", label="Customer id")
    vin = django_filters.CharFilter(method="filter_vin", label="VIN (any case)")
    license_plate = django_filters.CharFilter(lookup_expr="iexact")
    updated_after = updated_after_filter()

    class Meta:
        model = Vehicle
        fields = ["customer", "vin", "license_plate", "make", "updated_after"]

    def filter_vin(self, queryset, name, value):
        return queryset.filter(vin=normalize_vin(value))
