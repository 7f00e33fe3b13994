from decimal import Decimal

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from canned_jobs.models import CannedJob
from customers.models import Customer
from mechanic_shop.api.fields import IdListField
from mechanics.models import Mechanic
from vehicles.models import Vehicle
from vehicles.serializers import VinField

from .models import (
    CUSTOMER_AUTHORIZATION_METHODS,
    EDITABLE_FIELDS,
    MONEY_FIELDS,
    STAFF_AUTHORIZATION_METHODS,
    Authorization,
    AuthorizationMethod,
    DiscountType,
    Job,
    LaborLine,
    PaymentMethod,
    Recommendation,
    RecommendationStatus,
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
    job_id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True, source="part.name")
    line_total = serializers.DecimalField(max_digits=None, decimal_places=2, read_only=True)

    class Meta:
        model = TicketPart
        fields = ["part_id", "job_id", "name", "quantity", "unit_price", "line_total"]
        read_only_fields = fields


class TicketLaborLineSerializer(serializers.ModelSerializer):
    mechanic_id = serializers.IntegerField(read_only=True)
    job_id = serializers.IntegerField(read_only=True)

    class Meta:
        model = LaborLine
        fields = ["id", "job_id", "mechanic_id", "description", "hours", "rate", "line_total"]
        read_only_fields = fields


class JobSerializer(serializers.ModelSerializer):
    """A job on the ticket: its authorization status, its lines and their
    subtotal (before the ticket's discount and tax)."""

    subtotal = serializers.DecimalField(max_digits=None, decimal_places=2, read_only=True)
    parts = TicketPartLineSerializer(many=True, read_only=True, source="part_lines")
    labor = TicketLaborLineSerializer(many=True, read_only=True, source="labor_lines")

    class Meta:
        model = Job
        fields = [
            "id",
            "title",
            "status",
            "declined_reason",
            "position",
            "canned_job_id",
            "recommendation_id",
            "subtotal",
            "parts",
            "labor",
        ]
        read_only_fields = fields


class OpenRecommendationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Recommendation
        fields = ["id", "title", "amount"]
        read_only_fields = fields


class RecommendedPartSerializer(serializers.Serializer):
    part_id = serializers.IntegerField()
    name = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_price = serializers.DecimalField(max_digits=10, decimal_places=2)


class RecommendedLaborSerializer(serializers.Serializer):
    mechanic_id = serializers.IntegerField()
    description = serializers.CharField()
    hours = serializers.DecimalField(max_digits=6, decimal_places=2)
    rate = serializers.DecimalField(max_digits=8, decimal_places=2)


class RecommendationSerializer(serializers.ModelSerializer):
    """Declined work kept on the vehicle: what was offered (its lines, at the
    prices then), why it was declined, and what became of it."""

    vehicle_id = serializers.IntegerField(read_only=True)
    ticket_id = serializers.IntegerField(read_only=True, allow_null=True)
    parts = RecommendedPartSerializer(many=True, read_only=True)
    labor = RecommendedLaborSerializer(many=True, read_only=True)
    revived_job_id = serializers.IntegerField(read_only=True, allow_null=True)
    revived_ticket_id = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Recommendation
        fields = [
            "id",
            "vehicle_id",
            "ticket_id",
            "title",
            "reason",
            "amount",
            "parts",
            "labor",
            "status",
            "dismissed_reason",
            "revived_ticket_id",
            "revived_job_id",
            "revived_amount",
            "closed_at",
            "created_at",
        ]
        read_only_fields = fields


class RecommendationStatusQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=RecommendationStatus.choices, required=False)


class ReviveSerializer(serializers.Serializer):
    service_ticket_id = serializers.PrimaryKeyRelatedField(
        queryset=ServiceTicket.objects.all(),
        source="ticket",
        help_text="An open ticket of the same vehicle.",
    )


class DismissSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="Why the work is not wanted.")


@extend_schema_serializer(component_name="Job")
class JobWriteSerializer(serializers.ModelSerializer):
    """What staff send to add or change a job; its lines come through the
    ticket's add-part and labor actions (with ``job_id``)."""

    class Meta:
        model = Job
        fields = ["title", "position"]
        extra_kwargs = {"position": {"max_value": 10_000}}


@extend_schema_serializer(component_name="NewJob")
class JobCreateSerializer(serializers.Serializer):
    """A new job: a ``title`` (no lines yet), or a ``canned_job_id`` (its
    name, parts and labor; the labor billed by ``mechanic_id``, the caller
    when a mechanic)."""

    title = serializers.CharField(max_length=200, required=False)
    canned_job_id = serializers.PrimaryKeyRelatedField(
        queryset=CannedJob.objects.all(), source="canned_job", required=False
    )
    mechanic_id = serializers.PrimaryKeyRelatedField(
        queryset=Mechanic.objects.all(), source="mechanic", required=False
    )

    def validate(self, attrs):
        if ("title" in attrs) == ("canned_job" in attrs):
            raise serializers.ValidationError(
                {"title": ["Give a title, or a canned_job_id (not both)."]}
            )
        return attrs


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
    jobs = JobSerializer(many=True, read_only=True)
    open_recommendations = OpenRecommendationSerializer(many=True, read_only=True)
    parts = TicketPartLineSerializer(many=True, read_only=True, source="job_part_lines")
    labor = TicketLaborLineSerializer(many=True, read_only=True, source="job_labor_lines")

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
            "jobs",
            "parts",
            "labor",
            "discount_type",
            "discount_value",
            "parts_tax_rate",
            "labor_tax_rate",
            *MONEY_FIELDS,
            "invoice_number",
            "completed_at",
            "invoiced_at",
            "paid_at",
            "open_recommendations",
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


def _job_id_field(help_text: str):
    return serializers.IntegerField(min_value=1, required=False, help_text=help_text)


class PartQuantitySerializer(serializers.Serializer):
    quantity = serializers.IntegerField(min_value=1, max_value=100_000, default=1)
    job_id = _job_id_field('The ticket\'s job the part is for; omitted, its "General" job.')


class RemovePartQuantitySerializer(serializers.Serializer):
    quantity = serializers.IntegerField(
        min_value=1,
        max_value=100_000,
        required=False,
        help_text="How many to take off the ticket; omitted, the whole line.",
    )
    job_id = _job_id_field("The job whose line it is, when the part is on several.")


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
    job_id = _job_id_field('The ticket\'s job the work is for; omitted, its "General" job.')


class AuthorizedBySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        # A customer's or mechanic's name; an admin has no profile (and its
        # email is not shown to customers).
        profile = getattr(user, "customer", None) or getattr(user, "mechanic", None)
        return getattr(profile, "name", None) or "Shop staff"


class AuthorizationSerializer(serializers.ModelSerializer):
    """The customer's decision on some jobs of a ticket, as recorded."""

    ticket_id = serializers.IntegerField(read_only=True)
    authorized_by = AuthorizedBySerializer(read_only=True, allow_null=True)
    approved_job_ids = serializers.ListField(child=serializers.IntegerField(), read_only=True)
    declined_job_ids = serializers.ListField(child=serializers.IntegerField(), read_only=True)

    class Meta:
        model = Authorization
        fields = [
            "id",
            "ticket_id",
            "method",
            "authorized_by",
            "signed_name",
            "approved_job_ids",
            "declined_job_ids",
            "authorized_amount",
            "declined_reason",
            "note",
            "created_at",
        ]
        read_only_fields = fields


@extend_schema_serializer(component_name="Authorization")
class AuthorizationWriteSerializer(serializers.Serializer):
    """The decision to record: jobs approved and declined, and how it was
    given (staff: in_person, phone, text, email; the customer: online)."""

    approved_job_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, default=list, max_length=200
    )
    declined_job_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, default=list, max_length=200
    )
    method = serializers.ChoiceField(
        choices=[m for m in AuthorizationMethod.choices if m[0] != AuthorizationMethod.LINK],
        required=False,
        help_text="Staff: in_person (default), phone, text or email. The customer: online "
        "(default, the only one).",
    )
    declined_reason = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default=""
    )
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    signed_name = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )

    def validate(self, attrs):
        is_customer = self.context.get("is_customer", False)
        allowed = CUSTOMER_AUTHORIZATION_METHODS if is_customer else STAFF_AUTHORIZATION_METHODS
        method = attrs.get("method") or allowed[0]
        if method not in allowed:
            who = "a customer" if is_customer else "staff"
            raise serializers.ValidationError(
                {"method": [f"{method} is not a method {who} may record: {', '.join(allowed)}."]}
            )
        attrs["method"] = method
        return attrs


class PaymentSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    ticket_id = serializers.IntegerField(read_only=True)
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
