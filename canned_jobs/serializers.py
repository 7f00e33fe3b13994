from rest_framework import serializers
from rest_framework.validators import UniqueValidator

from inventory.models import Part

from .models import MAX_HOURS, MAX_QUANTITY, MIN_HOURS, CannedJob, CannedJobLabor, CannedJobPart

# Lines per list: a job is a few lines, and a bound keeps one body from
# writing thousands of rows.
MAX_LINES = 100


class LinesField(serializers.ListField):
    """A job's lines: read from ``relation`` (prefetched by
    ``selectors.canned_job_list``), written as a list of ``child`` items.

    A ListField rather than a ``many=True`` serializer for the errors: a bad
    item is reported under its index (``{"parts": {"1": {"part_id": [...]}}}``),
    the documented 400 shape, where a nested list serializer answers a list
    with an empty object for every good item."""

    def __init__(self, *, relation: str, **kwargs):
        self.relation = relation
        kwargs.setdefault("max_length", MAX_LINES)
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        return getattr(instance, self.relation).all()


class CannedJobLaborSerializer(serializers.ModelSerializer):
    hours = serializers.DecimalField(
        max_digits=6, decimal_places=2, min_value=MIN_HOURS, max_value=MAX_HOURS
    )
    rate = serializers.DecimalField(
        max_digits=8,
        decimal_places=2,
        min_value=0,
        required=False,
        allow_null=True,
        default=None,
        help_text="Per hour; null or omitted: the shop's labor rate when the job is applied.",
    )

    class Meta:
        model = CannedJobLabor
        fields = ["description", "hours", "rate"]


class CannedJobPartSerializer(serializers.ModelSerializer):
    part_id = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, help_text="An inventory part."
    )
    name = serializers.CharField(source="part.name", read_only=True, help_text="The part's name.")
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)

    class Meta:
        model = CannedJobPart
        fields = ["part_id", "name", "quantity"]


class CannedJobSerializer(serializers.ModelSerializer):
    """A canned job: a named, reusable job with its labor and part lines, in
    the order they were given. Sent, ``labor`` and ``parts`` each replace the
    stored list wholesale (PATCH leaves a list it does not send as it is)."""

    name = serializers.CharField(
        max_length=200,
        validators=[
            UniqueValidator(
                CannedJob.objects.all(),
                lookup="iexact",
                message="A canned job with this name already exists.",
            )
        ],
    )
    description = serializers.CharField(
        max_length=4000, required=False, allow_blank=True, default=""
    )
    labor = LinesField(
        relation="labor_lines", child=CannedJobLaborSerializer(), required=False, default=list
    )
    parts = LinesField(
        relation="part_lines", child=CannedJobPartSerializer(), required=False, default=list
    )

    class Meta:
        model = CannedJob
        fields = ["id", "name", "description", "labor", "parts", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]

    def validate_parts(self, items):
        """The parts named, found in one query; each item answers
        ``{"part", "quantity"}`` for the services. An unknown id is a 400 on
        that item's ``part_id``."""
        found = Part.objects.in_bulk({item["part_id"] for item in items})
        errors = {
            index: {"part_id": [f"Unknown part id: {item['part_id']}."]}
            for index, item in enumerate(items)
            if item["part_id"] not in found
        }
        if errors:
            raise serializers.ValidationError(errors)
        return [{"part": found[item["part_id"]], "quantity": item["quantity"]} for item in items]
