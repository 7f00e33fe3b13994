from decimal import Decimal

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from customers.models import Customer
from mechanic_shop.api.fields import IdListField
from mechanics.models import Mechanic
from vehicles.models import Vehicle

from .models import DiscountType, PaymentMethod, TicketEvent
from .validators import normalize_vin, validate_vin
from .workflow import Status

MONEY_OUT = {"max_digits": None, "decimal_places": 2, "read_only": True}


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


class TicketLaborLineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    mechanic_id = serializers.IntegerField()
    description = serializers.CharField()
    hours = serializers.DecimalField(max_digits=6, decimal_places=2)
    rate = serializers.DecimalField(max_digits=8, decimal_places=2)
    line_total = serializers.DecimalField(max_digits=None, decimal_places=2)


CENT = Decimal("0.01")
DATETIME_FIELDS = ("completed_at", "invoiced_at", "paid_at", "created_at", "updated_at")


def money(value: Decimal) -> str:
    """What DRF's DecimalField(decimal_places=2) answers: ``"12.50"``."""
    return format(value.quantize(CENT), "f")


def iso_datetime(value, zone=None):
    """What DRF's DateTimeField answers: ISO 8601 in the current time zone
    (``zone``, when the caller already has it), UTC written ``Z``."""
    if value is None:
        return None
    text = value.astimezone(zone or timezone.get_current_timezone()).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class ServiceTicketSerializer(serializers.Serializer):
    """The ticket as every client reads it, from a row of
    ``tickets.selectors.ticket_list`` completed by ``ticket_lines``.

    The fields below document the shape (OpenAPI); ``to_representation`` is
    written out by hand because ticket lists are the API's busiest answers
    and DRF's field-by-field machinery cost most of their time. It answers
    exactly what the fields would (tests/test_ticket_representation.py).

    The list, my-tickets and detail reads do not call it on MariaDB or
    SQLite: the database builds the same JSON (tickets.selectors.ticket_page,
    ticket_representation, ticket_representations), held to the same test.
    It answers the writes and any path the statement cannot take.
    """

    id = serializers.IntegerField()
    customer = TicketCustomerSerializer()
    vehicle_id = serializers.IntegerField(allow_null=True)
    vin = serializers.CharField()
    status = serializers.ChoiceField(choices=Status.choices)
    service_date = serializers.DateField()
    service_desc = serializers.CharField()
    mileage_in = serializers.IntegerField(allow_null=True)
    mileage_out = serializers.IntegerField(allow_null=True)
    declined_reason = serializers.CharField()
    mechanics = TicketMechanicSerializer(many=True)
    parts = TicketPartLineSerializer(many=True, source="part_lines")
    labor = TicketLaborLineSerializer(many=True, source="labor_lines")
    discount_type = serializers.ChoiceField(choices=DiscountType.choices)
    discount_value = serializers.DecimalField(max_digits=10, decimal_places=2)
    parts_total = serializers.DecimalField(**MONEY_OUT)
    labor_total = serializers.DecimalField(**MONEY_OUT)
    discount = serializers.DecimalField(**MONEY_OUT)
    parts_tax = serializers.DecimalField(**MONEY_OUT)
    labor_tax = serializers.DecimalField(**MONEY_OUT)
    tax = serializers.DecimalField(**MONEY_OUT)
    total = serializers.DecimalField(**MONEY_OUT)
    amount_paid = serializers.DecimalField(**MONEY_OUT)
    balance_due = serializers.DecimalField(**MONEY_OUT)
    invoice_number = serializers.IntegerField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    invoiced_at = serializers.DateTimeField(allow_null=True)
    paid_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def to_representation(self, row):
        zone = timezone.get_current_timezone()
        completed_at, invoiced_at, paid_at, created_at, updated_at = (
            iso_datetime(row[name], zone) for name in DATETIME_FIELDS
        )
        return {
            "id": row["id"],
            "customer": {"id": row["customer_id"], "name": row["customer_name"]},
            "vehicle_id": row["vehicle_id"],
            "vin": row["vin"],
            "status": row["status"],
            "service_date": row["service_date"].isoformat(),
            "service_desc": row["service_desc"],
            "mileage_in": row["mileage_in"],
            "mileage_out": row["mileage_out"],
            "declined_reason": row["declined_reason"],
            "mechanics": [{"id": id_, "name": name} for id_, name in row["mechanics"]],
            "parts": [
                {
                    "part_id": part_id,
                    "name": name,
                    "quantity": quantity,
                    "unit_price": money(unit_price),
                    "line_total": money(quantity * unit_price),
                }
                for part_id, name, quantity, unit_price in row["parts"]
            ],
            "labor": [
                {
                    "id": id_,
                    "mechanic_id": mechanic_id,
                    "description": description,
                    "hours": money(hours),
                    "rate": money(rate),
                    "line_total": money(line_total),
                }
                for id_, mechanic_id, description, hours, rate, line_total in row["labor"]
            ],
            "discount_type": row["discount_type"],
            "discount_value": money(row["discount_value"]),
            "parts_total": money(row["parts_total"]),
            "labor_total": money(row["labor_total"]),
            "discount": money(row["discount"]),
            "parts_tax": money(row["parts_tax"]),
            "labor_tax": money(row["labor_tax"]),
            "tax": money(row["tax"]),
            "total": money(row["total"]),
            "amount_paid": money(row["amount_paid"]),
            "balance_due": money(row["balance_due"]),
            "invoice_number": row["invoice_number"],
            "completed_at": completed_at,
            "invoiced_at": invoiced_at,
            "paid_at": paid_at,
            "created_at": created_at,
            "updated_at": updated_at,
        }


class ServiceTicketWriteSerializer(serializers.Serializer):
    """What staff send to open or change a ticket. The vehicle is named by
    ``vehicle_id`` or by ``vin`` (found among the customer's vehicles, or
    registered for it). Status and totals are not writable: actions and lines
    move them."""

    customer_id = serializers.PrimaryKeyRelatedField(
        queryset=Customer.objects.all(), source="customer"
    )
    vehicle_id = serializers.PrimaryKeyRelatedField(
        queryset=Vehicle.objects.all(), source="vehicle", required=False
    )
    vin = VinField(required=False)
    service_date = serializers.DateField()
    service_desc = serializers.CharField(max_length=4000)
    mechanic_ids = IdListField(model=Mechanic, source="mechanics", required=False)
    mileage_in = serializers.IntegerField(
        min_value=0, max_value=2_000_000_000, required=False, allow_null=True
    )
    mileage_out = serializers.IntegerField(
        min_value=0, max_value=2_000_000_000, required=False, allow_null=True
    )
    discount_type = serializers.ChoiceField(choices=DiscountType.choices, required=False)
    discount_value = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=0, required=False
    )

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
