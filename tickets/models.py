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
MONEY_FIELDS = (*COMPUTED_MONEY_FIELDS, "authorized_total", "amount_paid", "balance_due")
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


# The title of the job a line goes to when none is named.
DEFAULT_JOB_TITLE = "General"


class JobStatus(models.TextChoices):
    PENDING = "pending", "Pending authorization"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"


# The jobs a ticket's total counts (the estimate as it stands); declined
# jobs stay on the ticket, outside every total.
COUNTED_JOB_STATUSES = (JobStatus.PENDING, JobStatus.APPROVED)


class AuthorizationMethod(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    PHONE = "phone", "By phone"
    TEXT = "text", "By text message"
    EMAIL = "email", "By email"
    ONLINE = "online", "Online, by the customer"
    LINK = "link", "On the approval page"


# Who may record which method: staff record what the customer said; the
# customer authorizes online through the API; the approval page records
# "link" itself.
STAFF_AUTHORIZATION_METHODS = (
    AuthorizationMethod.IN_PERSON,
    AuthorizationMethod.PHONE,
    AuthorizationMethod.TEXT,
    AuthorizationMethod.EMAIL,
)
CUSTOMER_AUTHORIZATION_METHODS = (AuthorizationMethod.ONLINE,)


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
    # The tax rates the ticket is priced with: the shop's when it was opened
    # (ticket_create reads shop.selectors.shop_settings), kept on the ticket
    # so that a later change of the shop's rates never moves its totals.
    parts_tax_rate = models.DecimalField(
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )
    labor_tax_rate = models.DecimalField(
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
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
    # The total of the approved jobs alone, discount and tax included.
    authorized_total = models.DecimalField(**MONEY)
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
            # Incremental sync: ?updated_after= and ordering=updated_at by cursor.
            models.Index(fields=["updated_at", "id"], name="ticket_updated_idx"),
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

    @property
    def job_part_lines(self) -> list:
        """Every part line of the ticket, across its jobs, in the order added
        (from the prefetched jobs when the selectors loaded them)."""
        return sorted(
            (line for job in self.jobs.all() for line in job.part_lines.all()),
            key=lambda line: line.pk,
        )

    @property
    def open_recommendations(self) -> list:
        """The open recommendations of the ticket's vehicle, but those this
        ticket declined itself: the work to offer again (from the vehicle's
        prefetched ``open_recommendations`` when the selectors loaded it)."""
        if self.vehicle_id is None:
            return []
        vehicle = self.vehicle
        found = getattr(vehicle, "open_recommendations", None)
        if found is None:
            found = vehicle.recommendations.filter(status=RecommendationStatus.OPEN).order_by("-id")
        return [r for r in found if r.ticket_id != self.pk]

    @property
    def job_labor_lines(self) -> list:
        return sorted(
            (line for job in self.jobs.all() for line in job.labor_lines.all()),
            key=lambda line: line.pk,
        )

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


class Job(models.Model):
    """A unit of work on a repair order ("Front brakes"), with its own part
    and labor lines, authorized (approved or declined) by the customer on
    its own. Lines changed on an approved job put it back to pending."""

    ticket = models.ForeignKey(ServiceTicket, on_delete=models.CASCADE, related_name="jobs")
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.PENDING)
    declined_reason = models.TextField(max_length=2000, blank=True)
    position = models.PositiveIntegerField(default=0)
    canned_job_id = models.PositiveIntegerField(
        null=True, blank=True, help_text="The canned job it was created from."
    )
    recommendation_id = models.PositiveIntegerField(
        null=True, blank=True, help_text="The recommendation it was revived from."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["ticket", "position", "id"], name="job_ticket_idx")]

    def __str__(self) -> str:
        return f"{self.title} on ticket #{self.ticket_id}"

    @property
    def subtotal(self) -> Decimal:
        """Its parts plus labor, before the ticket's discount and tax (from
        the prefetched lines when the selectors loaded them)."""
        parts = sum((line.line_total for line in self.part_lines.all()), Decimal("0.00"))
        return parts + sum((line.line_total for line in self.labor_lines.all()), Decimal("0.00"))


class TicketPart(models.Model):
    """A part line: the quantity used and the unit price at the moment it was
    added (later price changes in the catalog do not touch it)."""

    ticket = models.ForeignKey(ServiceTicket, on_delete=models.CASCADE, related_name="part_lines")
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="part_lines")
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
            models.UniqueConstraint(fields=["job", "part"], name="job_part_unique"),
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
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="labor_lines")
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
    # A payment never changes once recorded; updated_at is there so that the
    # payments sync like every other mirrored list (mechanic_shop.api.sync).
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["created_at"], name="payment_created_idx"),
            models.Index(fields=["updated_at", "id"], name="payment_updated_idx"),
        ]
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
        JOB_ADDED = "job_added", "Job added"
        JOB_CHANGED = "job_changed", "Job changed"
        JOB_REMOVED = "job_removed", "Job removed"
        JOB_STATUS_CHANGED = "job_status_changed", "Job status changed"
        RECOMMENDATION_REVIVED = "recommendation_revived", "Recommendation revived"
        AUTHORIZED = "authorized", "Work authorized"
        # An estimate or invoice emailed to the customer: queued, then its
        # outcome (documents.services).
        DOCUMENT_EMAILED = "document_emailed", "Document emailed"

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


class Authorization(models.Model):
    """The customer's decision on some of a ticket's jobs: who, how, when,
    what was approved and declined, and the amount then authorized.
    Append-only: never edited, never deleted (but with its ticket)."""

    ticket = models.ForeignKey(
        ServiceTicket, on_delete=models.CASCADE, related_name="authorizations"
    )
    method = models.CharField(max_length=16, choices=AuthorizationMethod.choices)
    authorized_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    signed_name = models.CharField(max_length=200, blank=True)
    approved_job_ids = models.JSONField(default=list)
    declined_job_ids = models.JSONField(default=list)
    authorized_amount = models.DecimalField(**MONEY)
    declined_reason = models.TextField(max_length=2000, blank=True)
    note = models.TextField(max_length=2000, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["ticket", "id"], name="authorization_ticket_idx")]

    def __str__(self) -> str:
        return f"Authorization #{self.pk} ({self.method}) on ticket #{self.ticket_id}"


class RecommendationStatus(models.TextChoices):
    OPEN = "open", "Open"
    REVIVED = "revived", "Revived on a ticket"
    DISMISSED = "dismissed", "Dismissed"


class Recommendation(models.Model):
    """Work the customer declined, kept on the vehicle to be offered again:
    the declined job's title, reason, amount and lines as they were."""

    vehicle = models.ForeignKey(
        "vehicles.Vehicle", on_delete=models.CASCADE, related_name="recommendations"
    )
    ticket = models.ForeignKey(
        ServiceTicket,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recommendations",
        help_text="The ticket whose job was declined.",
    )
    job = models.ForeignKey(Job, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    title = models.CharField(max_length=200)
    reason = models.TextField(max_length=2000, blank=True)
    # The declined job's subtotal (its parts and labor, before discount and
    # tax), and its lines: parts [{part_id, name, quantity, unit_price}],
    # labor [{mechanic_id, description, hours, rate}].
    amount = models.DecimalField(**MONEY)
    parts = models.JSONField(default=list)
    labor = models.JSONField(default=list)
    status = models.CharField(
        max_length=16, choices=RecommendationStatus.choices, default=RecommendationStatus.OPEN
    )
    dismissed_reason = models.TextField(max_length=2000, blank=True)
    revived_job = models.ForeignKey(
        Job, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revived_ticket = models.ForeignKey(
        ServiceTicket, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Declined at created_at; revived or dismissed at closed_at; the revived
    # job's subtotal at current prices.
    revived_amount = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["vehicle", "status", "-id"], name="recommendation_vehicle_idx"),
            models.Index(fields=["created_at"], name="recommendation_created_idx"),
            models.Index(fields=["closed_at"], name="recommendation_closed_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.status}) for vehicle #{self.vehicle_id}"


class InvoiceCounter(models.Model):
    """The last invoice number given. Taken under a row lock in the same
    transaction as the invoice, so numbers are sequential and gap-free: a
    rolled-back invoice gives its number back."""

    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"last invoice #{self.last_number}"
