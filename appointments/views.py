from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.models import Role
from customers.models import Customer
from mechanic_shop.api.permissions import IsStaff
from mechanic_shop.api.schema import error_responses
from mechanic_shop.api.viewsets import ShopViewSet

from . import services
from .filters import AppointmentFilter
from .models import Appointment
from .selectors import appointment_availability, appointment_scope
from .serializers import (
    AppointmentSerializer,
    AppointmentWriteSerializer,
    AvailabilityQuerySerializer,
    AvailabilitySerializer,
)

RULES = (
    "Within one day's opening hours (400 on `starts_at`/`ends_at`); at no instant more "
    "active appointments (booked, confirmed, arrived) than the shop has bays (409 "
    "`no_free_bay`, naming the first full instant in `conflicting_at`). A customer books "
    "for its own vehicles, at least 2 hours ahead, within the shop's booking horizon (400 "
    "on `starts_at`), and holds at most 3 active appointments (409 `too_many_appointments`). "
    "Times carry their UTC offset."
)
OWNER_OR_STAFF = "The customer who booked it, or staff (another customer's: 404)."
STAFF = "Mechanics and admins."
ACTION_RESPONSES = {200: AppointmentSerializer, **error_responses(401, 403, 404, 409)}


@extend_schema_view(
    list=extend_schema(
        summary="List appointments",
        description="Staff see all, a customer its own. By start time; filters "
        "`date_after`/`date_before` (days in the shop's time zone), `status` (repeatable), "
        "`customer`.",
        responses={200: AppointmentSerializer(many=True), **error_responses(400, 401)},
    ),
    retrieve=extend_schema(
        summary="Get an appointment",
        description=OWNER_OR_STAFF,
        responses={200: AppointmentSerializer, **error_responses(401, 404)},
    ),
    create=extend_schema(
        summary="Book an appointment",
        description=f"Staff book for any customer, a customer for itself. {RULES} "
        "`ends_at` defaults to the shop's appointment length after `starts_at`.",
        request=AppointmentWriteSerializer,
        responses={201: AppointmentSerializer, **error_responses(400, 401, 409)},
    ),
    partial_update=extend_schema(
        summary="Change an appointment",
        description=f"{OWNER_OR_STAFF} Booked or confirmed ones only (409). New times are "
        f"checked as a booking's: {RULES} A new `starts_at` without `ends_at` keeps the "
        "length. The customer does not change (400 on `customer_id`).",
        request=AppointmentWriteSerializer,
        responses={200: AppointmentSerializer, **error_responses(400, 401, 404, 409)},
    ),
    destroy=extend_schema(
        summary="Delete an appointment",
        description=f"{STAFF} Cancelled or no-show ones only; cancel an active one first, "
        "a converted one stays with its ticket (409).",
        responses={
            204: OpenApiResponse(description="Deleted."),
            **error_responses(401, 403, 404, 409),
        },
    ),
)
class AppointmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ShopViewSet):
    queryset = Appointment.objects.none()  # the model, for the schema; see get_queryset
    serializer_class = AppointmentSerializer
    filterset_class = AppointmentFilter
    ordering_fields = ["starts_at", "created_at", "id"]
    ordering = ["starts_at", "id"]
    permission_classes = [IsAuthenticated]
    permissions_by_action = {
        "destroy": [IsStaff],
        "arrive": [IsStaff],
        "no_show": [IsStaff],
        "convert": [IsStaff],
    }

    def get_queryset(self):
        return appointment_scope(user=self.request.user)

    def _appointment_response(self, appointment, status_code=status.HTTP_200_OK):
        """The appointment read back through the caller's scope."""
        appointment = self.get_queryset().get(pk=appointment.pk)
        return Response(AppointmentSerializer(appointment).data, status=status_code)

    def _write_serializer(self, partial=False):
        serializer = AppointmentWriteSerializer(
            data=self.request.data, partial=partial, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def create(self, request):
        data = self._write_serializer()
        if "customer" not in data:
            if self.role != Role.CUSTOMER:
                raise ValidationError({"customer_id": ["This field is required."]})
            data["customer"] = Customer.objects.get(user=request.user)
        appointment = services.appointment_book(by=request.user, **data)
        return self._appointment_response(appointment, status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        appointment = self.get_object()
        data = self._write_serializer(partial=True)
        customer = data.pop("customer", None)
        if customer is not None and customer.pk != appointment.customer_id:
            raise ValidationError(
                {"customer_id": ["An appointment's customer does not change: book anew."]}
            )
        appointment = services.appointment_update(by=request.user, appointment=appointment, **data)
        return self._appointment_response(appointment)

    def destroy(self, request, pk=None):
        services.appointment_delete(appointment=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _transition(self, name: str):
        appointment = services.appointment_transition(
            by=self.request.user, appointment=self.get_object(), action=name
        )
        return self._appointment_response(appointment)

    @extend_schema(
        summary="Confirm an appointment",
        description=f"{OWNER_OR_STAFF} From booked (else 409).",
        request=None,
        responses=ACTION_RESPONSES,
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        return self._transition("confirm")

    @extend_schema(
        summary="Cancel an appointment",
        description=f"{OWNER_OR_STAFF} From booked or confirmed (else 409); its bay is "
        "free again and no reminder goes out.",
        request=None,
        responses=ACTION_RESPONSES,
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._transition("cancel")

    @extend_schema(
        summary="Mark an appointment arrived",
        description=f"{STAFF} From booked or confirmed (else 409).",
        request=None,
        responses=ACTION_RESPONSES,
    )
    @action(detail=True, methods=["post"])
    def arrive(self, request, pk=None):
        return self._transition("arrive")

    @extend_schema(
        summary="Mark an appointment a no-show",
        description=f"{STAFF} From booked or confirmed (else 409); its bay is free again.",
        request=None,
        responses=ACTION_RESPONSES,
    )
    @action(detail=True, methods=["post"], url_path="no-show")
    def no_show(self, request, pk=None):
        return self._transition("no_show")

    @extend_schema(
        summary="Convert an appointment to an estimate",
        description=f"{STAFF} Opens the estimate ticket for the customer and vehicle, dated "
        "the appointment's day, with one pending job titled with the concern, and links it "
        "(`ticket_id`); status `converted`. Converted already, cancelled or a no-show: 409.",
        request=None,
        responses=ACTION_RESPONSES,
    )
    @action(detail=True, methods=["post"])
    def convert(self, request, pk=None):
        appointment = services.appointment_convert(by=request.user, appointment=self.get_object())
        return self._appointment_response(appointment)

    @extend_schema(
        summary="Free appointment start times of a day",
        description="Anyone logged in. The start times of `date` (a day of the shop's "
        "calendar), at the shop's slot step from opening, whose whole `duration_minutes` "
        "(default: the shop's appointment length) fits in that day's opening hours with a bay "
        "free throughout: exactly the starts a booking is accepted at now. In the shop's time "
        "zone, with its offset. For a customer, only those it may book (2 hours ahead at the "
        "least, within the booking horizon). A closed day has none.",
        parameters=[AvailabilityQuerySerializer],
        responses={200: AvailabilitySerializer, **error_responses(400, 401)},
        filters=False,
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def availability(self, request):
        query = AvailabilityQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        day = query.validated_data["date"]
        shop, minutes, starts = appointment_availability(
            user=request.user,
            day=day,
            minutes=query.validated_data.get("duration_minutes"),
            now=timezone.now(),
        )
        zone = shop.zone()
        answer = {
            "date": day,
            "duration_minutes": minutes,
            "time_zone": shop.time_zone,
            "slots": [start.astimezone(zone).isoformat() for start in starts],
        }
        return Response(AvailabilitySerializer(answer).data)
