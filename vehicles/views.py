from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.models import Role
from customers.models import Customer
from mechanic_shop.api.schema import error_responses
from mechanic_shop.api.sync import SyncedListMixin
from mechanic_shop.api.viewsets import ShopViewSet
from tickets.selectors import ticket_list, vehicle_recommendations
from tickets.serializers import (
    RecommendationSerializer,
    RecommendationStatusQuerySerializer,
    ServiceTicketSerializer,
)

from . import services
from .filters import VehicleFilter
from .models import Vehicle
from .selectors import vehicle_list
from .serializers import VehicleSerializer

OWNERSHIP = (
    "A customer manages its own vehicles (`customer_id` may be left out, and "
    "cannot name someone else); staff manage all and may move a vehicle to "
    "another customer."
)


@extend_schema_view(
    list=extend_schema(
        summary="List vehicles",
        description="Staff see all, a customer its own. Filters: `customer`, `vin`, "
        "`license_plate`, `make`; `?search=` on VIN, plate, make and model.",
        responses={200: VehicleSerializer(many=True), **error_responses(400, 401)},
    ),
    create=extend_schema(
        summary="Register a vehicle",
        description=f"{OWNERSHIP} The VIN is unique (17 characters, no I, O or Q).",
        responses={201: VehicleSerializer, **error_responses(400, 401)},
    ),
    retrieve=extend_schema(
        summary="Get a vehicle",
        responses={200: VehicleSerializer, **error_responses(401, 404)},
    ),
    update=extend_schema(
        summary="Replace a vehicle",
        description=f"{OWNERSHIP} The mileage never goes below the last recorded value (400).",
        responses={200: VehicleSerializer, **error_responses(400, 401, 404)},
    ),
    partial_update=extend_schema(
        summary="Update a vehicle",
        description=f"{OWNERSHIP} The mileage never goes below the last recorded value (400).",
        responses={200: VehicleSerializer, **error_responses(400, 401, 404)},
    ),
    destroy=extend_schema(
        summary="Delete a vehicle",
        description="A vehicle with service tickets cannot be deleted (409).",
        responses={204: OpenApiResponse(description="Deleted."), **error_responses(401, 404, 409)},
    ),
)
class VehicleViewSet(
    SyncedListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ShopViewSet
):
    queryset = Vehicle.objects.none()  # the model, for the schema; see get_queryset
    serializer_class = VehicleSerializer
    filterset_class = VehicleFilter
    search_fields = ["vin", "license_plate", "make", "model"]
    ordering_fields = ["id", "year", "mileage", "created_at", "updated_at"]
    ordering = ["id"]
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return vehicle_list(user=self.request.user)

    def _owner(self, data: dict, current: Customer | None = None) -> Customer | None:
        """The customer the vehicle is (to be) registered to, checked for the caller."""
        wanted = data.pop("customer", None)
        if self.role == Role.CUSTOMER:
            own = Customer.objects.get(user=self.request.user)
            if wanted is not None and wanted.pk != own.pk:
                raise ValidationError({"customer_id": ["You can only register your own vehicles."]})
            return own if current is None else None
        if wanted is None and current is None:
            raise ValidationError({"customer_id": ["This field is required."]})
        return wanted

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        vehicle = services.vehicle_create(customer=self._owner(data), **data)
        return Response(self.get_serializer(vehicle).data, status=status.HTTP_201_CREATED)

    def update(self, request, pk=None, partial=False):
        vehicle = self.get_object()
        serializer = self.get_serializer(vehicle, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        owner = self._owner(data, current=vehicle.customer)
        if owner is not None:
            data["customer"] = owner
        vehicle = services.vehicle_update(vehicle=vehicle, **data)
        return Response(self.get_serializer(vehicle).data)

    def partial_update(self, request, pk=None):
        return self.update(request, pk, partial=True)

    def destroy(self, request, pk=None):
        services.vehicle_delete(vehicle=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="A vehicle's service history",
        description="Its tickets, newest first, paginated.",
        responses={200: ServiceTicketSerializer(many=True), **error_responses(400, 401, 404)},
        filters=False,
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def history(self, request, pk=None):
        vehicle = self.get_object()
        page = self.paginate_queryset(ticket_list(user=request.user).filter(vehicle=vehicle))
        return self.get_paginated_response(ServiceTicketSerializer(page, many=True).data)

    @extend_schema(
        summary="A vehicle's recommendations",
        description="Work declined on its tickets, kept to be offered again, newest first; "
        "`?status=open|revived|dismissed`. The customer who owns the vehicle, or staff.",
        parameters=[
            OpenApiParameter(
                "status", str, enum=["open", "revived", "dismissed"], description="Only these."
            )
        ],
        responses={200: RecommendationSerializer(many=True), **error_responses(400, 401, 404)},
        filters=False,
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def recommendations(self, request, pk=None):
        vehicle = self.get_object()
        query = RecommendationStatusQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        found = vehicle_recommendations(vehicle=vehicle, status=query.validated_data.get("status"))
        page = self.paginate_queryset(found)
        return self.get_paginated_response(RecommendationSerializer(page, many=True).data)
