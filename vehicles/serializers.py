from rest_framework import serializers

from customers.models import Customer
from tickets.serializers import VinField

from .models import validate_model_year


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
