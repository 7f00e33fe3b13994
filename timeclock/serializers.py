from rest_framework import serializers

from mechanic_shop.api.filters import MAX_ID

from .models import TimeEntry, TimeEntryCorrection


class TimeEntryCorrectionSerializer(serializers.ModelSerializer):
    by_id = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="The admin's user id."
    )
    by_email = serializers.EmailField(
        source="by.email", read_only=True, allow_null=True, default=None
    )
    before = serializers.DictField(
        read_only=True, help_text="`started_at` and `ended_at` before the correction."
    )
    after = serializers.DictField(read_only=True, help_text="The same, after it.")

    class Meta:
        model = TimeEntryCorrection
        fields = ["id", "by_id", "by_email", "at", "before", "after"]
        read_only_fields = fields


class TimeEntrySerializer(serializers.ModelSerializer):
    """A mechanic's time on a job. ``minutes``: whole minutes from start to
    end, rounded down, null while the clock runs; ``corrections``: the
    admins' corrections of its times, oldest first."""

    mechanic_id = serializers.IntegerField(read_only=True)
    ticket_id = serializers.IntegerField(read_only=True)
    job_id = serializers.IntegerField(read_only=True)
    minutes = serializers.IntegerField(read_only=True, allow_null=True)
    corrections = TimeEntryCorrectionSerializer(many=True, read_only=True)

    class Meta:
        model = TimeEntry
        fields = [
            "id",
            "mechanic_id",
            "ticket_id",
            "job_id",
            "started_at",
            "ended_at",
            "minutes",
            "corrections",
        ]
        read_only_fields = fields


class ClockInSerializer(serializers.Serializer):
    mechanic_id = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        help_text="Admins: the mechanic to clock in (required). A mechanic clocks in "
        "itself: omit it, or give its own id.",
    )


class TimeEntryCorrectionWriteSerializer(serializers.Serializer):
    """The times an admin corrects; at least one."""

    started_at = serializers.DateTimeField(required=False)
    ended_at = serializers.DateTimeField(
        required=False, help_text="Given to an open entry, it closes it."
    )

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError(
                {"non_field_errors": ["Give started_at, ended_at or both."]}
            )
        return attrs
