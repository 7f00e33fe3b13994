from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

# The bounds of a line, shared by the models, the API and the admin.
MIN_HOURS = Decimal("0.01")
MAX_HOURS = Decimal("1000")
MAX_QUANTITY = 100_000


class CannedJob(models.Model):
    """A named, reusable job of the shop's catalog ("Front brake pads"):
    labor and part lines a service writer applies to a repair order in one
    step. Its lines are rewritten wholesale (``canned_jobs.services``) and
    read in ``position`` order."""

    # Unique whatever the case: the services check the name case-insensitively
    # inside their transaction, which takes SQLite's write lock when it begins
    # (settings: transaction_mode IMMEDIATE), so no other write comes between
    # the check and the insert. On MariaDB the unique index compares in the
    # case-insensitive collation (utf8mb4_unicode_ci) and is what decides. A
    # unique index on LOWER(name) would say it in one place, but MariaDB
    # cannot index an expression (Django skips it there, with a warning).
    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(max_length=4000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class CannedJobLabor(models.Model):
    """Hours of work the job takes, at a rate; no rate means the shop's
    labor rate at the moment the job is applied (``shop.selectors.shop_settings``)."""

    canned_job = models.ForeignKey(CannedJob, on_delete=models.CASCADE, related_name="labor_lines")
    position = models.PositiveSmallIntegerField()
    description = models.CharField(max_length=500)
    hours = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(MIN_HOURS), MaxValueValidator(MAX_HOURS)],
    )
    rate = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="Per hour; empty: the shop's labor rate when the job is applied.",
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "labor line"
        constraints = [
            models.UniqueConstraint(
                fields=["canned_job", "position"], name="canned_job_labor_position_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(hours__gte=MIN_HOURS, hours__lte=MAX_HOURS),
                name="canned_job_labor_hours_range",
            ),
            models.CheckConstraint(
                condition=models.Q(rate__isnull=True) | models.Q(rate__gte=0),
                name="canned_job_labor_rate_gte_0",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hours} h {self.description}"


class CannedJobPart(models.Model):
    """A part the job uses, and how many. The price is not kept: applying
    the job puts the part on the ticket at its catalog price of that day."""

    canned_job = models.ForeignKey(CannedJob, on_delete=models.CASCADE, related_name="part_lines")
    position = models.PositiveSmallIntegerField()
    part = models.ForeignKey(
        "inventory.Part", on_delete=models.PROTECT, related_name="canned_job_lines"
    )
    quantity = models.PositiveIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_QUANTITY)]
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "part line"
        constraints = [
            models.UniqueConstraint(
                fields=["canned_job", "position"], name="canned_job_part_position_unique"
            ),
            models.UniqueConstraint(fields=["canned_job", "part"], name="canned_job_part_unique"),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1, quantity__lte=MAX_QUANTITY),
                name="canned_job_part_qty_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.part}"
