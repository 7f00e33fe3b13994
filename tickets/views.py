from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
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

from inventory.models import Part
from mechanic_shop.api.permissions import IsAdmin, IsStaff, IsStaffOrReadOnly, is_staff_role
from mechanic_shop.api.response_cache import CachedListMixin
from mechanic_shop.api.schema import error_responses
from mechanic_shop.api.sync import SyncedListMixin, filter_updated_after
from mechanic_shop.api.viewsets import ShopViewSet
from mechanics.models import Mechanic

from . import services
from .filters import PaymentFilter, ServiceTicketFilter
from .models import Job, LaborLine, Payment, Recommendation, ServiceTicket
from .selectors import (
    TICKETS,
    TICKETS_PER_USER_ROLES,
    ticket_authorizations,
    ticket_detail,
    ticket_history,
    ticket_jobs,
    ticket_list,
    ticket_list_count,
    ticket_scope,
)
from .serializers import (
    AuthorizationSerializer,
    AuthorizationWriteSerializer,
    DeclineSerializer,
    DismissSerializer,
    EditMechanicsSerializer,
    JobCreateSerializer,
    JobSerializer,
    JobWriteSerializer,
    LaborLineWriteSerializer,
    PartQuantitySerializer,
    PaymentSerializer,
    RecommendationSerializer,
    RemovePartQuantitySerializer,
    ReviveSerializer,
    ServiceTicketSerializer,
    ServiceTicketWriteSerializer,
    TicketEventSerializer,
)

MECHANIC_ID = OpenApiParameter("mechanic_id", int, OpenApiParameter.PATH, description="Mechanic id")
JOB_ID = OpenApiParameter("job_id", int, OpenApiParameter.PATH, description="Job id")
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
    SyncedListMixin, CachedListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ShopViewSet
):
    queryset = ServiceTicket.objects.none()  # the model, for the schema; see get_queryset
    # The list and the detail are cached answers, a customer's per customer.
    cache_namespace = TICKETS
    cache_per_user_roles = TICKETS_PER_USER_ROLES
    serializer_class = ServiceTicketSerializer
    filterset_class = ServiceTicketFilter
    search_fields = ["vin", "service_desc", "customer__name"]
    ordering_fields = ["service_date", "created_at", "updated_at", "id"]
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
        "jobs": [IsAuthenticated, IsStaffOrReadOnly],
        "authorizations": [IsAuthenticated],
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
        # The cached count is the ticket list's; a ticket's own lists (its
        # history, payments) are counted as they are.
        if self.action != "list":
            return queryset.count()
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
        "part's current price to the job `job_id` (default: the ticket's \"General\" job, "
        "created on first use; a job of another ticket is a 400, a declined one a 409); "
        "the same part again on that job raises its line's quantity. An approved job goes "
        "back to pending: changed work is authorized again. "
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
        "and returns it to stock; `job_id` names the job when the part is on several "
        '(default: the only line, else the "General" job\'s). An approved job goes back '
        "to pending.",
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
        description="Approves every pending job and records the authorization (method "
        "`online` for the customer, `in_person` for staff): estimate -> approved; on an "
        "approved, in-progress or completed ticket with pending jobs, the status stays. "
        'An estimate with nothing pending gets an empty approved "General" job. '
        "The customer who owns the ticket, or staff.",
        request=None,
        responses={**TICKET_RESPONSE, **error_responses(401, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._transition(request, "approve")

    @extend_schema(
        summary="Decline the estimate",
        description="Declines every pending job, with the reason (required), and records "
        "the authorization; an estimate stays an estimate. On an approved ticket with "
        "nothing pending, the approval is withdrawn: its jobs are declined and it is an "
        "estimate again; on one further on with pending jobs, the status stays. Declined "
        "jobs stay on the ticket, outside every total; their parts go back to stock. "
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
        description=f"approved -> in_progress; needs an approved job (409 `no_approved_job`). "
        f"{STAFF}",
        request=None,
        responses={**TICKET_RESPONSE, **error_responses(401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._transition(request, "start")

    @extend_schema(
        summary="Complete the work",
        description=f"in_progress -> completed; the vehicle's mileage becomes the ticket's "
        f"mileage out (or in), and every mechanic still clocked onto it is clocked out. {STAFF}",
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
        "A job still pending is a 409 (`jobs_pending`, naming them in `jobs`): work added "
        "after the approval is authorized first. The invoice counts the approved jobs; "
        f"declined ones stay outside. Lines can no longer change. {STAFF}",
        request=None,
        responses={**TICKET_RESPONSE, **error_responses(401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def invoice(self, request, pk=None):
        return self._transition(request, "invoice")

    @extend_schema(
        summary="Cancel the ticket",
        description=f"estimate, approved or in_progress -> cancelled; every part goes back "
        f"in stock, and every mechanic still clocked onto it is clocked out. {STAFF}",
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
        "assigned to the ticket; `job_id` as for add-part (an approved job goes back to "
        "pending). Not once invoiced (409). Answers the ticket.",
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
        changes = dict(serializer.validated_data)
        if changes.pop("job_id", line.job_id) != line.job_id:
            raise ValidationError(
                {"job_id": ["A labor line stays on its job: delete it and add it to the other."]}
            )
        services.ticket_update_labor(by=request.user, ticket=ticket, line=line, **changes)
        return self._ticket_response(ticket)

    # -- jobs and their authorization -----------------------------------------

    @extend_schema(
        methods=["GET"],
        summary="Jobs of the ticket",
        description="The customer who owns the ticket, or staff. In their order (`position`).",
        responses={200: JobSerializer(many=True), **error_responses(400, 401, 404)},
        filters=False,
    )
    @extend_schema(
        methods=["POST"],
        summary="Add a job",
        description=f"{STAFF} A pending job: `{{title}}`, with no lines yet (they come "
        "with the add-part and labor actions and `job_id`), or `{canned_job_id}`: the "
        "canned job's name and lines, its parts taken from stock as add-part takes them "
        "(not enough of one: 409 `insufficient_stock`, nothing created) and its labor "
        "billed by `mechanic_id` (default: the calling mechanic). Not once invoiced (409).",
        request=JobCreateSerializer,
        responses={201: JobSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def jobs(self, request, pk=None):
        ticket = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(ticket_jobs(ticket=ticket))
            return self.get_paginated_response(JobSerializer(page, many=True).data)
        serializer = JobCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if "canned_job" in data:
            mechanic = data.get("mechanic") or getattr(request.user, "mechanic", None)
            job = services.job_from_canned(
                by=request.user, ticket=ticket, canned_job=data["canned_job"], mechanic=mechanic
            )
        else:
            job = services.job_create(by=request.user, ticket=ticket, title=data["title"])
        return Response(
            JobSerializer(ticket_jobs(ticket=ticket).get(pk=job.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        methods=["PATCH"],
        summary="Rename or move a job",
        description=f"{STAFF} `title` and `position`; its authorization stands.",
        request=JobWriteSerializer,
        parameters=[JOB_ID],
        responses={200: JobSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @extend_schema(
        methods=["DELETE"],
        summary="Delete a job",
        description=f"{STAFF} With its lines; its parts go back to stock. An approved job of "
        "a started (in-progress or completed) ticket stays (409 `job_started`), as does any "
        "job of an invoiced ticket.",
        parameters=[JOB_ID],
        responses={
            204: OpenApiResponse(description="Deleted."),
            **error_responses(401, 403, 404, 409),
        },
    )
    @action(detail=True, methods=["patch", "delete"], url_path=r"jobs/(?P<job_id>\d+)")
    def job(self, request, pk=None, job_id=None):
        ticket = self.get_object()
        job = get_object_or_404(Job, pk=job_id, ticket=ticket)
        if request.method == "DELETE":
            services.job_delete(by=request.user, ticket=ticket, job=job)
            return Response(status=status.HTTP_204_NO_CONTENT)
        serializer = JobWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        job = services.job_update(
            by=request.user, ticket=ticket, job=job, **serializer.validated_data
        )
        return Response(JobSerializer(ticket_jobs(ticket=ticket).get(pk=job.pk)).data)

    @extend_schema(
        methods=["GET"],
        summary="Authorizations of the ticket",
        description="Every decision recorded, oldest first; none is ever changed or deleted. "
        "The customer who owns the ticket, or staff.",
        responses={200: AuthorizationSerializer(many=True), **error_responses(400, 401, 404)},
        filters=False,
    )
    @extend_schema(
        methods=["POST"],
        summary="Authorize jobs",
        description="Approve and decline pending jobs of the ticket. `authorized_amount` is "
        "the total of every approved job at that moment, discount and tax included. A job "
        "that is not pending or not on this ticket is a 400 naming it. An estimate with an "
        "approved job becomes approved; a ticket further on keeps its status. Staff record "
        "`in_person` (default), `phone`, `text` or `email`; the customer who owns the "
        "ticket authorizes `online`. Not once invoiced (409).",
        request=AuthorizationWriteSerializer,
        responses={201: AuthorizationSerializer, **error_responses(400, 401, 404, 409)},
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def authorizations(self, request, pk=None):
        ticket = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(ticket_authorizations(ticket=ticket))
            return self.get_paginated_response(AuthorizationSerializer(page, many=True).data)
        context = {"is_customer": not is_staff_role(request.user)}
        serializer = AuthorizationWriteSerializer(data=request.data, context=context)
        serializer.is_valid(raise_exception=True)
        authorization = services.ticket_authorize(
            by=request.user,
            ticket=ticket,
            ip_address=request.META.get("REMOTE_ADDR"),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
            **serializer.validated_data,
        )
        authorization = ticket_authorizations(ticket=ticket).get(pk=authorization.pk)
        return Response(AuthorizationSerializer(authorization).data, status=status.HTTP_201_CREATED)

    # -- payments and history ---------------------------------------------------

    @extend_schema(
        summary="Payments of the ticket",
        description="GET: the customer who owns the ticket, or staff. POST (staff): record a "
        "payment on an invoiced ticket; partial payments are fine, more than the balance "
        "due is a 400, and a zero balance makes the ticket paid.",
        request=PaymentSerializer,
        parameters=[
            OpenApiParameter(
                "updated_after",
                OpenApiTypes.DATETIME,
                description="GET: only the payments recorded after this moment (ISO 8601; "
                "a payment never changes once recorded). All payments: /payments/.",
            )
        ],
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
            payments = filter_updated_after(request, payments, "updated_at")
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


class RecommendationViewSet(ShopViewSet):
    """Declined work kept on a vehicle (listed at
    ``/vehicles/{id}/recommendations/``): revived onto a ticket or dismissed
    by staff."""

    queryset = Recommendation.objects.all()
    serializer_class = RecommendationSerializer
    permission_classes = [IsStaff]

    @extend_schema(
        summary="Revive a recommendation",
        description=f"{STAFF} Copies the work onto an open (not yet invoiced) ticket of the "
        "same vehicle as a pending job: its parts at today's prices, taken from stock (not "
        "enough of one: 409, nothing changes), its labor at the rates offered. A "
        "recommendation no longer open: 409 `recommendation_closed`.",
        request=ReviveSerializer,
        responses={200: RecommendationSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def revive(self, request, pk=None):
        recommendation = self.get_object()
        serializer = ReviveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ticket = serializer.validated_data["ticket"]
        recommendation = services.recommendation_revive(
            by=request.user, recommendation=recommendation, ticket=ticket
        )
        return Response(RecommendationSerializer(recommendation).data)

    @extend_schema(
        summary="Dismiss a recommendation",
        description=f"{STAFF} The customer does not want the work: it is no longer offered.",
        request=DismissSerializer,
        responses={200: RecommendationSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def dismiss(self, request, pk=None):
        recommendation = self.get_object()
        serializer = DismissSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        recommendation = services.recommendation_dismiss(
            by=request.user, recommendation=recommendation, **serializer.validated_data
        )
        return Response(RecommendationSerializer(recommendation).data)


@extend_schema_view(
    list=extend_schema(
        summary="Payments",
        description="Every payment recorded, newest first: staff see all, a customer the "
        "payments of its own tickets. For an accounting system's mirror: `updated_after`, "
        "and `ordering=updated_at&cursor=` pages in (updated_at, id) order with no gap and "
        "no repeat (README, Integrations). A payment never changes once recorded.",
        responses={200: PaymentSerializer(many=True), **error_responses(400, 401)},
    )
)
class PaymentViewSet(SyncedListMixin, mixins.ListModelMixin, ShopViewSet):
    queryset = Payment.objects.none()  # the model, for the schema; see get_queryset
    serializer_class = PaymentSerializer
    filterset_class = PaymentFilter
    ordering_fields = ["created_at", "updated_at", "id"]
    ordering = ["-created_at", "-id"]
    permission_classes = [IsAuthenticated]

    @property
    def cursor_paging(self) -> bool:
        return self.action == "list"

    def get_queryset(self):
        return Payment.objects.filter(
            ticket__in=ticket_scope(user=self.request.user)
        ).select_related("received_by")
