from rest_framework import serializers

from .models import Tombstone


class TombstoneSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="object_id", read_only=True)

    class Meta:
        model = Tombstone
        fields = ["type", "id", "deleted_at"]
        read_only_fields = fields
