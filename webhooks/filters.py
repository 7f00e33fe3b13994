import django_filters

from mechanic_shop.api.filters import IdFilter

from .models import AttemptStatus, DeliveryAttempt


class DeliveryAttemptFilter(django_filters.FilterSet):
    endpoint = IdFilter(field_name="endpoint_id")
    event = django_filters.UUIDFilter(field_name="event_id")
    status = django_filters.ChoiceFilter(choices=AttemptStatus.choices)

    class Meta:
        model = DeliveryAttempt
        fields = ["endpoint", "event", "status"]
