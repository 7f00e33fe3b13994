import django_filters

from .models import Event, EventType


class EventFilter(django_filters.FilterSet):
    type = django_filters.ChoiceFilter(choices=EventType.choices)
    after = django_filters.IsoDateTimeFilter(
        field_name="created_at",
        lookup_expr="gt",
        label="Only the events made after this moment (ISO 8601).",
    )

    class Meta:
        model = Event
        fields = ["type", "after"]
