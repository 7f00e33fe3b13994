from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from customers.models import phone_validator


class Mechanic(models.Model):
    """A mechanic of the shop; logs in through its ``user`` (role mechanic)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mechanic"
    )
    name = models.CharField(max_length=120)
    phone = models.CharField(max_length=32, validators=[phone_validator])
    salary = models.DecimalField(max_digits=10, decimal_places=2, validators=[MinValueValidator(0)])
    # Tickets this mechanic is assigned to, kept in step with the assignment
    # table in the same transaction as every change to it (tickets.receivers;
    # seed_demo adds its bulk inserts): the popular ranking reads it instead
    # of counting every assignment.
    ticket_count = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["name", "id"], name="mechanic_name_idx"),
            models.Index(fields=["-ticket_count", "name", "id"], name="mechanic_popular_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(salary__gte=0), name="mechanic_salary_gte_0")
        ]

    def __str__(self) -> str:
        return self.name
