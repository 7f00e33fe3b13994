"""Writes to login identities, shared by the customer and mechanic services."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from .models import User, normalize_email


def user_create(*, email: str, password: str, role: str) -> User:
    """Create a login; a taken email is a 400 on ``email`` even when two
    requests race for it (the unique index decides)."""
    try:
        with transaction.atomic():
            return User.objects.create_user(email=email, password=password, role=role)
    except IntegrityError:
        raise ValidationError({"email": ["A user with this email already exists."]})


def user_revoke_refresh_tokens(*, user: User) -> int:
    """Blacklist every refresh token the user still holds: after a password
    change, other sessions cannot renew themselves (their short-lived access
    tokens run out on their own). Answers how many were revoked."""
    live = OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True)
    revoked = [BlacklistedToken(token=token) for token in live]
    BlacklistedToken.objects.bulk_create(revoked, ignore_conflicts=True)
    return len(revoked)


def user_update(*, user: User, email: str | None = None, password: str | None = None) -> User:
    """Change a login's email or password; a new password revokes the
    user's refresh tokens."""
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
    if password:
        user_revoke_refresh_tokens(user=user)
    return user
