"""The ``data`` of each event: the resource as its own endpoint answers it,
from the serializer that answers it. Imported where an event is recorded;
the serializers are imported when called, so that a service importing this
module never imports another app's serializers at load time."""


def customer_data(customer) -> dict:
    from customers.serializers import CustomerSerializer

    return CustomerSerializer(customer).data


def vehicle_data(vehicle) -> dict:
    from vehicles.serializers import VehicleSerializer

    return VehicleSerializer(vehicle).data


def part_data(part) -> dict:
    from inventory.serializers import PartSerializer

    return PartSerializer(part).data


def ticket_data(ticket) -> dict:
    """The ticket read back as its detail reads it (its joins, the lines of
    its jobs): what ``GET /service-tickets/{id}/`` answers staff."""
    from tickets.selectors import ticket_detail
    from tickets.serializers import ServiceTicketSerializer

    return ServiceTicketSerializer(ticket_detail(user=None, pk=ticket.pk)).data


def payment_data(payment) -> dict:
    """A payment as ``…/payments/`` lists it, with its ticket's id (the
    list is the ticket's own there)."""
    from tickets.serializers import PaymentSerializer

    return {"ticket_id": payment.ticket_id, **PaymentSerializer(payment).data}


def authorization_data(authorization) -> dict:
    from tickets.serializers import AuthorizationSerializer

    return AuthorizationSerializer(authorization).data
