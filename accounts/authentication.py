"""JWT authentication: simplejwt's, with the user loaded by a query built
once (accounts.selectors.user_by_id). The checks are simplejwt's: an
unknown user, an inactive one, or (when configured) a token issued before
a password change is refused."""

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
            return super().get_user(validated_token)
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
        return user


class ShopJWTScheme(SimpleJWTScheme):
    """OpenAPI: documented as simplejwt's bearer scheme."""

    target_class = ShopJWTAuthentication
