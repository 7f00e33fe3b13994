from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from events.models import Event
from events.serializers import EventSerializer
from events.views import UUID_REGEX
from mechanic_shop.api.filter_backends import ShopFilterBackend
from mechanic_shop.api.pagination import CursorPagination
from mechanic_shop.api.permissions import IsAdmin
from mechanic_shop.api.schema import error_responses
from mechanic_shop.api.viewsets import ShopViewSet

from . import services
from .filters import DeliveryAttemptFilter
from .models import DeliveryAttempt, Endpoint
from .serializers import DeliveryAttemptSerializer, EndpointSerializer, RedeliverySerializer


@extend_schema_view(
    list=extend_schema(
        summary="List webhook endpoints",
        description="Admins.",
        responses={200: EndpointSerializer(many=True), **error_responses(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="Get a webhook endpoint",
        description="Admins. `secret` is null: it is shown once, by the create.",
        responses={200: EndpointSerializer, **error_responses(401, 403, 404)},
    ),
    create=extend_schema(
        summary="Add a webhook endpoint",
        description="Admins. The answer carries the signing `secret`, shown this once. "
        "A URL that resolves to a private, loopback, link-local or metadata address is a "
        "400 on `url`.",
        responses={201: EndpointSerializer, **error_responses(400, 401, 403)},
    ),
    partial_update=extend_schema(
        summary="Update a webhook endpoint",
        description="Admins. `is_active: true` turns a disabled endpoint on again and "
        "clears its failures.",
        responses={200: EndpointSerializer, **error_responses(400, 401, 403, 404)},
    ),
    destroy=extend_schema(
        summary="Delete a webhook endpoint",
        description="Admins. Its deliveries and their log go with it.",
        responses={204: OpenApiResponse(description="Deleted."), **error_responses(401, 403, 404)},
    ),
)
class EndpointViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    ShopViewSet,
):
    queryset = Endpoint.objects.all()
    serializer_class = EndpointSerializer
    permission_classes = [IsAdmin]
    filter_backends = []
    http_method_names = ["get", "post", "patch", "delete"]

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        endpoint = services.endpoint_create(**serializer.validated_data)
        answer = EndpointSerializer(endpoint, context={"show_secret": True})
        return Response(answer.data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        endpoint = self.get_object()
        serializer = self.get_serializer(endpoint, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        endpoint = services.endpoint_update(endpoint=endpoint, **serializer.validated_data)
        return Response(self.get_serializer(endpoint).data)

    @extend_schema(
        summary="Rotate an endpoint's secret",
        description="Admins. A new signing secret, shown in this answer only; the old one "
        "signs nothing from now on.",
        request=None,
        responses={200: EndpointSerializer, **error_responses(401, 403, 404)},
    )
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, pk=None):
        endpoint = services.endpoint_rotate_secret(endpoint=self.get_object())
        return Response(EndpointSerializer(endpoint, context={"show_secret": True}).data)

    @extend_schema(
        summary="Send a ping to an endpoint",
        description="Admins. A `ping` event, delivered to this endpoint alone (see "
        "`/webhooks/deliveries/?event=`).",
        request=None,
        responses={202: EventSerializer, **error_responses(401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def test(self, request, pk=None):
        event = services.endpoint_ping(endpoint=self.get_object())
        return Response(EventSerializer(event).data, status=status.HTTP_202_ACCEPTED)


@extend_schema_view(
    list=extend_schema(
        summary="List webhook delivery attempts",
        description="Admins. Every attempt to send an event to an endpoint, newest first, "
        "`?endpoint=`, `?event=`, `?status=succeeded|failed`. Paged by cursor.",
        responses={200: DeliveryAttemptSerializer(many=True), **error_responses(400, 401, 403)},
    ),
)
class DeliveryAttemptViewSet(mixins.ListModelMixin, ShopViewSet):
    queryset = DeliveryAttempt.objects.all()
    serializer_class = DeliveryAttemptSerializer
    filterset_class = DeliveryAttemptFilter
    filter_backends = [ShopFilterBackend]
    pagination_class = CursorPagination
    permission_classes = [IsAdmin]


class RedeliverViewSet(ShopViewSet):
    queryset = Event.objects.all()
    # What OPTIONS describes (the answer: the deliveries queued).
    serializer_class = RedeliverySerializer
    lookup_value_regex = UUID_REGEX
    permission_classes = [IsAdmin]
    filter_backends = []

    @extend_schema(
        summary="Send an event again",
        description="Admins. To every active endpoint subscribed to it, from the first "
        "attempt of the retry schedule.",
        parameters=[OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH)],
        request=None,
        responses={202: RedeliverySerializer, **error_responses(401, 403, 404)},
        tags=["events"],
    )
    @action(detail=True, methods=["post"])
    def redeliver(self, request, pk=None):
        deliveries = services.event_redeliver(event=self.get_object())
        answer = {"event_id": pk, "endpoint_ids": [d.endpoint_id for d in deliveries]}
        return Response(RedeliverySerializer(answer).data, status=status.HTTP_202_ACCEPTED)
