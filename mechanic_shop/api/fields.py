"""Serializer fields shared across apps."""

from rest_framework import serializers


class IdListField(serializers.ListField):
    """A list of ids of ``model`` checked in one query; answers the objects.

    Unknown ids are a 400 on this field naming them (DRF's
    PrimaryKeyRelatedField(many=True) would run one query per id).
    """

    def __init__(self, *, model, max_length=50, **kwargs):
        self.model = model
        kwargs.setdefault("child", serializers.IntegerField(min_value=1, max_value=2**63 - 1))
        super().__init__(max_length=max_length, **kwargs)

    def to_internal_value(self, data):
        ids = list(dict.fromkeys(super().to_internal_value(data)))  # dedupe, keep order
        found = self.model.objects.in_bulk(ids)
        missing = [pk for pk in ids if pk not in found]
        if missing:
            noun = self.model._meta.verbose_name
            raise serializers.ValidationError(
                f"Unknown {noun} id(s): {', '.join(map(str, missing))}."
            )
        return [found[pk] for pk in ids]
