from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

phone_validator = RegexValidator(
    r"^\+?[0-9 ()./-]{7,32}$",
    "Enter a phone number: 7 to 32 digits, spaces, dashes, dots, parentheses, optional leading +.",
)


class Customer(models.Model):
    """A shop customer; logs in through its ``user`` (role customer)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="customer"
    )
    name = models.CharField(max_length=120)
    phone = models.CharField(max_length=32, validators=[phone_validator])
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["name", "id"], name="customer_name_idx"),
            # Incremental sync: ?updated_after= and ordering=updated_at by cursor.
            models.Index(fields=["updated_at", "id"], name="customer_updated_idx"),
        ]

    def __str__(self) -> str:
        return self.name
