from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from accounts.models import Role
from mechanic_shop.api.permissions import IsCustomer, IsStaff
from mechanic_shop.api.response_cache import cached_response
from mechanic_shop.api.schema import error_responses
from mechanic_shop.api.sync import SyncedListMixin
from mechanic_shop.api.throttles import FixedWindowRateThrottle
from mechanic_shop.api.viewsets import ShopViewSet
from tickets.selectors import TICKETS, TICKETS_PER_USER_ROLES, ticket_list, ticket_list_count
from tickets.serializers import ServiceTicketSerializer

from . import services
from .filters import CustomerFilter
from .models import Customer
from .selectors import customer_list
from .serializers import CustomerSerializer

LOGIN_RULE = (
    "The customer itself, or staff. The email and password (the login) are changed only "
    "by the customer, which sends its `current_password` with them (400 on that field "
    "when it is missing or wrong; attempts are limited like logins), or by an admin (a "
    "mechanic gets 403). A new `password` is hashed and ends every session of the "
    "customer, the one that sent it included: its tokens answer 401 `password_changed`, "
    "and the client logs in again with the new password."
)


class CurrentPasswordThrottle(FixedWindowRateThrottle):
    """Attempts to prove a current password, per user, at the login rate:
    a stolen token must not become a way to guess the password."""

    scope = "login"

    def get_cache_key(self, request, view):
        return f"throttle:current-password:{request.user.pk}"


def _profile_fields(validated_data: dict) -> dict:
    user_fields = validated_data.pop("user", {})
    return {**validated_data, **user_fields}


@extend_schema_view(
    list=extend_schema(
        summary="List customers",
        description="Mechanics and admins. `?search=` matches name or email.",
        responses={200: CustomerSerializer(many=True), **error_responses(400, 401, 403)},
    ),
    create=extend_schema(
        summary="Register a customer",
        description="Anyone may register. The password must pass the password rules; "
        "it is stored hashed and never returned.",
        responses={201: CustomerSerializer, **error_responses(400)},
        auth=[],
    ),
    retrieve=extend_schema(
        summary="Get a customer",
        description="The customer itself, or staff.",
        responses={200: CustomerSerializer, **error_responses(401, 404)},
    ),
    update=extend_schema(
        summary="Replace a customer",
        description=LOGIN_RULE,
        responses={200: CustomerSerializer, **error_responses(400, 401, 403, 404)},
    ),
    partial_update=extend_schema(
        summary="Update a customer",
        description=LOGIN_RULE,
        responses={200: CustomerSerializer, **error_responses(400, 401, 403, 404)},
    ),
    destroy=extend_schema(
        summary="Delete a customer",
        description="The customer itself, or an admin. A customer with tickets cannot be "
        "deleted (409): the shop keeps its history.",
        responses={
            204: OpenApiResponse(description="Deleted."),
            **error_responses(401, 403, 404, 409),
        },
    ),
)
class CustomerViewSet(
    SyncedListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    ShopViewSet,
):
    queryset = Customer.objects.none()  # the model, for the schema; see get_queryset
    serializer_class = CustomerSerializer
    filterset_class = CustomerFilter
    search_fields = ["name", "user__email"]
    ordering_fields = ["name", "id", "created_at", "updated_at"]
    ordering = ["name", "id"]
    permission_classes = [IsAuthenticated]
    permissions_by_action = {
        "create": [AllowAny],
        "list": [IsStaff],
        "my_tickets": [IsCustomer],
    }

    def get_queryset(self):
        return customer_list(user=self.request.user)

    @property
    def cursor_paging(self) -> bool:
        """?cursor= for deep paging of my-tickets and the list
        (mechanic_shop.api.pagination, mechanic_shop.api.sync)."""
        return self.action in ("list", "my_tickets")

    def count_for_pagination(self, queryset):
        if self.action != "my_tickets":
            return queryset.count()
        return ticket_list_count(
            queryset,
            user=self.request.user,
            endpoint="my-tickets",
            query_params=self.request.query_params,
        )

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = _profile_fields(serializer.validated_data)
        fields.pop("current_password", None)  # nothing to prove on registration
        customer = services.customer_create(**fields)
        return Response(self.get_serializer(customer).data, status=status.HTTP_201_CREATED)

    def update(self, request, pk=None, partial=False):
        customer = self.get_object()
        serializer = self.get_serializer(customer, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        fields = _profile_fields(serializer.validated_data)
        current_password = fields.pop("current_password", None)
        takes_login = fields.get("password") or (
            "email" in fields and fields["email"] != customer.user.email
        )
        if takes_login and self.role == Role.MECHANIC:
            # The login of a customer is the customer's (or an admin's) to
            # change: a mechanic who could set it could take the account over.
            raise PermissionDenied(
                "Mechanics may not change a customer's email or password; "
                "the customer or an administrator can."
            )
        if takes_login and self.role == Role.CUSTOMER:
            # A stolen access token alone must not take the account over.
            self._check_current_password(request, customer, current_password)
        customer = services.customer_update(customer=customer, **fields)
        return Response(self.get_serializer(customer).data)

    def partial_update(self, request, pk=None):
        return self.update(request, pk, partial=True)

    def _check_current_password(self, request, customer, current_password) -> None:
        throttle = CurrentPasswordThrottle()
        if not throttle.allow_request(request, self):
            self.throttled(request, throttle.wait())
        if not current_password:
            raise ValidationError(
                {
                    "current_password": [
                        "Send your current password to change your email or password."
                    ]
                }
            )
        if not customer.user.check_password(current_password):
            raise ValidationError({"current_password": ["The current password is not correct."]})

    def destroy(self, request, pk=None):
        customer = self.get_object()
        if self.role == Role.MECHANIC:
            raise PermissionDenied("Only the customer or an administrator may delete a customer.")
        services.customer_delete(customer=customer)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="My service tickets",
        description="The logged-in customer's own tickets, newest first, paginated.",
        responses={200: ServiceTicketSerializer(many=True), **error_responses(400, 401, 403)},
        filters=False,
    )
    @action(detail=False, methods=["get"], url_path="my-tickets", filter_backends=[])
    def my_tickets(self, request):
        def build():
            page = self.paginate_queryset(ticket_list(user=request.user))
            return self.get_paginated_response(ServiceTicketSerializer(page, many=True).data)

        return cached_response(request, TICKETS, build, per_user_roles=TICKETS_PER_USER_ROLES)
