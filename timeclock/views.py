from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from accounts.models import Role
from mechanic_shop.api.filter_backends import ShopFilterBackend, ShopOrderingFilter
from mechanic_shop.api.permissions import IsAdmin, IsStaff
from mechanic_shop.api.schema import error_responses
from mechanic_shop.api.viewsets import ShopViewSet
from mechanics.models import Mechanic
from tickets.models import Job, ServiceTicket

from . import selectors, services
from .filters import TimeEntryFilter
from .models import TimeEntry
from .serializers import (
    ClockInSerializer,
    TimeEntryCorrectionWriteSerializer,
    TimeEntrySerializer,
)

OWN = "A mechanic reaches its own entries (another's is a 404), an admin every entry."


@extend_schema_view(
    list=extend_schema(
        summary="List time entries",
        description=f"Mechanics and admins. {OWN} Newest start first. `?mechanic=` (a "
        "mechanic asking for another's gets an empty list), `?from=` / `?to=` (days in the "
        "shop's time zone, inclusive): the entries whose time overlaps them, an open entry "
        "as running until now. `?ordering=started_at|-started_at`.",
        responses={200: TimeEntrySerializer(many=True), **error_responses(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="Get a time entry",
        description=f"Mechanics and admins. {OWN}",
        responses={200: TimeEntrySerializer, **error_responses(401, 403, 404)},
    ),
    partial_update=extend_schema(
        summary="Correct a time entry",
        description="Admins. `started_at` and/or `ended_at`; an open entry given an end is "
        "closed. Recorded in `corrections` (who, when, the times before and after). A time in "
        "the future or an end not after the start is a 400 naming the field; times "
        "overlapping another entry of the same mechanic are a 409 (`time_entries_overlap`, "
        "the other entry in `entry`).",
        request=TimeEntryCorrectionWriteSerializer,
        responses={200: TimeEntrySerializer, **error_responses(400, 401, 403, 404, 409)},
    ),
)
class TimeEntryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ShopViewSet):
    queryset = TimeEntry.objects.none()  # the model, for the schema; see get_queryset
    serializer_class = TimeEntrySerializer
    filterset_class = TimeEntryFilter
    filter_backends = [ShopFilterBackend, ShopOrderingFilter]  # nothing to search
    ordering_fields = ["started_at"]
    ordering = ["-started_at", "-id"]
    permission_classes = [IsStaff]
    permissions_by_action = {"partial_update": [IsAdmin]}

    def get_queryset(self):
        return selectors.time_entry_list(user=self.request.user)

    def _entry_response(self, entry, status_code=status.HTTP_200_OK):
        """The entry read back through the list's queryset."""
        entry = selectors.time_entry_list(user=self.request.user).get(pk=entry.pk)
        return Response(TimeEntrySerializer(entry).data, status=status_code)

    def partial_update(self, request, pk=None):
        entry = self.get_object()
        serializer = TimeEntryCorrectionWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        entry = services.time_entry_correct(
            by=request.user, entry=entry, **serializer.validated_data
        )
        return self._entry_response(entry)

    @extend_schema(
        summary="Clock out",
        description="The entry's mechanic, or an admin: stops its clock now. An entry "
        "already clocked out is a 409 (`already_clocked_out`).",
        request=None,
        responses={200: TimeEntrySerializer, **error_responses(401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"], url_path="clock-out")
    def clock_out(self, request, pk=None):
        entry = services.time_entry_clock_out(entry=self.get_object())
        return self._entry_response(entry)


class ClockInViewSet(ShopViewSet):
    """``POST /service-tickets/{ticket_id}/jobs/{job_id}/clock-in/``, routed in
    timeclock.urls: the ticket's routes stay the ticket app's."""

    permission_classes = [IsStaff]
    serializer_class = ClockInSerializer

    def _mechanic(self, request, mechanic_id: int | None) -> Mechanic:
        """Who is clocked in: a mechanic itself, or the one an admin names."""
        if request.user.role == Role.MECHANIC:
            own = getattr(request.user, "mechanic", None)
            if own is None or mechanic_id not in (None, own.pk):
                raise PermissionDenied("A mechanic clocks in only itself.")
            return own
        if mechanic_id is None:
            raise ValidationError({"mechanic_id": ["Name the mechanic to clock in."]})
        mechanic = Mechanic.objects.filter(pk=mechanic_id).first()
        if mechanic is None:
            raise ValidationError({"mechanic_id": [f"Unknown mechanic id: {mechanic_id}."]})
        return mechanic

    @extend_schema(
        summary="Clock onto a job",
        description="A mechanic clocks itself in; an admin clocks in the mechanic named by "
        "`mechanic_id`. The clock runs from now until `POST /time-entries/{id}/clock-out/` "
        "or the ticket is completed (or cancelled). The ticket must be in progress and the "
        "job approved (409 `ticket_not_in_progress` / `job_not_approved`, with `status`), "
        "the mechanic assigned to the ticket (409 `mechanic_not_assigned`) and on no other "
        "clock (409 `already_clocked_in`, the open entry in `entry`).",
        parameters=[
            OpenApiParameter("ticket_id", int, OpenApiParameter.PATH, description="Ticket id"),
            OpenApiParameter("job_id", int, OpenApiParameter.PATH, description="Job id"),
        ],
        request=ClockInSerializer,
        responses={201: TimeEntrySerializer, **error_responses(400, 401, 403, 404, 409)},
        tags=["time-entries"],
    )
    def create(self, request, ticket_id=None, job_id=None):
        ticket = get_object_or_404(ServiceTicket, pk=ticket_id)
        job = get_object_or_404(Job, pk=job_id, ticket=ticket)
        serializer = ClockInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        mechanic = self._mechanic(request, serializer.validated_data.get("mechanic_id"))
        entry = services.time_entry_clock_in(
            by=request.user, ticket=ticket, job=job, mechanic=mechanic
        )
        entry = selectors.time_entry_list(user=request.user).get(pk=entry.pk)
        return Response(TimeEntrySerializer(entry).data, status=status.HTTP_201_CREATED)
