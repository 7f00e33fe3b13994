from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from customers.models import Customer
from mechanic_shop.api.fields import IdListField
from mechanics.models import Mechanic

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


class TicketCustomerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class TicketMechanicSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class TicketPartLineSerializer(serializers.Serializer):
    part_id = serializers.IntegerField()
    name = serializers.CharField(source="part.name")
    quantity = serializers.IntegerField()
    unit_price = serializers.DecimalField(max_digits=10, decimal_places=2)
    line_total = serializers.DecimalField(max_digits=None, decimal_places=2)


class ServiceTicketSerializer(serializers.Serializer):
    """The ticket as every client reads it. Built from a queryset of
    ``tickets.selectors.ticket_list``, which carries all its joins."""

    id = serializers.IntegerField()
    customer = TicketCustomerSerializer()
    vin = serializers.CharField()
    service_date = serializers.DateField()
    service_desc = serializers.CharField()
    mechanics = TicketMechanicSerializer(many=True)
    parts = TicketPartLineSerializer(many=True, source="part_lines")
    parts_total = serializers.DecimalField(max_digits=None, decimal_places=2)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class ServiceTicketWriteSerializer(serializers.Serializer):
    customer_id = serializers.PrimaryKeyRelatedField(
        queryset=Customer.objects.all(), source="customer"
    )
    vin = VinField()
    service_date = serializers.DateField()
    service_desc = serializers.CharField(max_length=4000)
    mechanic_ids = IdListField(model=Mechanic, source="mechanics", required=False)


class EditMechanicsSerializer(serializers.Serializer):
    add_ids = IdListField(model=Mechanic, required=False, default=list)
    remove_ids = IdListField(model=Mechanic, required=False, default=list)


class PartQuantitySerializer(serializers.Serializer):
    quantity = serializers.IntegerField(min_value=1, max_value=100_000, default=1)


class RemovePartQuantitySerializer(serializers.Serializer):
    quantity = serializers.IntegerField(
        min_value=1,
        max_value=100_000,
        required=False,
        help_text="How many to take off the ticket; omitted, the whole line.",
    )
