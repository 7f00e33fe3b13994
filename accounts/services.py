"""Writes to login identities, shared by the customer and mechanic services."""

from django.db import IntegrityError, transaction
from rest_framework.exceptions import ValidationError

from .models import User, normalize_email


def user_create(*, email: str, password: str, role: str) -> User:
    """Create a login; a taken email is a 400 on ``email`` even when two
    requests race for it (the unique index decides)."""
    try:
        with transaction.atomic():
            return User.objects.create_user(email=email, password=password, role=role)
    except IntegrityError:
        raise ValidationError({"email": ["A user with this email already exists."]})


def user_update(*, user: User, email: str | None = None, password: str | None = None) -> User:
    fields = []
    if email is not None and normalize_email(email) != user.email:
        user.email = normalize_email(email)
        fields.append("email")
    if password:
        user.set_password(password)
        fields.append("password")
    if fields:
        try:
            with transaction.atomic():
                user.save(update_fields=fields)
        except IntegrityError:
            raise ValidationError({"email": ["A user with this email already exists."]})
    return user
