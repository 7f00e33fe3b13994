from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from customers.models import Customer
from events.representations import vehicle_data
from events.services import event_record
from mechanic_shop.errors import Conflict

from .models import Vehicle

VIN_TAKEN = {"vin": ["A vehicle with this VIN is already registered."]}


def vehicle_create(
    *,
    customer: Customer,
    vin: str,
    make: str = "",
    model: str = "",
    year: int | None = None,
    license_plate: str = "",
    mileage: int = 0,
) -> Vehicle:
    vehicle = Vehicle(
        customer=customer,
        vin=vin,
        make=make,
        model=model,
        year=year,
        license_plate=license_plate,
        mileage=mileage,
    )
    try:
        with transaction.atomic():
            vehicle.save()
            event_record(type="vehicle.created", resource=vehicle, data=vehicle_data(vehicle))
    except IntegrityError:
        raise ValidationError(VIN_TAKEN)
    return vehicle


def vehicle_update(*, vehicle: Vehicle, **changes) -> Vehicle:
    """Edit a vehicle. The odometer never goes backwards (400); moving a
    vehicle to another customer (it was sold) keeps its ticket history."""
    try:
        with transaction.atomic():
            locked = Vehicle.objects.select_for_update().get(pk=vehicle.pk)
            if "mileage" in changes and changes["mileage"] < locked.mileage:
                raise ValidationError(
                    {"mileage": [f"Below the last recorded mileage ({locked.mileage})."]}
                )
            for field, value in changes.items():
                setattr(locked, field, value)
            locked.save()
    except IntegrityError:
        raise ValidationError(VIN_TAKEN)
    return locked


@transaction.atomic
def vehicle_delete(*, vehicle: Vehicle) -> None:
    """A vehicle with tickets stays: they are its history (409)."""
    if vehicle.tickets.exists():
        raise Conflict("This vehicle has service tickets; its history is kept.")
    vehicle.delete()
