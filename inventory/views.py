from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from mechanic_shop.api.permissions import IsStaff
from mechanic_shop.api.response_cache import CachedListMixin
from mechanic_shop.api.schema import error_responses
from mechanic_shop.api.sync import SyncedListMixin
from mechanic_shop.api.viewsets import ShopViewSet

from . import services
from .filters import PartFilter
from .models import Part
from .serializers import PartSerializer


@extend_schema_view(
    list=extend_schema(
        summary="List parts (the catalog)",
        description="Anyone. `?search=` on name and part number, `?low_stock=true`, "
        "`?ordering=price|-price|name|-name`. Cached; any stock or catalog change refreshes it.",
        responses={200: PartSerializer(many=True), **error_responses(400)},
        auth=[{"jwtAuth": []}, {}],
    ),
    retrieve=extend_schema(
        summary="Get a part",
        description="Anyone.",
        responses={200: PartSerializer, **error_responses(404)},
        auth=[{"jwtAuth": []}, {}],
    ),
    create=extend_schema(
        summary="Add a part",
        description="Mechanics and admins.",
        responses={201: PartSerializer, **error_responses(400, 401, 403)},
    ),
    update=extend_schema(
        summary="Replace a part",
        description="Mechanics and admins.",
        responses={200: PartSerializer, **error_responses(400, 401, 403, 404)},
    ),
    partial_update=extend_schema(
        summary="Update a part",
        description="Mechanics and admins.",
        responses={200: PartSerializer, **error_responses(400, 401, 403, 404)},
    ),
    destroy=extend_schema(
        summary="Delete a part",
        description="Mechanics and admins. A part used on a ticket cannot be deleted (409).",
        responses={
            204: OpenApiResponse(description="Deleted."),
            **error_responses(401, 403, 404, 409),
        },
    ),
)
class PartViewSet(
    SyncedListMixin, CachedListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ShopViewSet
):
    cache_namespace = "inventory"
    queryset = Part.objects.all()
    serializer_class = PartSerializer
    filterset_class = PartFilter
    search_fields = ["name", "part_number"]
    ordering_fields = ["price", "name", "quantity_in_stock", "part_number", "updated_at", "id"]
    ordering = ["name", "id"]
    permission_classes = [IsStaff]
    permissions_by_action = {"list": [AllowAny], "retrieve": [AllowAny]}

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        part = services.part_create(**serializer.validated_data)
        return Response(self.get_serializer(part).data, status=status.HTTP_201_CREATED)

    def update(self, request, pk=None, partial=False):
        part = self.get_object()
        serializer = self.get_serializer(part, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        part = services.part_update(part=part, **serializer.validated_data)
        return Response(self.get_serializer(part).data)

    def partial_update(self, request, pk=None):
        return self.update(request, pk, partial=True)

    def destroy(self, request, pk=None):
        services.part_delete(part=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
