from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins

from mechanic_shop.api.filter_backends import ShopFilterBackend
from mechanic_shop.api.pagination import CursorPagination
from mechanic_shop.api.permissions import IsAdmin
from mechanic_shop.api.schema import error_responses
from mechanic_shop.api.viewsets import ShopViewSet

from .filters import EventFilter
from .models import Event
from .serializers import EventSerializer

UUID_REGEX = r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"


@extend_schema_view(
    list=extend_schema(
        summary="List events",
        description="Admins. What happened in the shop, newest first, each with its "
        "resource's representation at that moment; `?type=`, `?after=` (ISO 8601). "
        "Paged by cursor: follow `next`. Kept `EVENT_RETENTION_DAYS` (30) days.",
        responses={200: EventSerializer(many=True), **error_responses(400, 401, 403)},
        tags=["events"],
    ),
)
class EventViewSet(mixins.ListModelMixin, ShopViewSet):
    queryset = Event.objects.all()
    serializer_class = EventSerializer
    filterset_class = EventFilter
    pagination_class = CursorPagination
    # Newest first, the one order the cursor pages.
    filter_backends = [ShopFilterBackend]
    lookup_value_regex = UUID_REGEX
    permission_classes = [IsAdmin]
