import django_filters

from .models import SyncedType, Tombstone


class TombstoneFilter(django_filters.FilterSet):
    type = django_filters.ChoiceFilter(choices=SyncedType.choices)
    since = django_filters.IsoDateTimeFilter(
        field_name="deleted_at", lookup_expr="gt", label="Deleted after (ISO 8601)"
    )

    class Meta:
        model = Tombstone
        fields = ["type", "since"]
