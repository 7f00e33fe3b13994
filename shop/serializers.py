from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import EDITABLE_FIELDS, TIME_FORMAT, ShopSettings


@extend_schema_field(
    {"type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9]$", "example": "08:00"}
)
class WallClockTimeField(serializers.TimeField):
    """A time of day as the shop's clock shows it, ``HH:MM`` (the schema's
    ``format: time`` would be RFC 3339's, with seconds and an offset)."""


class OpeningDaySerializer(serializers.Serializer):
    weekday = serializers.IntegerField(
        min_value=0, max_value=6, help_text="0 = Monday … 6 = Sunday."
    )
    opens = WallClockTimeField(
        format=TIME_FORMAT,
        input_formats=[TIME_FORMAT, "%H:%M:%S"],
        allow_null=True,
        required=False,
        default=None,
        help_text="Wall-clock time in the shop's time zone (HH:MM); null when closed.",
    )
    closes = WallClockTimeField(
        format=TIME_FORMAT,
        input_formats=[TIME_FORMAT, "%H:%M:%S"],
        allow_null=True,
        required=False,
        default=None,
        help_text="After `opens`; null when closed.",
    )
    closed = serializers.BooleanField(default=False)


class ShopSettingsSerializer(serializers.ModelSerializer):
    # A ListField rather than a many=True serializer: a bad day is reported
    # under its index, the documented 400 shape (see canned_jobs.serializers).
    opening_hours = serializers.ListField(
        child=OpeningDaySerializer(),
        min_length=1,
        max_length=7,
        help_text="Seven days, Monday first. A change replaces the days it names and "
        "keeps the others; `opens` must be before `closes` on an open day.",
    )

    class Meta:
        model = ShopSettings
        fields = [*EDITABLE_FIELDS, "updated_at"]
        read_only_fields = ["updated_at"]
