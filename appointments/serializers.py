from django.utils.dateparse import parse_datetime
from rest_framework import serializers

from accounts.models import Role
from customers.models import Customer
from mechanic_shop.api.filters import QueryParametersSerializer
from shop.models import MAX_APPOINTMENT_MINUTES
from vehicles.selectors import vehicle_list

from .models import CONCERN_MAX, NOTES_MAX, Appointment


class AppointmentSerializer(serializers.ModelSerializer):
    """An appointment: the customer's vehicle booked into a bay from
    ``starts_at`` to ``ends_at`` (UTC), its status, and the estimate ticket
    it was converted to."""

    customer_id = serializers.IntegerField(read_only=True)
    vehicle_id = serializers.IntegerField(read_only=True)
    ticket_id = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="The estimate it was converted to."
    )

    class Meta:
        model = Appointment
        fields = [
            "id",
            "customer_id",
            "vehicle_id",
            "concern",
            "starts_at",
            "ends_at",
            "status",
            "ticket_id",
            "notes",
            "created_at",
        ]
        read_only_fields = fields


# The years an appointment (or an availability query) may fall in: the
# arithmetic around a time (its default end, a day's range) stays far from
# the ends of what a datetime can hold.
YEARS = (2000, 2999)
OUT_OF_RANGE = f"Give a time in the years {YEARS[0]} to {YEARS[1]}."


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 date and time with its offset (``2026-12-07T08:00:00-06:00``
    or ``…Z``). Without one it is refused: read in UTC (the server's zone) or
    in the shop's, a client's "08:00" would be a guess."""

    def to_internal_value(self, value):
        if isinstance(value, str):
            parsed = parse_datetime(value.strip())
            if parsed is not None and parsed.tzinfo is None:
                raise serializers.ValidationError(
                    "Give the time with its UTC offset, e.g. 2026-12-07T08:00:00-06:00."
                )
            if parsed is not None and not YEARS[0] <= parsed.year <= YEARS[1]:
                raise serializers.ValidationError(OUT_OF_RANGE)
        return super().to_internal_value(value)


class AppointmentWriteSerializer(serializers.Serializer):
    """What a client sends to book or change an appointment. A customer
    names only itself and its own vehicles (another's id answers as an
    unknown one); ``customer_id`` may be left out then."""

    customer_id = serializers.PrimaryKeyRelatedField(
        queryset=Customer.objects.all(),
        source="customer",
        required=False,
        help_text="Staff: required. A customer: itself, or left out.",
    )
    vehicle_id = serializers.PrimaryKeyRelatedField(
        queryset=vehicle_list(user=None), source="vehicle", help_text="The customer's vehicle."
    )
    concern = serializers.CharField(max_length=CONCERN_MAX, help_text="What the visit is for.")
    starts_at = AwareDateTimeField()
    ends_at = AwareDateTimeField(
        required=False, help_text="Default: the shop's appointment length after starts_at."
    )
    notes = serializers.CharField(max_length=NOTES_MAX, required=False, allow_blank=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is None:  # the schema's instance
            return
        user = request.user
        self.fields["vehicle_id"].queryset = vehicle_list(user=user)
        if user.role == Role.CUSTOMER:
            self.fields["customer_id"].queryset = Customer.objects.filter(user_id=user.pk)


class AvailabilityQuerySerializer(QueryParametersSerializer):
    date = serializers.DateField(help_text="The day, in the shop's time zone (YYYY-MM-DD).")

    def validate_date(self, value):
        if not YEARS[0] <= value.year <= YEARS[1]:
            raise serializers.ValidationError(OUT_OF_RANGE)
        return value

    duration_minutes = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_APPOINTMENT_MINUTES,
        help_text="How long the appointment takes; default: the shop's appointment length.",
    )


class AvailabilitySerializer(serializers.Serializer):
    """The free start times of a day: each one a booking of that length
    would be accepted at, now."""

    date = serializers.DateField()
    duration_minutes = serializers.IntegerField()
    time_zone = serializers.CharField(help_text="The shop's time zone, the slots' offsets.")
    slots = serializers.ListField(
        child=serializers.CharField(),
        help_text="ISO 8601 start times with the shop's offset, in order.",
    )
