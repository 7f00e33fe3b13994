from rest_framework import serializers

from events.models import EventType

from .models import DeliveryAttempt, Endpoint

EVENT_TYPE_CHOICES = ["*", *(t for t in EventType.values if t != EventType.PING)]


class EndpointSerializer(serializers.ModelSerializer):
    """An endpoint. ``secret`` is answered once, by the create (and by
    rotate-secret): null in every other answer."""

    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_TYPE_CHOICES), min_length=1, max_length=50
    )
    secret = serializers.SerializerMethodField()

    class Meta:
        model = Endpoint
        fields = [
            "id",
            "url",
            "event_types",
            "description",
            "is_active",
            "secret",
            "failure_count",
            "disabled_reason",
            "created_at",
        ]
        read_only_fields = ["id", "secret", "failure_count", "disabled_reason", "created_at"]

    def get_secret(self, endpoint) -> str | None:
        return endpoint.secret if self.context.get("show_secret") else None

    def validate_event_types(self, value):
        return sorted(set(value))


class DeliveryAttemptSerializer(serializers.ModelSerializer):
    event_id = serializers.UUIDField(read_only=True)
    endpoint_id = serializers.IntegerField(read_only=True)

    class Meta:
        model = DeliveryAttempt
        fields = [
            "id",
            "event_id",
            "endpoint_id",
            "attempt",
            "status",
            "status_code",
            "duration_ms",
            "error",
            "created_at",
        ]
        read_only_fields = fields


class RedeliverySerializer(serializers.Serializer):
    event_id = serializers.UUIDField()
    endpoint_ids = serializers.ListField(child=serializers.IntegerField())
