from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.response import Response

from mechanic_shop.api.permissions import IsAdmin, IsStaff
from mechanic_shop.api.schema import error_responses
from mechanic_shop.api.viewsets import ShopViewSet

from . import selectors, services
from .models import CannedJob
from .serializers import CannedJobSerializer

LINES_NOTE = (
    "`labor` and `parts`, when sent, each replace that list wholesale, in the order given; "
    "a part may be listed once. A labor line without `rate` is billed at the shop's labor "
    "rate when the job is applied."
)


@extend_schema_view(
    list=extend_schema(
        summary="List canned jobs",
        description="Mechanics and admins. The shop's catalog of canned jobs (job templates), "
        "with their labor and part lines. `?search=` on the name, `?ordering=name|-name`.",
        responses={200: CannedJobSerializer(many=True), **error_responses(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="Get a canned job",
        description="Mechanics and admins.",
        responses={200: CannedJobSerializer, **error_responses(401, 403, 404)},
    ),
    create=extend_schema(
        summary="Add a canned job",
        description=f"Admins. The name is unique, whatever its case. {LINES_NOTE}",
        responses={201: CannedJobSerializer, **error_responses(400, 401, 403)},
    ),
    update=extend_schema(
        summary="Replace a canned job",
        description=f"Admins. A list or description not sent is emptied. {LINES_NOTE}",
        responses={200: CannedJobSerializer, **error_responses(400, 401, 403, 404)},
    ),
    partial_update=extend_schema(
        summary="Update a canned job",
        description=f"Admins. What is not sent stays as it is. {LINES_NOTE}",
        responses={200: CannedJobSerializer, **error_responses(400, 401, 403, 404)},
    ),
    destroy=extend_schema(
        summary="Delete a canned job",
        description="Admins. Its lines go with it; the parts stay in the catalog.",
        responses={
            204: OpenApiResponse(description="Deleted."),
            **error_responses(401, 403, 404),
        },
    ),
)
class CannedJobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ShopViewSet):
    queryset = CannedJob.objects.all()
    serializer_class = CannedJobSerializer
    search_fields = ["name"]
    ordering_fields = ["name"]
    ordering = ["name", "id"]
    permission_classes = [IsStaff]
    permissions_by_action = {
        "create": [IsAdmin],
        "update": [IsAdmin],
        "partial_update": [IsAdmin],
        "destroy": [IsAdmin],
    }

    def get_queryset(self):
        if self.action in ("list", "retrieve"):
            return selectors.canned_job_list()
        # A write needs the row alone; its answer is read back (below).
        return CannedJob.objects.all()

    def _canned_job_response(self, canned_job, status_code=status.HTTP_200_OK):
        """The job read back through the list's queryset, so a write answers
        what the list and the detail show."""
        canned_job = selectors.canned_job_list().get(pk=canned_job.pk)
        return Response(self.get_serializer(canned_job).data, status=status_code)

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        canned_job = services.canned_job_create(**serializer.validated_data)
        return self._canned_job_response(canned_job, status.HTTP_201_CREATED)

    def update(self, request, pk=None, partial=False):
        canned_job = self.get_object()
        serializer = self.get_serializer(canned_job, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        canned_job = services.canned_job_update(canned_job=canned_job, **serializer.validated_data)
        return self._canned_job_response(canned_job)

    def partial_update(self, request, pk=None):
        return self.update(request, pk, partial=True)

    def destroy(self, request, pk=None):
        services.canned_job_delete(canned_job=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
