import datetime

from django.core.exceptions import ValidationError
from django.db import models

from vehicles.validators import normalize_vin, validate_vin

FIRST_CAR_YEAR = 1886


def validate_model_year(value: int) -> None:
    latest = datetime.date.today().year + 1  # next year's models are on sale
    if not FIRST_CAR_YEAR <= value <= latest:
        raise ValidationError(f"Enter a model year between {FIRST_CAR_YEAR} and {latest}.")


class Vehicle(models.Model):
    """A customer's vehicle, known by its VIN. ``mileage`` is the last
    odometer reading the shop recorded; readings never go backwards."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="vehicles"
    )
    vin = models.CharField("VIN", max_length=17, unique=True, validators=[validate_vin])
    make = models.CharField(max_length=60, blank=True)
    model = models.CharField(max_length=60, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True, validators=[validate_model_year])
    license_plate = models.CharField(max_length=16, blank=True)
    mileage = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["customer_id", "id"]
        indexes = [
            models.Index(fields=["customer", "id"], name="vehicle_customer_idx"),
            # Incremental sync: ?updated_after= and ordering=updated_at by cursor.
            models.Index(fields=["updated_at", "id"], name="vehicle_updated_idx"),
        ]

    def __str__(self) -> str:
        label = " ".join(str(part) for part in (self.year, self.make, self.model) if part)
        return f"{label or 'Vehicle'} ({self.vin})"

    def clean(self):
        super().clean()
        self.vin = normalize_vin(self.vin)
        self.license_plate = self.license_plate.strip().upper()
