import django_filters
from django.db.models import F
from drf_spectacular.utils import extend_schema_field

from mechanic_shop.api.sync import updated_after_filter

from .models import Part


class PartFilter(django_filters.FilterSet):
    low_stock = django_filters.TypedChoiceFilter(
        choices=[("true", "true"), ("false", "false")],
        coerce=lambda value: value == "true",
        method="filter_low_stock",
        label="true: only parts at or below their reorder level; false: only those above it.",
    )
    min_price = django_filters.NumberFilter(field_name="price", lookup_expr="gte")
    max_price = django_filters.NumberFilter(field_name="price", lookup_expr="lte")
    updated_after = updated_after_filter()

    class Meta:
        model = Part
        fields = ["low_stock", "part_number", "min_price", "max_price", "updated_after"]

    @extend_schema_field({"type": "string", "enum": ["true", "false"]})
    def filter_low_stock(self, queryset, name, value):
        low = {"quantity_in_stock__lte": F("reorder_level")}
        return queryset.filter(**low) if value else queryset.exclude(**low)
