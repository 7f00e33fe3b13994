"""Serializer fields for the login part of a profile (email, password)."""

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from .models import User, normalize_email


class LoginEmailField(serializers.EmailField):
    """An email that must not belong to another user (case-insensitive)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 254)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        email = normalize_email(super().to_internal_value(data))
        owner = getattr(self.parent.instance, "user_id", None) if self.parent else None
        taken = User.objects.filter(email=email)
        if owner is not None:
            taken = taken.exclude(pk=owner)
        if taken.exists():
            raise serializers.ValidationError("A user with this email already exists.")
        return email


def validate_new_password(password: str, *, email: str | None, name: str | None) -> None:
    """Django's password validators, with the profile's own data for the
    similarity check. Raises a DRF error on ``password``."""
    probe = User(email=email or "")
    probe.name = name or ""
    try:
        password_validation.validate_password(password, user=probe)
    except DjangoValidationError as exc:
        raise serializers.ValidationError({"password": list(exc.messages)})
