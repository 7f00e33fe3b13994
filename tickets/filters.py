import django_filters
from django.db.models import Exists, ExpressionWrapper, IntegerField, OuterRef

from mechanic_shop.api.filters import IdFilter
from mechanic_shop.api.sync import updated_after_filter
from mechanics.models import Mechanic
from vehicles.validators import normalize_vin

from .models import Payment, PaymentMethod, ServiceTicket, TicketMechanic
from .workflow import Status


class ServiceTicketFilter(django_filters.FilterSet):
    customer = IdFilter(field_name="customer_id", label="Customer id")
    mechanic = IdFilter(method="filter_mechanic", label="Mechanic id")
    vin = django_filters.CharFilter(method="filter_vin", label="VIN (any case)")
    service_date = django_filters.DateFromToRangeFilter(
        label="Service date range: service_date_after / service_date_before (inclusive)"
    )

    status = django_filters.MultipleChoiceFilter(
        choices=Status.choices, label="Status; repeat for several (status=estimate&status=approved)"
    )
    vehicle = IdFilter(field_name="vehicle_id", label="Vehicle id")
    invoice_number = IdFilter(label="Invoice number")
    updated_after = updated_after_filter()

    class Meta:
        model = ServiceTicket
        fields = [
            "updated_after",
            "customer",
            "mechanic",
            "vin",
            "service_date",
            "status",
            "vehicle",
            "invoice_number",
        ]

    def filter_mechanic(self, queryset, name, value):
        """Tickets the mechanic is assigned to, in the list's order.

        A mechanic with many tickets (most of a busy shop's) is best found by
        reading the list in date order and probing the (ticket, mechanic)
        index for each ticket: 20 matches come after a few hundred probes.
        A plain join or EXISTS lets MariaDB start from all the mechanic's
        assignments and sort their tickets (1.4 s at a million tickets), so
        the EXISTS is compared with 1, which keeps it a per-ticket probe. A
        mechanic with few tickets is the other way round: probing would walk
        the whole list for them, starting from the assignments is cheap.
        The maintained ticket_count tells which.
        """
        count = Mechanic.objects.filter(pk=value).values_list("ticket_count", flat=True).first()
        if not count or count < self.PROBE_FROM_TICKETS:
            return queryset.filter(assignments__mechanic_id=value)
        assigned = Exists(
            TicketMechanic.objects.filter(ticket_id=OuterRef("pk"), mechanic_id=value)
        )
        return queryset.alias(
            assigned=ExpressionWrapper(assigned, output_field=IntegerField())
        ).filter(assigned=1)

    # Above this many tickets, a mechanic's tickets are found by probing.
    PROBE_FROM_TICKETS = 2_000

    def filter_vin(self, queryset, name, value):
        return queryset.filter(vin=normalize_vin(value))


class PaymentFilter(django_filters.FilterSet):
    ticket = IdFilter(field_name="ticket_id", label="Ticket id")
    method = django_filters.ChoiceFilter(choices=PaymentMethod.choices)
    updated_after = updated_after_filter()

    class Meta:
        model = Payment
        fields = ["updated_after", "ticket", "method"]
