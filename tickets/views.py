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
from mechanic_shop.api.permissions import IsAdmin, IsStaff, IsStaffOrReadOnly, is_staff_role
from mechanic_shop.api.response_cache import CachedListMixin
from mechanic_shop.api.schema import error_responses
from mechanic_shop.api.viewsets import ShopViewSet
from mechanics.models import Mechanic

from . import services
from .filters import ServiceTicketFilter
from .models import LaborLine, Payment, ServiceTicket
from .selectors import (
    TICKETS,
    TICKETS_PER_USER_ROLES,
    ticket_detail,
    ticket_history,
    ticket_list,
    ticket_list_count,
    ticket_scope,
)
from .serializers import (
    DeclineSerializer,
    EditMechanicsSerializer,
    LaborLineWriteSerializer,
    PartQuantitySerializer,
    PaymentSerializer,
    RemovePartQuantitySerializer,
    ServiceTicketSerializer,
    ServiceTicketWriteSerializer,
    TicketEventSerializer,
)

MECHANIC_ID = OpenApiParameter("mechanic_id", int, OpenApiParameter.PATH, description="Mechanic id")
LABOR_ID = OpenApiParameter("labor_id", int, OpenApiParameter.PATH, description="Labor line id")
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
        responses={200: ServiceTicketSerializer, **error_responses(400, 401, 403, 404, 409)},
    ),
    partial_update=extend_schema(
        summary="Update a service ticket",
        description=f"{STAFF} `mechanic_ids`, when sent, replaces the assigned mechanics.",
        request=ServiceTicketWriteSerializer,
        responses={200: ServiceTicketSerializer, **error_responses(400, 401, 403, 404, 409)},
    ),
    destroy=extend_schema(
        summary="Delete a service ticket",
        description="Admins. The parts it used go back in stock. An invoiced or paid "
        "ticket is kept (409).",
        responses={
            204: OpenApiResponse(description="Deleted."),
            **error_responses(401, 403, 404, 409),
        },
    ),
)
class ServiceTicketViewSet(
    CachedListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ShopViewSet
):
    queryset = ServiceTicket.objects.none()  # the model, for the schema; see get_queryset
    # The list and the detail are cached answers, a customer's per customer.
    cache_namespace = TICKETS
    cache_per_user_roles = TICKETS_PER_USER_ROLES
    serializer_class = ServiceTicketSerializer
    filterset_class = ServiceTicketFilter
    search_fields = ["vin", "service_desc", "customer__name"]
    ordering_fields = ["service_date", "created_at", "id"]
    ordering = ["-service_date", "-id"]
    permission_classes = [IsStaff]
    # Customers reach only their own tickets (get_queryset): others are 404.
    permissions_by_action = {
        "list": [IsAuthenticated],
        "retrieve": [IsAuthenticated],
        "approve": [IsAuthenticated],
        "decline": [IsAuthenticated],
        "payments": [IsAuthenticated, IsStaffOrReadOnly],
        "history": [IsAuthenticated],
        "destroy": [IsAdmin],
    }

    def get_queryset(self):
        if self.action in ("list", "retrieve"):
            return ticket_list(user=self.request.user)
        # Actions only need the row (and the caller's right to reach it).
        return ticket_scope(user=self.request.user)

    @property
    def cursor_paging(self) -> bool:
        """?cursor= for deep paging of the list (mechanic_shop.api.pagination)."""
        return self.action == "list"

    def count_for_pagination(self, queryset):
        return ticket_list_count(
            queryset,
            user=self.request.user,
            endpoint="service-tickets",
            query_params=self.request.query_params,
        )

    def retrieve(self, request, *args, **kwargs):
        return self.cached_response(
            request,
            TICKETS,
            lambda: super(ServiceTicketViewSet, self).retrieve(request, *args, **kwargs),
        )

    def _ticket_response(self, ticket, status_code=status.HTTP_200_OK):
        """The ticket as the caller now sees it, read back after the write
        through the queryset the detail reads."""
        ticket = ticket_detail(user=self.request.user, pk=ticket.pk)
        return Response(self.get_serializer(ticket).data, status=status_code)

    def create(self, request):
        serializer = ServiceTicketWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ticket = services.ticket_create(by=request.user, **serializer.validated_data)
        return self._ticket_response(ticket, status.HTTP_201_CREATED)

    def update(self, request, pk=None, partial=False):
        ticket = self.get_object()
        serializer = ServiceTicketWriteSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        ticket = services.ticket_update(by=request.user, ticket=ticket, **serializer.validated_data)
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
        responses={**TICKET_RESPONSE, **error_responses(401, 403, 404, 409)},
    )
    @action(detail=True, methods=["put"], url_path=r"assign-mechanic/(?P<mechanic_id>\d+)")
    def assign_mechanic(self, request, pk=None, mechanic_id=None):
        ticket = self.get_object()
        mechanic = get_object_or_404(Mechanic, pk=mechanic_id)
        return self._ticket_response(
            services.ticket_assign_mechanic(by=request.user, ticket=ticket, mechanic=mechanic)
        )

    @extend_schema(
        summary="Remove a mechanic",
        description=f"{STAFF} Idempotent.",
        request=None,
        parameters=[MECHANIC_ID],
        responses={**TICKET_RESPONSE, **error_responses(401, 403, 404, 409)},
    )
    @action(detail=True, methods=["put"], url_path=r"remove-mechanic/(?P<mechanic_id>\d+)")
    def remove_mechanic(self, request, pk=None, mechanic_id=None):
        ticket = self.get_object()
        mechanic = get_object_or_404(Mechanic, pk=mechanic_id)
        return self._ticket_response(
            services.ticket_remove_mechanic(by=request.user, ticket=ticket, mechanic=mechanic)
        )

    @extend_schema(
        summary="Add and remove mechanics",
        description=f"{STAFF} Any unknown id is a 400 and nothing changes.",
        request=EditMechanicsSerializer,
        responses={**TICKET_RESPONSE, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["put"])
    def edit(self, request, pk=None):
        ticket = self.get_object()
        serializer = EditMechanicsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ticket = services.ticket_edit_mechanics(
            by=request.user,
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
        services.ticket_add_part(
            by=request.user, ticket=ticket, part=part, **serializer.validated_data
        )
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
        services.ticket_remove_part(
            by=request.user, ticket=ticket, part=part, **serializer.validated_data
        )
        return self._ticket_response(ticket)

    # -- lifecycle ------------------------------------------------------------

    def _transition(self, request, action_name: str, reason: str = ""):
        ticket = self.get_object()
        ticket = services.ticket_transition(
            by=request.user, ticket=ticket, action=action_name, reason=reason
        )
        return self._ticket_response(ticket)

    @extend_schema(
        summary="Approve the estimate",
        description="estimate -> approved. The customer who owns the ticket, or staff "
        "(recording an approval given in person or by phone).",
        request=None,
        responses={**TICKET_RESPONSE, **error_responses(401, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._transition(request, "approve")

    @extend_schema(
        summary="Decline the estimate",
        description="estimate or approved -> estimate, with the reason (required). "
        "The customer who owns the ticket, or staff.",
        request=DeclineSerializer,
        responses={**TICKET_RESPONSE, **error_responses(400, 401, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        serializer = DeclineSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._transition(request, "decline", serializer.validated_data["reason"])

    @extend_schema(
        summary="Start the work",
        description=f"approved -> in_progress. {STAFF}",
        request=None,
        responses={**TICKET_RESPONSE, **error_responses(401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._transition(request, "start")

    @extend_schema(
        summary="Complete the work",
        description=f"in_progress -> completed; the vehicle's mileage becomes the ticket's "
        f"mileage out (or in). {STAFF}",
        request=None,
        responses={**TICKET_RESPONSE, **error_responses(401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self._transition(request, "complete")

    @extend_schema(
        summary="Invoice the ticket",
        description="completed -> invoiced: the totals are frozen and the ticket gets the "
        "next invoice number (sequential, no gaps). A zero total is paid at once. "
        f"Lines can no longer change. {STAFF}",
        request=None,
        responses={**TICKET_RESPONSE, **error_responses(401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def invoice(self, request, pk=None):
        return self._transition(request, "invoice")

    @extend_schema(
        summary="Cancel the ticket",
        description=f"estimate, approved or in_progress -> cancelled; every part goes back "
        f"in stock. {STAFF}",
        request=None,
        responses={**TICKET_RESPONSE, **error_responses(401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._transition(request, "cancel")

    # -- labor ----------------------------------------------------------------

    @extend_schema(
        summary="Add a labor line",
        description=f"{STAFF} `rate` defaults to the shop's labor rate; the mechanic is "
        "assigned to the ticket. Not once invoiced (409). Answers the ticket.",
        request=LaborLineWriteSerializer,
        responses={201: ServiceTicketSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def labor(self, request, pk=None):
        ticket = self.get_object()
        serializer = LaborLineWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.ticket_add_labor(by=request.user, ticket=ticket, **serializer.validated_data)
        return self._ticket_response(ticket, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change or delete a labor line",
        description=f"{STAFF} PUT replaces, PATCH changes, DELETE removes the line. "
        "Not once invoiced (409). Answers the ticket.",
        request=LaborLineWriteSerializer,
        parameters=[LABOR_ID],
        responses={**TICKET_RESPONSE, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(
        detail=True,
        methods=["put", "patch", "delete"],
        url_path=r"labor/(?P<labor_id>\d+)",
    )
    def labor_line(self, request, pk=None, labor_id=None):
        ticket = self.get_object()
        line = get_object_or_404(LaborLine, pk=labor_id, ticket=ticket)
        if request.method == "DELETE":
            services.ticket_delete_labor(by=request.user, ticket=ticket, line=line)
            return self._ticket_response(ticket)
        serializer = LaborLineWriteSerializer(data=request.data, partial=request.method == "PATCH")
        serializer.is_valid(raise_exception=True)
        services.ticket_update_labor(
            by=request.user, ticket=ticket, line=line, **serializer.validated_data
        )
        return self._ticket_response(ticket)

    # -- payments and history ---------------------------------------------------

    @extend_schema(
        summary="Payments of the ticket",
        description="GET: the customer who owns the ticket, or staff. POST (staff): record a "
        "payment on an invoiced ticket; partial payments are fine, more than the balance "
        "due is a 400, and a zero balance makes the ticket paid.",
        request=PaymentSerializer,
        responses={
            200: PaymentSerializer(many=True),
            201: PaymentSerializer,
            **error_responses(400, 401, 403, 404, 409),
        },
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def payments(self, request, pk=None):
        ticket = self.get_object()
        if request.method == "GET":
            payments = Payment.objects.filter(ticket=ticket).select_related("received_by")
            page = self.paginate_queryset(payments.order_by("id"))
            return self.get_paginated_response(PaymentSerializer(page, many=True).data)
        serializer = PaymentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        payment = services.ticket_record_payment(
            by=request.user, ticket=ticket, **serializer.validated_data
        )
        return Response(PaymentSerializer(payment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="History of the ticket",
        description="Every status change, line change, mechanic assignment and payment: "
        "who, when, and what before and after. The customer who owns the ticket, or staff.",
        responses={200: TicketEventSerializer(many=True), **error_responses(400, 401, 404)},
        filters=False,
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def history(self, request, pk=None):
        ticket = self.get_object()
        page = self.paginate_queryset(ticket_history(ticket=ticket))
        context = {"show_actor_email": is_staff_role(request.user)}
        return self.get_paginated_response(
            TicketEventSerializer(page, many=True, context=context).data
        )
