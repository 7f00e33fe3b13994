from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from vehicles.validators import normalize_vin, validate_vin

from .totals import labor_line_total
from .workflow import Status

MONEY = {"max_digits": 16, "decimal_places": 2, "default": Decimal("0.00")}
_NOT_LOADED = object()
# The money a ticket's lines, discount and tax rates decide (tickets.totals
# computes it).
COMPUTED_MONEY_FIELDS = (
    "parts_total",
    "labor_total",
    "discount",
    "parts_tax",
    "labor_tax",
    "tax",
    "total",
)
# The money columns the services rewrite whenever a line, the discount or a
# payment moves them; never written by a client.
MONEY_FIELDS = (*COMPUTED_MONEY_FIELDS, "amount_paid", "balance_due")
# The ticket's own fields that staff write (the API, the admin); the
# services record their changes in the history. Status, money and dates
# move only through the lifecycle actions, the lines and the payments.
EDITABLE_FIELDS = (
    "customer",
    "vehicle",
    "vin",
    "service_date",
    "service_desc",
    "mileage_in",
    "mileage_out",
    "discount_type",
    "discount_value",
)


class DiscountType(models.TextChoices):
    NONE = "none", "No discount"
    PERCENT = "percent", "Percent of the subtotal"
    AMOUNT = "amount", "Fixed amount"


class ServiceTicket(models.Model):
    """A repair order: one customer's vehicle, the work asked for, the
    mechanics on it, the parts and labor, from estimate to paid invoice.

    The money columns are maintained by ``tickets.services`` in the same
    transaction as every change that moves them; ``invoice`` freezes them.
    """

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="tickets"
    )
    vehicle = models.ForeignKey(
        "vehicles.Vehicle", on_delete=models.PROTECT, related_name="tickets", null=True, blank=True
    )
    vin = models.CharField("VIN", max_length=17, validators=[validate_vin])
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ESTIMATE)
    mileage_in = models.PositiveIntegerField(null=True, blank=True)
    mileage_out = models.PositiveIntegerField(null=True, blank=True)
    declined_reason = models.TextField(max_length=2000, blank=True)
    service_date = models.DateField()
    service_desc = models.TextField("service description", max_length=4000)
    mechanics = models.ManyToManyField(
        "mechanics.Mechanic", through="TicketMechanic", related_name="tickets", blank=True
    )
    discount_type = models.CharField(
        max_length=8, choices=DiscountType.choices, default=DiscountType.NONE
    )
    discount_value = models.DecimalField(
        max_digits=10, decimal_places=2, default=Decimal("0.00"), validators=[MinValueValidator(0)]
    )
    # Maintained totals (see tickets.totals for the arithmetic): lists read
    # columns instead of summing lines on every request.
    parts_total = models.DecimalField(**MONEY)
    labor_total = models.DecimalField(**MONEY)
    discount = models.DecimalField(**MONEY)
    parts_tax = models.DecimalField(**MONEY)
    labor_tax = models.DecimalField(**MONEY)
    tax = models.DecimalField(**MONEY)
    total = models.DecimalField(**MONEY)
    amount_paid = models.DecimalField(**MONEY)
    balance_due = models.DecimalField(**MONEY)
    invoice_number = models.PositiveIntegerField(unique=True, null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    invoiced_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-service_date", "-id"]
        indexes = [
            models.Index(fields=["-service_date", "-id"], name="ticket_date_idx"),
            models.Index(
                fields=["customer", "-service_date", "-id"], name="ticket_customer_date_idx"
            ),
            models.Index(fields=["vin"], name="ticket_vin_idx"),
            models.Index(fields=["status", "-service_date", "-id"], name="ticket_status_date_idx"),
            models.Index(fields=["invoiced_at"], name="ticket_invoiced_idx"),
            models.Index(fields=["completed_at"], name="ticket_completed_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(balance_due__gte=0), name="ticket_balance_gte_0"
            ),
            models.CheckConstraint(
                condition=~models.Q(discount_type="percent") | models.Q(discount_value__lte=100),
                name="ticket_percent_discount_lte_100",
            ),
        ]

    # What the ticket lists filter and search on (tickets.filters): a change
    # to one of these can change how many tickets a filtered list holds, so
    # its cached count (tickets.receivers). Totals and lines cannot.
    LIST_FIELDS = (
        "customer_id",
        "vehicle_id",
        "vin",
        "status",
        "service_date",
        "service_desc",
        "invoice_number",
    )

    def __str__(self) -> str:
        return f"Ticket #{self.pk} ({self.vin})"

    def clean(self):
        super().clean()
        self.vin = normalize_vin(self.vin)

    @classmethod
    def from_db(cls, db, field_names, values):
        ticket = super().from_db(db, field_names, values)
        ticket.listed_as = ticket.list_membership()
        return ticket

    def list_membership(self) -> tuple:
        """The values of LIST_FIELDS (a field not loaded counts as unchanged)."""
        return tuple(self.__dict__.get(name, _NOT_LOADED) for name in self.LIST_FIELDS)


class TicketMechanic(models.Model):
    """A mechanic assigned to a ticket."""

    ticket = models.ForeignKey(ServiceTicket, on_delete=models.CASCADE, related_name="assignments")
    mechanic = models.ForeignKey(
        "mechanics.Mechanic", on_delete=models.PROTECT, related_name="assignments"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ticket", "mechanic"], name="ticket_mechanic_unique")
        ]
        indexes = [models.Index(fields=["mechanic", "ticket"], name="assignment_mechanic_idx")]

    def __str__(self) -> str:
        return f"{self.mechanic} on ticket #{self.ticket_id}"


class TicketPart(models.Model):
    """A part line: the quantity used and the unit price at the moment it was
    added (later price changes in the catalog do not touch it)."""

    ticket = models.ForeignKey(ServiceTicket, on_delete=models.CASCADE, related_name="part_lines")
    part = models.ForeignKey(
        "inventory.Part", on_delete=models.PROTECT, related_name="ticket_lines"
    )
    quantity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "part"], name="ticket_part_unique"),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1), name="ticket_part_qty_gte_1"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.part} on ticket #{self.ticket_id}"

    @property
    def line_total(self) -> Decimal:
        return self.quantity * self.unit_price


class LaborLine(models.Model):
    """Hours of work billed on a ticket, at a rate (the shop's labor rate
    unless given), by the mechanic who did it."""

    ticket = models.ForeignKey(ServiceTicket, on_delete=models.CASCADE, related_name="labor_lines")
    mechanic = models.ForeignKey(
        "mechanics.Mechanic", on_delete=models.PROTECT, related_name="labor_lines"
    )
    description = models.CharField(max_length=500)
    hours = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("1000"))],
    )
    rate = models.DecimalField(max_digits=8, decimal_places=2, validators=[MinValueValidator(0)])
    line_total = models.DecimalField(max_digits=14, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["mechanic", "ticket"], name="labor_mechanic_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(hours__gt=0), name="labor_hours_gt_0"),
            models.CheckConstraint(condition=models.Q(rate__gte=0), name="labor_rate_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.hours} h {self.description} on ticket #{self.ticket_id}"

    def save(self, *args, **kwargs):
        self.line_total = labor_line_total(self.hours, self.rate)
        super().save(*args, **kwargs)


class PaymentMethod(models.TextChoices):
    CASH = "cash", "Cash"
    CARD = "card", "Card"
    CHECK = "check", "Check"
    BANK_TRANSFER = "bank_transfer", "Bank transfer"
    OTHER = "other", "Other"


class Payment(models.Model):
    """Money received against an invoiced ticket."""

    ticket = models.ForeignKey(ServiceTicket, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    method = models.CharField(max_length=16, choices=PaymentMethod.choices)
    reference = models.CharField(max_length=100, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["created_at"], name="payment_created_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_amount_gt_0")
        ]

    def __str__(self) -> str:
        return f"{self.amount} by {self.method} on ticket #{self.ticket_id}"


class TicketEvent(models.Model):
    """One entry of a ticket's history: who did what, when, before and after."""

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        UPDATED = "updated", "Updated"
        STATUS_CHANGED = "status_changed", "Status changed"
        MECHANIC_ASSIGNED = "mechanic_assigned", "Mechanic assigned"
        MECHANIC_REMOVED = "mechanic_removed", "Mechanic removed"
        PART_ADDED = "part_added", "Part added"
        PART_REMOVED = "part_removed", "Part removed"
        LABOR_ADDED = "labor_added", "Labor added"
        LABOR_CHANGED = "labor_changed", "Labor changed"
        LABOR_REMOVED = "labor_removed", "Labor removed"
        PAYMENT_RECORDED = "payment_recorded", "Payment recorded"

    ticket = models.ForeignKey(ServiceTicket, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=24, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["ticket", "id"], name="event_ticket_idx")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} on ticket #{self.ticket_id}"


class InvoiceCounter(models.Model):
    """The last invoice number given. Taken under a row lock in the same
    transaction as the invoice, so numbers are sequential and gap-free: a
    rolled-back invoice gives its number back."""

    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"last invoice #{self.last_number}"
