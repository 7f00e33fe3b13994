import django_filters

from mechanic_shop.api.sync import updated_after_filter

from .models import Customer


class CustomerFilter(django_filters.FilterSet):
    email = django_filters.CharFilter(field_name="user__email", lookup_expr="iexact")
    updated_after = updated_after_filter()

    class Meta:
        model = Customer
        fields = ["email", "updated_after"]
