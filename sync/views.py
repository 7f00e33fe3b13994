from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins

from mechanic_shop.api.filter_backends import ShopFilterBackend
from mechanic_shop.api.pagination import CursorPagination
from mechanic_shop.api.permissions import IsStaff
from mechanic_shop.api.schema import error_responses
from mechanic_shop.api.viewsets import ShopViewSet

from .filters import TombstoneFilter
from .models import Tombstone
from .serializers import TombstoneSerializer


@extend_schema_view(
    list=extend_schema(
        summary="Deleted records",
        description="Staff. The tickets, customers, vehicles and parts deleted, oldest "
        "first: `{type, id, deleted_at}`; `?type=`, `?since=` (ISO 8601). Paged by "
        "cursor: follow `next`, and keep the last one to resume. Kept "
        "`SYNC_TOMBSTONE_DAYS` (90) days.",
        responses={200: TombstoneSerializer(many=True), **error_responses(400, 401, 403)},
        tags=["sync"],
    ),
)
class DeletedViewSet(mixins.ListModelMixin, ShopViewSet):
    queryset = Tombstone.objects.all()
    serializer_class = TombstoneSerializer
    filterset_class = TombstoneFilter
    pagination_class = CursorPagination
    # Oldest first, (deleted_at, id): the one order the cursor pages.
    filter_backends = [ShopFilterBackend]
    permission_classes = [IsStaff]
