import datetime

from rest_framework import serializers

from mechanic_shop.api.filters import QueryParametersSerializer

MONEY = {"max_digits": None, "decimal_places": 2}
MAX_DAYS = 366
MAX_MONTHS = 120
# A day of margin at each end of the calendar: the midnights that bound a
# range, in any time zone, are datetimes Python can hold (9999-12-31 was a 500).
FIRST_DAY = datetime.date(1, 1, 2)
LAST_DAY = datetime.date(9999, 12, 30)


class PeriodQuerySerializer(QueryParametersSerializer):
    """``from`` / ``to`` (inclusive dates) and ``group``; all optional, but
    one sent empty or twice is a 400."""

    to = serializers.DateField(required=False, help_text="Last day (inclusive); default today.")
    group = serializers.ChoiceField(choices=["day", "month"], default="day", required=False)

    def get_fields(self):
        fields = super().get_fields()
        # "from" is a Python keyword: declared here instead of as an attribute.
        fields["from"] = serializers.DateField(
            required=False, help_text="First day (inclusive); default: 30 days or 12 months back."
        )
        return fields

    def validate(self, attrs):
        end = attrs.get("to") or datetime.date.today()
        group = attrs.get("group", "day")
        if "from" in attrs:
            start = attrs["from"]
        elif group == "month":
            # The first day of the month 11 months back: 12 months with this one.
            months = end.year * 12 + end.month - 1 - 11
            start = datetime.date(months // 12, months % 12 + 1, 1)
        else:
            start = end - datetime.timedelta(days=29)
        for name, day in (("from", start), ("to", end)):
            if not FIRST_DAY <= day <= LAST_DAY:
                raise serializers.ValidationError(
                    {name: [f"Must be between {FIRST_DAY} and {LAST_DAY}."]}
                )
        if start > end:
            raise serializers.ValidationError({"from": ["Must not be after 'to'."]})
        if group == "day" and (end - start).days + 1 > MAX_DAYS:
            raise serializers.ValidationError(
                {"from": [f"At most {MAX_DAYS} days by day; group by month."]}
            )
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        if group == "month" and months > MAX_MONTHS:
            raise serializers.ValidationError({"from": [f"At most {MAX_MONTHS} months."]})
        return {"start": start, "end": end, "group": group}


class MonthlyPeriodQuerySerializer(PeriodQuerySerializer):
    """``from`` / ``to`` for a report by month only: the defaults and limits
    of ``group=month`` (the last 12 months, at most 120), no ``group``."""

    group = None

    def validate(self, attrs):
        return super().validate({**attrs, "group": "month"})


class RevenuePeriodSerializer(serializers.Serializer):
    period = serializers.DateField(help_text="The day, or the first day of the month.")
    invoiced = serializers.DecimalField(**MONEY)
    invoice_count = serializers.IntegerField()
    paid = serializers.DecimalField(**MONEY)
    payment_count = serializers.IntegerField()


class RevenueTotalsSerializer(serializers.Serializer):
    invoiced = serializers.DecimalField(**MONEY)
    invoice_count = serializers.IntegerField()
    paid = serializers.DecimalField(**MONEY)
    payment_count = serializers.IntegerField()


class RevenueReportSerializer(serializers.Serializer):
    group = serializers.CharField()
    periods = RevenuePeriodSerializer(many=True)
    totals = RevenueTotalsSerializer()

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.DateField()
        fields["to"] = serializers.DateField()
        return fields


class MechanicReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    tickets_completed = serializers.IntegerField()
    labor_hours = serializers.DecimalField(**MONEY)
    labor_revenue = serializers.DecimalField(**MONEY)


class LowStockSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    part_number = serializers.CharField()
    quantity_in_stock = serializers.IntegerField()
    reorder_level = serializers.IntegerField()
    shortfall = serializers.IntegerField(help_text="Reorder level minus stock.")
    reserved_on_open_tickets = serializers.IntegerField(
        help_text="Units on tickets in estimate, approved or in progress."
    )


class DeclinedWorkPeriodSerializer(serializers.Serializer):
    period = serializers.DateField(help_text="The first day of the month.")
    declined_count = serializers.IntegerField(help_text="Recommendations made (jobs declined).")
    declined_amount = serializers.DecimalField(
        **MONEY, help_text="Their declined subtotals (parts and labor, before discount and tax)."
    )
    revived_count = serializers.IntegerField(help_text="Recommendations revived onto a ticket.")
    revived_amount = serializers.DecimalField(
        **MONEY, help_text="The revived jobs' subtotals as revived (before discount and tax)."
    )


class DeclinedWorkTotalsSerializer(serializers.Serializer):
    declined_count = serializers.IntegerField()
    declined_amount = serializers.DecimalField(**MONEY)
    revived_count = serializers.IntegerField()
    revived_amount = serializers.DecimalField(**MONEY)


class DeclinedWorkReportSerializer(serializers.Serializer):
    periods = DeclinedWorkPeriodSerializer(many=True)
    totals = DeclinedWorkTotalsSerializer()

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.DateField()
        fields["to"] = serializers.DateField()
        return fields


class DailyPeriodQuerySerializer(PeriodQuerySerializer):
    """``from`` / ``to`` for a report over days only: the defaults and
    limits of ``group=day`` (the last 30 days, at most 366), no ``group``."""

    group = None

    def validate(self, attrs):
        return super().validate({**attrs, "group": "day"})


class ProductivitySerializer(serializers.Serializer):
    mechanic_id = serializers.IntegerField()
    name = serializers.CharField()
    clocked_hours = serializers.DecimalField(
        **MONEY, help_text="Time clocked in the range, entries clipped to it."
    )
    billed_hours = serializers.DecimalField(
        **MONEY, help_text="Labor hours of the mechanic on tickets completed in the range."
    )
    efficiency = serializers.DecimalField(
        **MONEY, allow_null=True, help_text="Billed / clocked hours; null when none clocked."
    )
    tickets_worked = serializers.IntegerField(help_text="Tickets with time clocked in the range.")
