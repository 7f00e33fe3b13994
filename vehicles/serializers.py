from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from customers.models import Customer

from .models import validate_model_year
from .validators import normalize_vin, validate_vin


@extend_schema_field(
    {
        "type": "string",
        "pattern": "^[A-HJ-NPR-Za-hj-npr-z0-9]{17}$",
        "description": "17 letters and digits without I, O or Q, in any case; stored upper-case.",
        "example": "1HGCM82633A004352",
    }
)
class VinField(serializers.CharField):
    """17 letters and digits without I, O, Q; stored upper-case."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 32)
        super().__init__(**kwargs)
        self.validators.append(validate_vin)

    def to_internal_value(self, data):
        return normalize_vin(super().to_internal_value(data))


class VehicleSerializer(serializers.Serializer):
    """``{id, customer_id, vin, make, model, year, license_plate, mileage}``.

    A customer may leave ``customer_id`` out (its own vehicles); staff name it.
    """

    id = serializers.IntegerField(read_only=True)
    customer_id = serializers.PrimaryKeyRelatedField(
        queryset=Customer.objects.all(), source="customer", required=False
    )
    vin = VinField()
    make = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    model = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    year = serializers.IntegerField(
        required=False, allow_null=True, default=None, validators=[validate_model_year]
    )
    license_plate = serializers.CharField(
        max_length=16, required=False, allow_blank=True, default=""
    )
    mileage = serializers.IntegerField(
        min_value=0, max_value=2_000_000_000, required=False, default=0
    )

    def validate_license_plate(self, value):
        return value.strip().upper()
