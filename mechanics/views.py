from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import Role
from mechanic_shop.api.permissions import IsAdmin, IsStaff
from mechanic_shop.api.response_cache import CachedListMixin
from mechanic_shop.api.schema import error_responses
from mechanic_shop.api.viewsets import ShopViewSet

from . import selectors, services
from .serializers import (
    MechanicAdminSerializer,
    MechanicReadSerializer,
    MechanicSearchQuerySerializer,
    MechanicSerializer,
    PopularMechanicAdminSerializer,
    PopularMechanicReadSerializer,
    PopularMechanicSerializer,
)

SALARY_NOTE = "`salary` is shown to admins only."


@extend_schema_view(
    list=extend_schema(
        summary="List mechanics",
        description=f"Mechanics and admins. {SALARY_NOTE} Cached; any change to a "
        "mechanic refreshes it.",
        responses={200: MechanicReadSerializer(many=True), **error_responses(400, 401, 403)},
    ),
    create=extend_schema(
        summary="Hire a mechanic",
        description="Admins. The `password` lets the mechanic log in at "
        "`/mechanics/login/`; it is hashed and never returned.",
        request=MechanicAdminSerializer,
        responses={201: MechanicAdminSerializer, **error_responses(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="Get a mechanic",
        description=f"Mechanics and admins. {SALARY_NOTE}",
        responses={200: MechanicReadSerializer, **error_responses(401, 403, 404)},
    ),
    update=extend_schema(
        summary="Replace a mechanic",
        description="Admins.",
        request=MechanicAdminSerializer,
        responses={200: MechanicAdminSerializer, **error_responses(400, 401, 403, 404)},
    ),
    partial_update=extend_schema(
        summary="Update a mechanic",
        description="Admins.",
        request=MechanicAdminSerializer,
        responses={200: MechanicAdminSerializer, **error_responses(400, 401, 403, 404)},
    ),
    destroy=extend_schema(
        summary="Delete a mechanic",
        description="Admins. A mechanic who has worked tickets cannot be deleted (409).",
        responses={
            204: OpenApiResponse(description="Deleted."),
            **error_responses(401, 403, 404, 409),
        },
    ),
)
class MechanicViewSet(
    CachedListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    ShopViewSet,
):
    cache_namespace = "mechanics"
    queryset = selectors.mechanic_list()
    search_fields = ["name", "user__email"]
    ordering_fields = ["name", "id"]
    ordering = ["name", "id"]
    permission_classes = [IsStaff]
    permissions_by_action = {
        "create": [IsAdmin],
        "update": [IsAdmin],
        "partial_update": [IsAdmin],
        "destroy": [IsAdmin],
    }

    def get_serializer_class(self):
        admin = self.role == Role.ADMIN
        if self.action == "popular":
            return PopularMechanicAdminSerializer if admin else PopularMechanicSerializer
        return MechanicAdminSerializer if admin else MechanicSerializer

    def create(self, request):
        serializer = MechanicAdminSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        mechanic = services.mechanic_create(email=data.pop("user")["email"], **data)
        return Response(MechanicAdminSerializer(mechanic).data, status=status.HTTP_201_CREATED)

    def update(self, request, pk=None, partial=False):
        mechanic = self.get_object()
        serializer = MechanicAdminSerializer(mechanic, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        email = data.pop("user", {}).get("email")
        mechanic = services.mechanic_update(mechanic=mechanic, email=email, **data)
        return Response(MechanicAdminSerializer(mechanic).data)

    def partial_update(self, request, pk=None):
        return self.update(request, pk, partial=True)

    def destroy(self, request, pk=None):
        services.mechanic_delete(mechanic=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Search mechanics by name",
        description="Case-insensitive substring match on the name; `name` is required.",
        parameters=[MechanicSearchQuerySerializer],
        responses={200: MechanicReadSerializer(many=True), **error_responses(400, 401, 403)},
        filters=False,
    )
    @action(detail=False, methods=["get"], filter_backends=[])
    def search(self, request):
        query = MechanicSearchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        page = self.paginate_queryset(selectors.mechanic_search(name=query.validated_data["name"]))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        summary="Most popular mechanics",
        description="Ranked by the number of tickets worked, most first, ties by name; "
        f"each with `ticket_count`. {SALARY_NOTE} Cached; assignments refresh it.",
        responses={
            200: PopularMechanicReadSerializer(many=True),
            **error_responses(400, 401, 403),
        },
        filters=False,
    )
    @action(detail=False, methods=["get"], filter_backends=[])
    def popular(self, request):
        def build():
            page = self.paginate_queryset(selectors.mechanic_popular_list())
            return self.get_paginated_response(self.get_serializer(page, many=True).data)

        return self.cached_response(request, "popular", build)
