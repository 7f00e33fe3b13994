"""The vehicle a ticket is for, and its odometer readings."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError

from customers.models import Customer
from vehicles.models import Vehicle
from vehicles.services import vehicle_create

from ..models import ServiceTicket


def ticket_vehicle_check(
    *, customer: Customer, vehicle: Vehicle | None, vin: str | None
) -> Vehicle | None:
    """Check that a ticket of ``customer`` may be for this vehicle or VIN;
    answer the registered vehicle (None for a VIN the shop has never seen).
    Raises ValidationError on ``vehicle_id`` or ``vin``."""
    if vehicle is not None:
        if vehicle.customer_id != customer.pk:
            raise ValidationError({"vehicle_id": ["This vehicle belongs to another customer."]})
        if vin and vin != vehicle.vin:
            raise ValidationError({"vin": ["The VIN does not match the vehicle."]})
        return vehicle
    if not vin:
        raise ValidationError({"vin": ["Give the vehicle's VIN or vehicle_id."]})
    existing = Vehicle.objects.filter(vin=vin).first()
    if existing is not None and existing.customer_id != customer.pk:
        raise ValidationError({"vin": ["This VIN is registered to another customer."]})
    return existing


def resolve_vehicle(*, customer: Customer, vehicle: Vehicle | None, vin: str | None) -> Vehicle:
    """The vehicle a ticket is for: the one named, or the customer's vehicle
    with that VIN, registered on the spot when the shop has never seen it."""
    existing = ticket_vehicle_check(customer=customer, vehicle=vehicle, vin=vin)
    if existing is not None:
        return existing
    try:
        return vehicle_create(customer=customer, vin=vin)  # its vehicle.created event too
    except ValidationError:  # registered meanwhile by a concurrent request
        existing = Vehicle.objects.filter(vin=vin).first()
        if existing is None:
            raise
    if existing.customer_id != customer.pk:
        raise ValidationError({"vin": ["This VIN is registered to another customer."]})
    return existing


def ticket_mileage_check(
    ticket: ServiceTicket, fields: Iterable[str] = ("mileage_in", "mileage_out")
) -> None:
    """Odometer readings (the ``fields`` being set) never go below the
    vehicle's last recorded value, and out is never below in. Raises
    ValidationError on the field."""
    recorded = ticket.vehicle.mileage if ticket.vehicle_id else 0
    errors = {}
    if "mileage_in" in fields and ticket.mileage_in is not None and ticket.mileage_in < recorded:
        errors["mileage_in"] = [f"Below the vehicle's last recorded mileage ({recorded})."]
    if "mileage_out" in fields and ticket.mileage_out is not None:
        if ticket.mileage_out < recorded:
            errors["mileage_out"] = [f"Below the vehicle's last recorded mileage ({recorded})."]
    if ticket.mileage_out is not None and ticket.mileage_in is not None:
        if ticket.mileage_out < ticket.mileage_in and "mileage_out" not in errors:
            errors["mileage_out"] = [f"Below the mileage in ({ticket.mileage_in})."]
    if errors:
        raise ValidationError(errors)
