"""JWT authentication: simplejwt's, with the user loaded by a query built
once (accounts.selectors.user_by_id). Refused: an unknown user, an inactive
one, and a token of a login older than the user's last password change
(simplejwt's own check of that, CHECK_REVOKE_TOKEN, would put a digest of
the password hash in every token)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.utils import get_md5_hash_password

from .selectors import user_by_id


class ShopJWTAuthentication(JWTAuthentication):
    def get_user(self, validated_token):
        try:
            user_id = validated_token[api_settings.USER_ID_CLAIM]
        except KeyError as e:
            raise InvalidToken(_("Token contained no recognizable user identification")) from e
        if api_settings.USER_ID_FIELD != "id":  # only the primary key has the fast path
            user = super().get_user(validated_token)
        else:
            user = user_by_id(user_id)
            if user is None:
                raise AuthenticationFailed(_("User not found"), code="user_not_found")
            if api_settings.CHECK_USER_IS_ACTIVE and not user.is_active:
                raise AuthenticationFailed(_("User is inactive"), code="user_inactive")
            if api_settings.CHECK_REVOKE_TOKEN and validated_token.get(
                api_settings.REVOKE_TOKEN_CLAIM
            ) != get_md5_hash_password(user.password):
                raise AuthenticationFailed(
                    _("The user's password has been changed."), code="password_changed"
                )
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
