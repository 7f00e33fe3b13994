"""factory_boy factories for every model; the password of every user is
``PASSWORD``."""

import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from accounts.models import Role, User
from canned_jobs.models import CannedJob, CannedJobLabor, CannedJobPart
from customers.models import Customer
from inventory.models import Part
from mechanics.models import Mechanic
from shop.selectors import shop_settings
from tickets.models import Payment, ServiceTicket, TicketMechanic
from vehicles.models import Vehicle

PASSWORD = "correct-horse-battery-staple"
VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"


def make_vin(n: int) -> str:
    """A valid, distinct VIN for each n."""
    digits = []
    for _ in range(17):
        n, r = divmod(n, len(VIN_CHARS))
        digits.append(VIN_CHARS[r])
    return "".join(reversed(digits))


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    role = Role.CUSTOMER
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class AdminFactory(UserFactory):
    email = factory.Sequence(lambda n: f"admin{n}@example.com")
    role = Role.ADMIN
    is_staff = True
    is_superuser = True


class CustomerFactory(DjangoModelFactory):
    class Meta:
        model = Customer

    user = factory.SubFactory(
        UserFactory,
        role=Role.CUSTOMER,
        email=factory.Sequence(lambda n: f"customer{n}@example.com"),
    )
    name = factory.Sequence(lambda n: f"Customer {n:04d}")
    phone = "555-0100"


class MechanicFactory(DjangoModelFactory):
    class Meta:
        model = Mechanic

    user = factory.SubFactory(
        UserFactory,
        role=Role.MECHANIC,
        email=factory.Sequence(lambda n: f"mechanic{n}@example.com"),
    )
    name = factory.Sequence(lambda n: f"Mechanic {n:04d}")
    phone = "555-0200"
    salary = "52000.00"


class PartFactory(DjangoModelFactory):
    class Meta:
        model = Part

    name = factory.Sequence(lambda n: f"Part {n:04d}")
    part_number = factory.Sequence(lambda n: f"PN-{n:05d}")
    price = "10.00"
    quantity_in_stock = 10
    reorder_level = 2


class ServiceTicketFactory(DjangoModelFactory):
    class Meta:
        model = ServiceTicket
        skip_postgeneration_save = True

    customer = factory.SubFactory(CustomerFactory)
    vin = factory.Sequence(lambda n: make_vin(n + 1000))
    service_date = factory.Sequence(
        lambda n: datetime.date(2026, 1, 1) + datetime.timedelta(days=n % 300)
    )
    service_desc = "Oil change and brake inspection"
    # Priced at the shop's rates of now, as tickets.services.ticket_create does.
    parts_tax_rate = factory.LazyFunction(lambda: shop_settings().parts_tax_rate)
    labor_tax_rate = factory.LazyFunction(lambda: shop_settings().labor_tax_rate)

    @factory.post_generation
    def mechanics(obj, create, extracted, **kwargs):
        if create and extracted:
            for mechanic in extracted:
                TicketMechanic.objects.create(ticket=obj, mechanic=mechanic)


class VehicleFactory(DjangoModelFactory):
    class Meta:
        model = Vehicle

    customer = factory.SubFactory(CustomerFactory)
    vin = factory.Sequence(lambda n: make_vin(n + 500_000))
    make = "Toyota"
    model = "Corolla"
    year = 2018
    license_plate = factory.Sequence(lambda n: f"PLT{n:04d}")
    mileage = 50_000


class CannedJobFactory(DjangoModelFactory):
    """A canned job. ``labor`` (``{"description", "hours", "rate"}`` items)
    and ``parts`` (``{"part", "quantity"}`` items) give it lines, in order."""

    class Meta:
        model = CannedJob
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Canned job {n:04d}")
    description = "Front brake pads and rotors"

    @factory.post_generation
    def labor(obj, create, extracted, **kwargs):
        if create and extracted:
            CannedJobLabor.objects.bulk_create(
                CannedJobLabor(canned_job=obj, position=position, **item)
                for position, item in enumerate(extracted, start=1)
            )

    @factory.post_generation
    def parts(obj, create, extracted, **kwargs):
        if create and extracted:
            CannedJobPart.objects.bulk_create(
                CannedJobPart(canned_job=obj, position=position, **item)
                for position, item in enumerate(extracted, start=1)
            )


class PaymentFactory(DjangoModelFactory):
    """A payment row as it is stored (the services check the ticket is
    invoiced and the amount within its balance; this does not)."""

    class Meta:
        model = Payment

    ticket = factory.SubFactory(ServiceTicketFactory)
    amount = Decimal("25.00")
    method = "cash"
