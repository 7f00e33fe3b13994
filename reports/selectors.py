"""Reports for the shop's administrators, computed by aggregate queries."""

import datetime
from decimal import Decimal

from django.db.models import (
    Count,
    DateField,
    DecimalField,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils import timezone

from inventory.models import Part
from mechanics.models import Mechanic
from tickets.models import LaborLine, Payment, ServiceTicket, TicketMechanic, TicketPart
from tickets.workflow import OPEN, Status

ZERO = Decimal("0.00")
DONE = (Status.COMPLETED, Status.INVOICED, Status.PAID)


def _bounds(
    start: datetime.date, end: datetime.date
) -> tuple[datetime.datetime, datetime.datetime]:
    """[start, end] as aware datetimes [start 00:00, end+1 00:00): a range
    the database can answer from an index on the column."""
    tz = timezone.get_current_timezone()
    low = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    high = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return low, high


def _periods(start: datetime.date, end: datetime.date, group: str) -> list[datetime.date]:
    periods = []
    if group == "day":
        day = start
        while day <= end:
            periods.append(day)
            day += datetime.timedelta(days=1)
    else:
        month = start.replace(day=1)
        while month <= end:
            periods.append(month)
            month = (month + datetime.timedelta(days=32)).replace(day=1)
    return periods


def revenue_report(*, start: datetime.date, end: datetime.date, group: str) -> dict:
    """Invoiced amounts (ticket totals, by invoice date) and paid amounts
    (payments, by the day they were received) per day or month, every period
    of the range listed, empty ones as zero."""
    low, high = _bounds(start, end)
    trunc = TruncDate if group == "day" else TruncMonth

    def grouped(queryset, column, amount):
        rows = (
            queryset.filter(**{f"{column}__gte": low, f"{column}__lt": high})
            .annotate(period=trunc(column, output_field=DateField()))
            .values("period")
            .annotate(amount=Sum(amount), count=Count("id"))
        )
        return {row["period"]: row for row in rows}

    invoiced = grouped(ServiceTicket.objects.exclude(invoiced_at=None), "invoiced_at", "total")
    paid = grouped(Payment.objects.all(), "created_at", "amount")
    periods = []
    for period in _periods(start, end, group):
        inv, pay = invoiced.get(period, {}), paid.get(period, {})
        periods.append(
            {
                "period": period,
                "invoiced": inv.get("amount") or ZERO,
                "invoice_count": inv.get("count", 0),
                "paid": pay.get("amount") or ZERO,
                "payment_count": pay.get("count", 0),
            }
        )
    totals = {
        key: sum((p[key] for p in periods), ZERO if key in ("invoiced", "paid") else 0)
        for key in ("invoiced", "invoice_count", "paid", "payment_count")
    }
    return {"from": start, "to": end, "group": group, "periods": periods, "totals": totals}


def _per_mechanic(queryset, aggregate, output_field):
    return Coalesce(
        Subquery(
            queryset.filter(mechanic=OuterRef("pk"))
            .values("mechanic")
            .annotate(value=aggregate)
            .values("value"),
            output_field=output_field,
        ),
        Value(0, output_field=output_field),
    )


def mechanic_report(*, start: datetime.date, end: datetime.date) -> QuerySet[Mechanic]:
    """Per mechanic, over the tickets completed in the range (completed,
    invoiced or paid since): tickets worked, labor hours billed and labor
    revenue. Highest revenue first, then by name."""
    low, high = _bounds(start, end)
    done = {
        "ticket__completed_at__gte": low,
        "ticket__completed_at__lt": high,
        "ticket__status__in": DONE,
    }
    money = DecimalField(max_digits=16, decimal_places=2)
    return Mechanic.objects.annotate(
        tickets_completed=_per_mechanic(
            TicketMechanic.objects.filter(**done), Count("ticket"), IntegerField()
        ),
        labor_hours=_per_mechanic(LaborLine.objects.filter(**done), Sum("hours"), money),
        labor_revenue=_per_mechanic(LaborLine.objects.filter(**done), Sum("line_total"), money),
    ).order_by("-labor_revenue", "name", "id")


def low_stock_report() -> QuerySet[Part]:
    """Parts at or below their reorder level, with the quantity already on
    tickets whose work is not finished (estimate, approved, in progress)."""
    reserved = (
        TicketPart.objects.filter(part=OuterRef("pk"), ticket__status__in=OPEN)
        .values("part")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    return (
        Part.objects.filter(quantity_in_stock__lte=F("reorder_level"))
        .annotate(
            reserved_on_open_tickets=Coalesce(
                Subquery(reserved, output_field=IntegerField()), Value(0)
            ),
            shortfall=F("reorder_level") - F("quantity_in_stock"),
        )
        .order_by("quantity_in_stock", "name", "id")
    )
