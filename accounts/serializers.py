import time

from django.contrib.auth import get_user_model
from django.contrib.auth.models import update_last_login
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import exceptions, serializers
from rest_framework_simplejwt.serializers import (
    TokenBlacklistSerializer,
    TokenObtainSerializer,
    TokenRefreshSerializer,
)
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import RefreshToken

from .authentication import logged_in_before_password_change
from .models import Role, normalize_email


def tokens_for(user) -> RefreshToken:
    """A refresh token (and through it the access token) carrying the role
    and ``auth_time``, when the password was presented (OpenID Connect's
    claim, to the microsecond): the access tokens refreshed from it carry it
    too, and all are refused once the password changes after it."""
    refresh = RefreshToken.for_user(user)
    refresh["role"] = user.role
    refresh["auth_time"] = round(time.time(), 6)
    return refresh


class LoginSerializer(TokenObtainSerializer):
    """``{email, password}`` -> ``{access, refresh}``; only ``roles`` may pass.

    A user of another role gets exactly the answer of a wrong password, so the
    customers' door does not tell who is a mechanic.
    """

    roles: tuple[str, ...] = ()
    include_role = False

    def validate(self, attrs):
        attrs[self.username_field] = normalize_email(attrs[self.username_field])
        super().validate(attrs)  # authenticates, sets self.user, 401 when wrong
        if self.roles and self.user.role not in self.roles:
            raise exceptions.AuthenticationFailed(
                self.error_messages["no_active_account"], "no_active_account"
            )
        refresh = tokens_for(self.user)
        data = {"access": str(refresh.access_token), "refresh": str(refresh)}
        if self.include_role:
            data["role"] = self.user.role
        if jwt_settings.UPDATE_LAST_LOGIN:
            update_last_login(None, self.user)
        return data


class CustomerLoginSerializer(LoginSerializer):
    roles = (Role.CUSTOMER,)


class MechanicLoginSerializer(LoginSerializer):
    roles = (Role.MECHANIC,)


class AnyRoleLoginSerializer(LoginSerializer):
    include_role = True


class RefreshSerializer(TokenRefreshSerializer):
    """simplejwt's refresh, but a token of a deleted user is a 401, not a
    500, and a token of a login older than the password is refused (the
    access tokens it would give are: the client must log in again)."""

    def validate(self, attrs):
        refresh = self.token_class(attrs["refresh"])
        user = (
            get_user_model()
            .objects.filter(**{jwt_settings.USER_ID_FIELD: refresh.get(jwt_settings.USER_ID_CLAIM)})
            .first()
        )
        if user is None:
            raise exceptions.AuthenticationFailed(
                self.error_messages["no_active_account"], "no_active_account"
            )
        if logged_in_before_password_change(user, refresh):
            raise exceptions.AuthenticationFailed(
                "The user's password has been changed.", "password_changed"
            )
        return super().validate(attrs)


class LogoutSerializer(TokenBlacklistSerializer):
    pass


# Documentation-only shapes for the schema. drf-spectacular appends "Request"
# to the component of a request body, so the bodies of login and refresh are
# named "Login" and "Refresh": components LoginRequest and RefreshRequest.


@extend_schema_serializer(component_name="Login")
class LoginRequestSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(write_only=True, style={"input_type": "password"})


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class TokenPairWithRoleSerializer(TokenPairSerializer):
    role = serializers.ChoiceField(choices=Role.choices)


@extend_schema_serializer(component_name="Refresh")
class RefreshRequestSerializer(serializers.Serializer):
    refresh = serializers.CharField()


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=Role.choices)
    customer_id = serializers.IntegerField(allow_null=True)
    mechanic_id = serializers.IntegerField(allow_null=True)
