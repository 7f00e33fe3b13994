from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models

from .validators import normalize_vin, validate_vin


class ServiceTicket(models.Model):
    """A repair order: one customer's vehicle, the work asked for, the
    mechanics on it and the parts used."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="tickets"
    )
    vin = models.CharField("VIN", max_length=17, validators=[validate_vin])
    service_date = models.DateField()
    service_desc = models.TextField("service description", max_length=4000)
    mechanics = models.ManyToManyField(
        "mechanics.Mechanic", through="TicketMechanic", related_name="tickets", blank=True
    )
    # Maintained by the services that change part lines, in the same
    # transaction, so lists read a column instead of summing every request.
    parts_total = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0.00"))
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
        ]

    def __str__(self) -> str:
        return f"Ticket #{self.pk} ({self.vin})"

    def clean(self):
        super().clean()
        self.vin = normalize_vin(self.vin)


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
