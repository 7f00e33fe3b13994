from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from mechanic_shop.api.permissions import IsAdmin
from mechanic_shop.api.schema import error_responses

from . import selectors
from .serializers import (
    DailyPeriodQuerySerializer,
    DeclinedWorkReportSerializer,
    LowStockSerializer,
    MechanicReportSerializer,
    MonthlyPeriodQuerySerializer,
    PeriodQuerySerializer,
    ProductivitySerializer,
    RevenueReportSerializer,
)

PERIOD_PARAMETERS = [
    OpenApiParameter(
        "from", OpenApiTypes.DATE, description="First day, YYYY-MM-DD (inclusive).", required=False
    ),
    OpenApiParameter(
        "to",
        OpenApiTypes.DATE,
        description="Last day, YYYY-MM-DD (inclusive); default today.",
        required=False,
    ),
]


class ReportView(GenericAPIView):
    permission_classes = [IsAdmin]
    filter_backends = []
    period_query_class = PeriodQuerySerializer

    def period(self, request) -> dict:
        query = self.period_query_class(data=request.query_params)
        query.is_valid(raise_exception=True)
        return query.validated_data


@extend_schema(
    summary="Revenue per day or month",
    description="Admins. Invoiced amounts (ticket totals by invoice date) and paid amounts "
    "(payments by the day received) for every day or month of the range; default the last "
    "30 days (by day) or 12 months (by month).",
    parameters=[
        *PERIOD_PARAMETERS,
        OpenApiParameter("group", str, enum=["day", "month"], required=False),
    ],
    responses={200: RevenueReportSerializer, **error_responses(400, 401, 403)},
    tags=["reports"],
)
class RevenueReportView(ReportView):
    pagination_class = None

    def get(self, request):
        period = self.period(request)
        report = selectors.revenue_report(**period)
        return Response(RevenueReportSerializer(report).data)


@extend_schema(
    summary="Work per mechanic",
    description="Admins. Over the tickets completed in the range: tickets worked, labor "
    "hours billed and labor revenue per mechanic, highest revenue first.",
    parameters=PERIOD_PARAMETERS,
    responses={200: MechanicReportSerializer(many=True), **error_responses(400, 401, 403)},
    tags=["reports"],
)
class MechanicReportView(ReportView):
    serializer_class = MechanicReportSerializer

    def get(self, request):
        period = self.period(request)
        page = self.paginate_queryset(
            selectors.mechanic_report(start=period["start"], end=period["end"])
        )
        return self.get_paginated_response(MechanicReportSerializer(page, many=True).data)

    def count_for_pagination(self, rows: list[dict]) -> int:
        return len(rows)  # one row per mechanic, already computed


@extend_schema(
    summary="Declined work per month",
    description="Admins. For every month of the range (in the shop's time zone): the jobs "
    "customers declined (recommendations made, by the day declined, with their subtotals) and "
    "the declined work revived onto a ticket later (by the day revived, with the revived jobs' "
    "subtotals), and totals over the range; default the last 12 months, at most 120.",
    parameters=PERIOD_PARAMETERS,
    responses={200: DeclinedWorkReportSerializer, **error_responses(400, 401, 403)},
    tags=["reports"],
)
class DeclinedWorkReportView(ReportView):
    pagination_class = None
    period_query_class = MonthlyPeriodQuerySerializer

    def get(self, request):
        period = self.period(request)
        report = selectors.declined_work_report(start=period["start"], end=period["end"])
        return Response(DeclinedWorkReportSerializer(report).data)


@extend_schema(
    summary="Parts to reorder",
    description="Admins. Parts at or below their reorder level, lowest stock first, with the "
    "quantity reserved on open tickets (estimate, approved, in progress).",
    responses={200: LowStockSerializer(many=True), **error_responses(400, 401, 403)},
    tags=["reports"],
)
class LowStockReportView(ReportView):
    serializer_class = LowStockSerializer

    def get(self, request):
        page = selectors.reserved_on_open_tickets(
            self.paginate_queryset(selectors.low_stock_report())
        )
        return self.get_paginated_response(LowStockSerializer(page, many=True).data)


@extend_schema(
    summary="Productivity per mechanic",
    description="Admins. For each mechanic, by name, over the days of the range (the shop's "
    "time zone; default the last 30 days, at most 366): the hours clocked (time entries "
    "overlapping the range, clipped to it; one still open counts until now), the hours "
    "billed (the mechanic's labor lines on tickets completed in the range), `efficiency` = "
    "billed / clocked (null when nothing was clocked) and the tickets worked (with time "
    "clocked in the range). Hours and efficiency to 2 decimals.",
    parameters=PERIOD_PARAMETERS,
    responses={200: ProductivitySerializer(many=True), **error_responses(400, 401, 403)},
    tags=["reports"],
)
class ProductivityReportView(ReportView):
    serializer_class = ProductivitySerializer
    period_query_class = DailyPeriodQuerySerializer

    def get(self, request):
        period = self.period(request)
        page = self.paginate_queryset(
            selectors.productivity_report(start=period["start"], end=period["end"])
        )
        return self.get_paginated_response(ProductivitySerializer(page, many=True).data)

    def count_for_pagination(self, rows: list[dict]) -> int:
        return len(rows)  # one row per mechanic, already computed
