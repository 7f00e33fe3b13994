from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.views import TokenViewBase

from idempotency.views import IdempotencyKeyMixin
from mechanic_shop.api.schema import ERRORS_401, error_responses
from mechanic_shop.api.throttles import AnonRateThrottle, LoginRateThrottle

from . import selectors, serializers


class TokenDoor(IdempotencyKeyMixin, TokenViewBase):
    """A door that answers tokens: an Idempotency-Key is checked, never
    stored with its answer (credentials stay out of the database)."""

    idempotency_stores_answers = False


class LoginView(TokenDoor):
    throttle_classes = [AnonRateThrottle, LoginRateThrottle]


def login_schema(*, summary: str, description: str, tags: list[str], with_role=False):
    return extend_schema(
        summary=summary,
        description=description,
        tags=tags,
        request=serializers.LoginRequestSerializer,
        responses={
            200: serializers.TokenPairWithRoleSerializer
            if with_role
            else serializers.TokenPairSerializer,
            **error_responses(400, 401, 429),
        },
        auth=[],
    )


@login_schema(
    summary="Log in as a customer",
    description="Customers only: a mechanic or admin account answers 401 here.",
    tags=["customers"],
)
class CustomerLoginView(LoginView):
    serializer_class = serializers.CustomerLoginSerializer


@login_schema(
    summary="Log in as a mechanic",
    description="Mechanics only: a customer or admin account answers 401 here.",
    tags=["mechanics"],
)
class MechanicLoginView(LoginView):
    serializer_class = serializers.MechanicLoginSerializer


@login_schema(
    summary="Log in (any role)",
    description="Any active account, administrators included; answers the role too.",
    tags=["auth"],
    with_role=True,
)
class AnyLoginView(LoginView):
    serializer_class = serializers.AnyRoleLoginSerializer


@extend_schema(
    summary="Refresh the token pair",
    description="Rotation is on: the refresh token sent is blacklisted and a new one returned.",
    tags=["auth"],
    request=serializers.RefreshRequestSerializer,
    responses={200: serializers.TokenPairSerializer, **error_responses(400, 401)},
    auth=[],
)
class RefreshView(TokenDoor):
    serializer_class = serializers.RefreshSerializer


@extend_schema(
    summary="Log out",
    description="Blacklists the refresh token: it can no longer be refreshed.",
    tags=["auth"],
    request=serializers.RefreshRequestSerializer,
    responses={204: OpenApiResponse(description="Logged out."), **error_responses(400, 401)},
    auth=[],
)
class LogoutView(TokenDoor):
    serializer_class = serializers.LogoutSerializer

    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
        except TokenError as e:
            raise InvalidToken(e.args[0]) from e
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(
    summary="Who am I",
    tags=["auth"],
    responses={200: serializers.MeSerializer, **ERRORS_401},
)
class MeView(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request):
        return Response(serializers.MeSerializer(selectors.user_me(user=request.user)).data)
