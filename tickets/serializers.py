from decimal import Decimal

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from customers.models import Customer
from mechanic_shop.api.fields import IdListField
from mechanics.models import Mechanic
from vehicles.models import Vehicle
from vehicles.serializers import VinField

from .models import (
    EDITABLE_FIELDS,
    MONEY_FIELDS,
    DiscountType,
    LaborLine,
    PaymentMethod,
    ServiceTicket,
    TicketEvent,
    TicketPart,
)


class TicketCustomerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = ["id", "name"]


class TicketMechanicSerializer(serializers.ModelSerializer):
    class Meta:
        model = Mechanic
        fields = ["id", "name"]


class TicketPartLineSerializer(serializers.ModelSerializer):
    part_id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True, source="part.name")
    line_total = serializers.DecimalField(max_digits=None, decimal_places=2, read_only=True)

    class Meta:
        model = TicketPart
        fields = ["part_id", "name", "quantity", "unit_price", "line_total"]
        read_only_fields = fields


class TicketLaborLineSerializer(serializers.ModelSerializer):
    mechanic_id = serializers.IntegerField(read_only=True)

    class Meta:
        model = LaborLine
        fields = ["id", "mechanic_id", "description", "hours", "rate", "line_total"]
        read_only_fields = fields


class ServiceTicketSerializer(serializers.ModelSerializer):
    """A repair order: the customer and vehicle, the work asked for, the
    mechanics on it, the part and labor lines, the money (maintained on every
    change, frozen by the invoice) and where it is in its lifecycle."""

    # The one representation of a ticket: the list, my-tickets, the detail, a
    # vehicle's history and every write action's answer, from a ticket of
    # tickets.selectors.ticket_list (which carries the joins). Meta.fields is
    # the answer and the schema; tickets/tests/test_ticket_fields.py fails
    # while a model field is missing from it.
    customer = TicketCustomerSerializer(read_only=True)
    vehicle_id = serializers.IntegerField(read_only=True, allow_null=True)
    mechanics = TicketMechanicSerializer(many=True, read_only=True)
    parts = TicketPartLineSerializer(many=True, read_only=True, source="part_lines")
    labor = TicketLaborLineSerializer(many=True, read_only=True, source="labor_lines")

    class Meta:
        model = ServiceTicket
        fields = [
            "id",
            "customer",
            "vehicle_id",
            "vin",
            "status",
            "service_date",
            "service_desc",
            "mileage_in",
            "mileage_out",
            "declined_reason",
            "mechanics",
            "parts",
            "labor",
            "discount_type",
            "discount_value",
            *MONEY_FIELDS,
            "invoice_number",
            "completed_at",
            "invoiced_at",
            "paid_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


@extend_schema_serializer(component_name="ServiceTicket")
class ServiceTicketWriteSerializer(serializers.ModelSerializer):
    """What staff send to open or change a ticket: the model's editable
    fields (``models.EDITABLE_FIELDS``), relations by id. The vehicle is
    named by ``vehicle_id`` or by ``vin`` (found among the customer's
    vehicles, or registered for it). Status and totals are not writable:
    actions and lines move them."""

    customer_id = serializers.PrimaryKeyRelatedField(
        queryset=Customer.objects.all(), source="customer"
    )
    vehicle_id = serializers.PrimaryKeyRelatedField(
        queryset=Vehicle.objects.all(), source="vehicle", required=False
    )
    vin = VinField(required=False)
    mechanic_ids = IdListField(model=Mechanic, source="mechanics", required=False)

    class Meta:
        model = ServiceTicket
        fields = [
            "customer_id",
            "vehicle_id",
            *(name for name in EDITABLE_FIELDS if name not in ("customer", "vehicle")),
            "mechanic_ids",
        ]
        extra_kwargs = {
            "mileage_in": {"max_value": 2_000_000_000},
            "mileage_out": {"max_value": 2_000_000_000},
        }

    def validate(self, attrs):
        if not self.partial and "vin" not in attrs and "vehicle" not in attrs:
            raise serializers.ValidationError({"vin": ["Give the vehicle's VIN or vehicle_id."]})
        kind, value = attrs.get("discount_type"), attrs.get("discount_value")
        if kind == DiscountType.PERCENT and value is not None and value > 100:
            raise serializers.ValidationError({"discount_value": ["A percentage is at most 100."]})
        return attrs


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


class TransitionSerializer(serializers.Serializer):
    """Body of a lifecycle action; only ``decline`` reads it."""

    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class DeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="Why the estimate is declined.")


@extend_schema_serializer(component_name="LaborLine")
class LaborLineWriteSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=500)
    hours = serializers.DecimalField(
        max_digits=6, decimal_places=2, min_value=Decimal("0.01"), max_value=Decimal("1000")
    )
    rate = serializers.DecimalField(
        max_digits=8,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text="Per hour; the shop's labor rate when omitted.",
    )
    mechanic_id = serializers.PrimaryKeyRelatedField(
        queryset=Mechanic.objects.all(), source="mechanic"
    )


class PaymentSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    method = serializers.ChoiceField(choices=PaymentMethod.choices)
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    received_by = serializers.EmailField(source="received_by.email", read_only=True, default=None)
    created_at = serializers.DateTimeField(read_only=True)


class TicketEventSerializer(serializers.Serializer):
    """A history entry. ``actor`` (the email) is shown to staff only; a
    customer sees the role of whoever acted."""

    id = serializers.IntegerField()
    action = serializers.ChoiceField(choices=TicketEvent.Action.choices)
    actor = serializers.EmailField(source="actor.email", default=None, allow_null=True)
    actor_role = serializers.CharField(source="actor.role", default=None, allow_null=True)
    before = serializers.JSONField(allow_null=True)
    after = serializers.JSONField(allow_null=True)
    created_at = serializers.DateTimeField()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self.context.get("show_actor_email", False):
            data["actor"] = None
        return data
