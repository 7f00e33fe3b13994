from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import Event


class EventResourceSerializer(serializers.Serializer):
    type = serializers.CharField(source="resource_type")
    id = serializers.CharField(source="resource_id")


class EventSerializer(serializers.ModelSerializer):
    """An event: what happened (``type``), to which resource, and the
    resource's representation at that moment (``data``, as its own
    endpoint answers it)."""

    resource = EventResourceSerializer(source="*")
    data = extend_schema_field({"type": "object", "additionalProperties": True})(
        serializers.JSONField()
    )

    class Meta:
        model = Event
        fields = ["id", "type", "resource", "data", "created_at"]
        read_only_fields = fields
