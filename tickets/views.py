from django.shortcuts import get_object_or_404
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from inventory.models import Part
from mechanic_shop.api.permissions import IsAdmin, IsStaff
from mechanic_shop.api.schema import error_responses
from mechanic_shop.api.viewsets import ShopViewSet
from mechanics.models import Mechanic

from . import services
from .filters import ServiceTicketFilter
from .models import ServiceTicket
from .selectors import ticket_detail, ticket_list
from .serializers import (
    EditMechanicsSerializer,
    PartQuantitySerializer,
    RemovePartQuantitySerializer,
    ServiceTicketSerializer,
    ServiceTicketWriteSerializer,
)

MECHANIC_ID = OpenApiParameter("mechanic_id", int, OpenApiParameter.PATH, description="Mechanic id")
PART_ID = OpenApiParameter("part_id", int, OpenApiParameter.PATH, description="Part id")
STAFF = "Mechanics and admins."
TICKET_RESPONSE = {200: ServiceTicketSerializer}


@extend_schema_view(
    list=extend_schema(
        summary="List service tickets",
        description="Staff see every ticket, a customer only its own. Newest service date "
        "first; `?ordering=service_date|-service_date|created_at|id`.",
        responses={200: ServiceTicketSerializer(many=True), **error_responses(400, 401)},
    ),
    retrieve=extend_schema(
        summary="Get a service ticket",
        description="Staff, or the customer who owns it (others get 404).",
        responses={200: ServiceTicketSerializer, **error_responses(401, 404)},
    ),
    create=extend_schema(
        summary="Open a service ticket",
        description=f"{STAFF} The VIN is upper-cased; `mechanic_ids` assigns mechanics.",
        request=ServiceTicketWriteSerializer,
        responses={201: ServiceTicketSerializer, **error_responses(400, 401, 403)},
    ),
    update=extend_schema(
        summary="Replace a service ticket",
        description=f"{STAFF} `mechanic_ids`, when sent, replaces the assigned mechanics.",
        request=ServiceTicketWriteSerializer,
        responses={200: ServiceTicketSerializer, **error_responses(400, 401, 403, 404)},
    ),
    partial_update=extend_schema(
        summary="Update a service ticket",
        description=f"{STAFF} `mechanic_ids`, when sent, replaces the assigned mechanics.",
        request=ServiceTicketWriteSerializer,
        responses={200: ServiceTicketSerializer, **error_responses(400, 401, 403, 404)},
    ),
    destroy=extend_schema(
        summary="Delete a service ticket",
        description="Admins. The parts it used go back in stock.",
        responses={
            204: OpenApiResponse(description="Deleted."),
            **error_responses(401, 403, 404, 409),
        },
    ),
)
class ServiceTicketViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ShopViewSet):
    queryset = ServiceTicket.objects.none()  # the model, for the schema; see get_queryset
    serializer_class = ServiceTicketSerializer
    filterset_class = ServiceTicketFilter
    search_fields = ["vin", "service_desc", "customer__name"]
    ordering_fields = ["service_date", "created_at", "id"]
    ordering = ["-service_date", "-id"]
    permission_classes = [IsStaff]
    permissions_by_action = {
        "list": [IsAuthenticated],
        "retrieve": [IsAuthenticated],
        "destroy": [IsAdmin],
    }

    def get_queryset(self):
        return ticket_list(user=self.request.user)

    def _ticket_response(self, ticket, status_code=status.HTTP_200_OK):
        ticket = ticket_detail(user=self.request.user, pk=ticket.pk)
        return Response(ServiceTicketSerializer(ticket).data, status=status_code)

    def create(self, request):
        serializer = ServiceTicketWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ticket = services.ticket_create(**serializer.validated_data)
        return self._ticket_response(ticket, status.HTTP_201_CREATED)

    def update(self, request, pk=None, partial=False):
        ticket = self.get_object()
        serializer = ServiceTicketWriteSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        ticket = services.ticket_update(ticket=ticket, **serializer.validated_data)
        return self._ticket_response(ticket)

    def partial_update(self, request, pk=None):
        return self.update(request, pk, partial=True)

    def destroy(self, request, pk=None):
        services.ticket_delete(ticket=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Assign a mechanic",
        description=f"{STAFF} Idempotent.",
        request=None,
        parameters=[MECHANIC_ID],
        responses={**TICKET_RESPONSE, **error_responses(401, 403, 404)},
    )
    @action(detail=True, methods=["put"], url_path=r"assign-mechanic/(?P<mechanic_id>\d+)")
    def assign_mechanic(self, request, pk=None, mechanic_id=None):
        ticket = self.get_object()
        mechanic = get_object_or_404(Mechanic, pk=mechanic_id)
        return self._ticket_response(
            services.ticket_assign_mechanic(ticket=ticket, mechanic=mechanic)
        )

    @extend_schema(
        summary="Remove a mechanic",
        description=f"{STAFF} Idempotent.",
        request=None,
        parameters=[MECHANIC_ID],
        responses={**TICKET_RESPONSE, **error_responses(401, 403, 404)},
    )
    @action(detail=True, methods=["put"], url_path=r"remove-mechanic/(?P<mechanic_id>\d+)")
    def remove_mechanic(self, request, pk=None, mechanic_id=None):
        ticket = self.get_object()
        mechanic = get_object_or_404(Mechanic, pk=mechanic_id)
        return self._ticket_response(
            services.ticket_remove_mechanic(ticket=ticket, mechanic=mechanic)
        )

    @extend_schema(
        summary="Add and remove mechanics",
        description=f"{STAFF} Any unknown id is a 400 and nothing changes.",
        request=EditMechanicsSerializer,
        responses={**TICKET_RESPONSE, **error_responses(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["put"])
    def edit(self, request, pk=None):
        ticket = self.get_object()
        serializer = EditMechanicsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ticket = services.ticket_edit_mechanics(
            ticket=ticket,
            add=serializer.validated_data["add_ids"],
            remove=serializer.validated_data["remove_ids"],
        )
        return self._ticket_response(ticket)

    @extend_schema(
        summary="Add a part",
        description=f"{STAFF} Takes `quantity` (default 1) from stock and adds a line at the "
        "part's current price; the same part again raises that line's quantity. "
        "Not enough stock: 409 and nothing changes.",
        request=PartQuantitySerializer,
        parameters=[PART_ID],
        responses={**TICKET_RESPONSE, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post", "put"], url_path=r"add-part/(?P<part_id>\d+)")
    def add_part(self, request, pk=None, part_id=None):
        ticket = self.get_object()
        part = get_object_or_404(Part, pk=part_id)
        serializer = PartQuantitySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.ticket_add_part(ticket=ticket, part=part, **serializer.validated_data)
        return self._ticket_response(ticket)

    @extend_schema(
        summary="Remove a part",
        description=f"{STAFF} Takes `quantity` (default: the whole line) off the ticket "
        "and returns it to stock.",
        request=RemovePartQuantitySerializer,
        parameters=[PART_ID],
        responses={**TICKET_RESPONSE, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post", "put"], url_path=r"remove-part/(?P<part_id>\d+)")
    def remove_part(self, request, pk=None, part_id=None):
        ticket = self.get_object()
        part = get_object_or_404(Part, pk=part_id)
        serializer = RemovePartQuantitySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.ticket_remove_part(ticket=ticket, part=part, **serializer.validated_data)
        return self._ticket_response(ticket)
