from django.core.validators import MinValueValidator
from django.db import models


class Part(models.Model):
    """A stocked part. ``quantity_in_stock`` only changes under a row lock
    (see ``tickets.services``), so it can never go negative."""

    name = models.CharField(max_length=120)
    part_number = models.CharField(max_length=40, unique=True)
    price = models.DecimalField(max_digits=10, decimal_places=2, validators=[MinValueValidator(0)])
    quantity_in_stock = models.PositiveIntegerField(default=0)
    reorder_level = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["name", "id"], name="part_name_idx"),
            models.Index(fields=["price", "id"], name="part_price_idx"),
            # Incremental sync: ?updated_after= and ordering=updated_at by cursor.
            models.Index(fields=["updated_at", "id"], name="part_updated_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(price__gte=0), name="part_price_gte_0"),
            models.CheckConstraint(
                condition=models.Q(quantity_in_stock__gte=0), name="part_stock_gte_0"
            ),
            models.CheckConstraint(
                condition=models.Q(reorder_level__gte=0), name="part_reorder_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.part_number})"

    @property
    def is_low_stock(self) -> bool:
        return self.quantity_in_stock <= self.reorder_level
