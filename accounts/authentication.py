"""JWT authentication: simplejwt's, plus one refusal of the shop's own.

simplejwt loads the token's user (one query by primary key) and refuses an
unknown user, an inactive one, and, with CHECK_REVOKE_TOKEN, a token minted
before the password hash changed. The shop also refuses a token of a login
older than the user's last password change: that is how a new password ends
earlier sessions, without CHECK_REVOKE_TOKEN's digest of the password hash
in every token."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed


class ShopJWTAuthentication(JWTAuthentication):
    def get_user(self, validated_token):
        try:
            user = super().get_user(validated_token)
        except (ValueError, TypeError, DjangoValidationError) as e:
            # A signed token whose user id is not an id (only its signer could
            # mint one): refused like an unknown user, never a 500.
            raise AuthenticationFailed(_("User not found"), code="user_not_found") from e
        if logged_in_before_password_change(user, validated_token):
            raise AuthenticationFailed(
                _("The user's password has been changed."), code="password_changed"
            )
        return user


def logged_in_before_password_change(user, token) -> bool:
    """True for a token of a login older than the user's last password
    change: its ``auth_time`` (see accounts.serializers.tokens_for), or for a
    token without one (issued before that claim existed) its ``iat``,
    compared in whole seconds."""
    changed = user.password_changed_at
    if changed is None:
        return False
    issued = token.get("auth_time")
    if issued is None:  # issued by other code than the logins: its iat, to the second
        issued, changed_at = token.get("iat"), int(changed.timestamp())
    else:
        changed_at = changed.timestamp()
    if isinstance(issued, bool) or not isinstance(issued, int | float):
        return True
    return issued < changed_at


class ShopJWTScheme(SimpleJWTScheme):
    """OpenAPI: documented as simplejwt's bearer scheme."""

    target_class = ShopJWTAuthentication
