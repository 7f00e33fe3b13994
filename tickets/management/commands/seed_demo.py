"""Demo data for a laptop, a demo or a benchmark; safe to run again.

Every demo record has a predictable identity (``customer17@demo.shop``,
part ``DEMO-00017``...), so a second run with the same numbers adds nothing
and a run with larger numbers adds only the difference. Rows are written with
bulk inserts in batches; all demo users share one password hash (hashing a
password per user would take most of the time).
"""

import datetime
import random
import sys
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from accounts.models import Role, User
from customers.models import Customer
from inventory.models import Part
from mechanic_shop.api import response_cache
from mechanics.models import Mechanic
from tickets.models import (
    InvoiceCounter,
    LaborLine,
    Payment,
    PaymentMethod,
    ServiceTicket,
    TicketMechanic,
    TicketPart,
)
from tickets.totals import ZERO, compute_totals, labor_line_total
from tickets.workflow import Status
from vehicles.models import Vehicle

DEMO_PASSWORD = "demo-pass-2024"
DEMO_DOMAIN = "demo.shop"
ADMIN_EMAIL = f"admin@{DEMO_DOMAIN}"
BATCH = 5_000
VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"

FIRST = [
    "Ana",
    "Ben",
    "Carla",
    "Dev",
    "Elif",
    "Femi",
    "Grace",
    "Hugo",
    "Ines",
    "Jon",
    "Kai",
    "Lena",
    "Marco",
    "Nia",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sam",
    "Tariq",
    "Uma",
    "Vera",
    "Wes",
    "Ximena",
    "Yusuf",
    "Zoe",
]
LAST = [
    "Alvarez",
    "Brown",
    "Chen",
    "Dubois",
    "Evans",
    "Fischer",
    "Garcia",
    "Hughes",
    "Ito",
    "Jensen",
    "Kowalski",
    "Lopez",
    "Martin",
    "Nguyen",
    "Okafor",
    "Patel",
    "Rossi",
    "Silva",
    "Tanaka",
    "Usman",
    "Varga",
    "Walker",
    "Young",
    "Zimmer",
]
PARTS = [
    ("Oil filter", "8.99"),
    ("Air filter", "14.50"),
    ("Cabin filter", "17.25"),
    ("Brake pads (front)", "54.00"),
    ("Brake pads (rear)", "48.00"),
    ("Brake rotor", "72.40"),
    ("Spark plug", "6.75"),
    ("Wiper blade", "11.20"),
    ("Serpentine belt", "33.90"),
    ("Battery 12V", "139.00"),
    ("Headlight bulb", "12.60"),
    ("Coolant 1L", "9.80"),
    ("Synthetic oil 1L", "11.40"),
    ("Timing belt kit", "189.00"),
    ("Alternator", "245.00"),
    ("Starter motor", "210.00"),
    ("Thermostat", "27.30"),
    ("Water pump", "96.50"),
    ("Fuel filter", "22.10"),
    ("Tie rod end", "38.75"),
]
CARS = [
    ("Toyota", "Corolla"),
    ("Honda", "Civic"),
    ("Ford", "F-150"),
    ("Volkswagen", "Golf"),
    ("Subaru", "Outback"),
    ("Chevrolet", "Malibu"),
    ("Nissan", "Leaf"),
    ("Mazda", "CX-5"),
    ("Hyundai", "Tucson"),
    ("Kia", "Sportage"),
    ("BMW", "320i"),
    ("Tesla", "Model 3"),
]
# Work recent enough to still be open; older tickets are mostly paid.
RECENT_DAYS = 14
RECENT_STATUSES = [
    Status.ESTIMATE,
    Status.APPROVED,
    Status.IN_PROGRESS,
    Status.COMPLETED,
    Status.INVOICED,
    Status.PAID,
    Status.CANCELLED,
]
OLD_STATUSES = [Status.PAID] * 17 + [Status.INVOICED, Status.CANCELLED, Status.CANCELLED]
BILLED = {Status.INVOICED, Status.PAID}
DONE = {Status.COMPLETED, Status.INVOICED, Status.PAID}
JOBS = [
    "Oil change",
    "Brake inspection and pads",
    "Check engine light diagnosis",
    "Timing belt replacement",
    "Battery replacement",
    "Coolant flush",
    "Tire rotation",
    "Alternator replacement",
    "Pre-purchase inspection",
    "A/C recharge",
    "Suspension noise diagnosis",
    "Annual service",
]


def demo_vin(n: int) -> str:
    chars = []
    for _ in range(17):
        n, r = divmod(n, len(VIN_CHARS))
        chars.append(VIN_CHARS[r])
    return "".join(reversed(chars))


class Command(BaseCommand):
    help = "Create demo customers, mechanics, parts and service tickets (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=50)
        parser.add_argument("--mechanics", type=int, default=8)
        parser.add_argument("--parts", type=int, default=40)
        parser.add_argument("--tickets", type=int, default=300)
        parser.add_argument(
            "--seed", type=int, default=2024, help="Random seed (same data each run)."
        )
        parser.add_argument(
            "--quiet-logins", action="store_true", help="Do not print the demo logins."
        )

    def handle(self, *args, **opts):
        for name in ("customers", "mechanics", "parts", "tickets"):
            if opts[name] < 0:
                self.stderr.write(f"--{name} must be 0 or more")
                sys.exit(2)
        self.rng = random.Random(opts["seed"])
        self.password_hash = make_password(DEMO_PASSWORD)
        with transaction.atomic():
            self._admin()
            customers = self._people(Customer, Role.CUSTOMER, "customer", opts["customers"])
            mechanics = self._people(Mechanic, Role.MECHANIC, "mechanic", opts["mechanics"])
            parts = self._parts(opts["parts"])
            vehicles = self._vehicles(customers)
        self._tickets(opts["tickets"], customers, vehicles, mechanics, parts)
        response_cache.bump("inventory", "mechanics", "popular")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(customers)} customers, {len(mechanics)} mechanics, "
                f"{len(parts)} parts, {self._demo_tickets().count()} tickets."
            )
        )
        if not opts["quiet_logins"]:
            self._print_logins(customers, mechanics)

    # -- people and parts -------------------------------------------------

    def _admin(self):
        if not User.objects.filter(email=ADMIN_EMAIL).exists():
            User.objects.create(
                email=ADMIN_EMAIL,
                password=self.password_hash,
                role=Role.ADMIN,
                is_staff=True,
                is_superuser=True,
            )

    def _people(self, model, role, prefix, count):
        emails = [f"{prefix}{i}@{DEMO_DOMAIN}" for i in range(1, count + 1)]
        existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
        new_users = [
            User(email=email, password=self.password_hash, role=role)
            for email in emails
            if email not in existing
        ]
        User.objects.bulk_create(new_users, batch_size=BATCH)
        users = User.objects.filter(email__in=emails).order_by("id")
        have_profile = set(model.objects.filter(user__in=users).values_list("user_id", flat=True))
        profiles = []
        for i, user in enumerate(users, start=1):
            if user.pk in have_profile:
                continue
            fields = {
                "user": user,
                "name": f"{FIRST[i % len(FIRST)]} {LAST[(i * 7) % len(LAST)]}",
                "phone": f"555-{1000 + i % 9000:04d}",
            }
            if model is Mechanic:
                fields["salary"] = Decimal(42000 + self.rng.randrange(0, 30000, 500))
            profiles.append(model(**fields))
        model.objects.bulk_create(profiles, batch_size=BATCH)
        return list(model.objects.filter(user__email__in=emails).order_by("id"))

    def _parts(self, count):
        numbers = [f"DEMO-{i:05d}" for i in range(1, count + 1)]
        existing = set(
            Part.objects.filter(part_number__in=numbers).values_list("part_number", flat=True)
        )
        new = []
        for i, number in enumerate(numbers):
            if number in existing:
                continue
            name, price = PARTS[i % len(PARTS)]
            if i >= len(PARTS):
                name = f"{name} #{i // len(PARTS) + 1}"
            new.append(
                Part(
                    name=name,
                    part_number=number,
                    price=Decimal(price),
                    quantity_in_stock=self.rng.randint(0, 60),
                    reorder_level=self.rng.choice([2, 5, 10]),
                )
            )
        Part.objects.bulk_create(new, batch_size=BATCH)
        return list(Part.objects.filter(part_number__in=numbers).order_by("id"))

    def _vehicles(self, customers):
        """One or two vehicles per demo customer, with predictable VINs."""
        wanted = {}
        for i, customer in enumerate(customers):
            for k in range(1 + i % 2):
                make, model = CARS[(i + k) % len(CARS)]
                wanted[demo_vin(2 * customer.pk + k)] = Vehicle(
                    customer=customer,
                    vin=demo_vin(2 * customer.pk + k),
                    make=make,
                    model=model,
                    year=2008 + (i * 3 + k) % 17,
                    license_plate=f"DEMO{customer.pk:04d}{k}",
                    mileage=20_000 + (i * 7919 + k * 104_729) % 150_000,
                )
        existing = set(Vehicle.objects.filter(vin__in=wanted).values_list("vin", flat=True))
        Vehicle.objects.bulk_create(
            [v for vin, v in wanted.items() if vin not in existing], batch_size=BATCH
        )
        by_customer = {}
        for vehicle in Vehicle.objects.filter(vin__in=wanted).order_by("id"):
            by_customer.setdefault(vehicle.customer_id, []).append(vehicle)
        return by_customer

    # -- tickets ------------------------------------------------------------

    def _demo_tickets(self):
        return ServiceTicket.objects.filter(customer__user__email__endswith=f"@{DEMO_DOMAIN}")

    def _tickets(self, wanted, customers, vehicles, mechanics, parts):
        have = self._demo_tickets().count()
        missing = wanted - have
        if missing <= 0 or not customers:
            return
        today = datetime.date.today()
        bar = tqdm(
            total=missing,
            desc="tickets",
            unit="ticket",
            file=sys.stderr,
            disable=missing < 5_000 or None,
        )
        created = 0
        while created < missing:
            size = min(BATCH, missing - created)
            self._ticket_batch(have + created, size, today, customers, vehicles, mechanics, parts)
            created += size
            bar.update(size)
        bar.close()

    @transaction.atomic
    def _ticket_batch(self, start, size, today, customers, vehicles, mechanics, parts):
        """``size`` tickets with their mechanics, part and labor lines,
        totals, invoice numbers and payments, in bulk inserts."""
        rng = self.rng
        now = timezone.now()
        rate = settings.SHOP_LABOR_RATE
        tickets, plans = [], []
        for n in range(start, start + size):
            customer = customers[rng.randrange(len(customers))]
            vehicle = rng.choice(vehicles[customer.pk])
            age = rng.randrange(0, 3 * 365)
            if n < len(RECENT_STATUSES):  # the first tickets cover every status
                status, age = RECENT_STATUSES[n], n
            elif age < RECENT_DAYS:
                status = rng.choice(RECENT_STATUSES)
            else:
                status = rng.choice(OLD_STATUSES)
            crew = (
                rng.sample(mechanics, k=min(len(mechanics), rng.choice([1, 1, 2])))
                if mechanics
                else []
            )
            lines = {}
            if status != Status.CANCELLED:  # a cancelled ticket gave its parts back
                for part in rng.sample(parts, k=min(len(parts), rng.choice([0, 1, 1, 2, 3]))):
                    lines[part] = rng.randint(1, 4)
            labor = [
                (mechanic, JOBS[rng.randrange(len(JOBS))], Decimal(rng.randrange(2, 17)) / 4)
                for mechanic in crew[: rng.choice([1, 1, 2])]
            ]
            discount = ("percent", Decimal("10.00")) if rng.random() < 0.1 else ("none", ZERO)
            totals = compute_totals(
                parts_total=sum((p.price * q for p, q in lines.items()), ZERO),
                labor_total=sum((labor_line_total(h, rate) for _, _, h in labor), ZERO),
                discount_type=discount[0],
                discount_value=discount[1],
                parts_tax_rate=settings.SHOP_PARTS_TAX_RATE,
                labor_tax_rate=settings.SHOP_LABOR_TAX_RATE,
            )
            service_date = today - datetime.timedelta(days=age)
            closed_at = min(
                now,
                datetime.datetime.combine(service_date, datetime.time(17, 0), tzinfo=datetime.UTC),
            )
            paid = ZERO
            if status == Status.PAID:
                paid = totals.total
            elif status == Status.INVOICED and rng.random() < 0.5:
                paid = (totals.total / 2).quantize(Decimal("0.01"))
            tickets.append(
                ServiceTicket(
                    customer=customer,
                    vehicle=vehicle,
                    vin=vehicle.vin,
                    status=status,
                    service_date=service_date,
                    service_desc=JOBS[rng.randrange(len(JOBS))],
                    discount_type=discount[0],
                    discount_value=discount[1],
                    parts_total=totals.parts_total,
                    labor_total=totals.labor_total,
                    discount=totals.discount,
                    parts_tax=totals.parts_tax,
                    labor_tax=totals.labor_tax,
                    tax=totals.tax,
                    total=totals.total,
                    amount_paid=paid,
                    balance_due=totals.total - paid,
                    completed_at=closed_at if status in DONE else None,
                    invoiced_at=closed_at if status in BILLED else None,
                    paid_at=closed_at if status == Status.PAID else None,
                )
            )
            plans.append((crew, lines, labor, paid))
        self._number_invoices(tickets)
        ServiceTicket.objects.bulk_create(tickets, batch_size=BATCH)
        if tickets[0].pk is None:  # a database that cannot return ids from a bulk insert
            raise RuntimeError("seed_demo needs a database that returns ids from bulk inserts")
        assignments, part_lines, labor_lines, payments = [], [], [], []
        methods = PaymentMethod.values
        for ticket, (crew, lines, labor, paid) in zip(tickets, plans, strict=True):
            assignments += [TicketMechanic(ticket=ticket, mechanic=m) for m in crew]
            part_lines += [
                TicketPart(ticket=ticket, part=part, quantity=qty, unit_price=part.price)
                for part, qty in lines.items()
            ]
            labor_lines += [
                LaborLine(
                    ticket=ticket,
                    mechanic=m,
                    description=job,
                    hours=hours,
                    rate=rate,
                    line_total=labor_line_total(hours, rate),
                )
                for m, job, hours in labor
            ]
            if paid > ZERO:
                payments.append(Payment(ticket=ticket, amount=paid, method=rng.choice(methods)))
        TicketMechanic.objects.bulk_create(assignments, batch_size=BATCH)
        TicketPart.objects.bulk_create(part_lines, batch_size=BATCH)
        LaborLine.objects.bulk_create(labor_lines, batch_size=BATCH)
        Payment.objects.bulk_create(payments, batch_size=BATCH)

    def _number_invoices(self, tickets):
        """Give the batch's billed tickets the next invoice numbers, under
        the same counter lock the invoice service takes."""
        billed = sorted((t for t in tickets if t.status in BILLED), key=lambda t: t.invoiced_at)
        if not billed:
            return
        counter, _ = InvoiceCounter.objects.select_for_update().get_or_create(pk=1)
        for ticket in billed:
            counter.last_number += 1
            ticket.invoice_number = counter.last_number
        counter.save(update_fields=["last_number"])

    def _print_logins(self, customers, mechanics):
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD})")
        self.stdout.write(f"  admin     {ADMIN_EMAIL:<28} POST /auth/login/  (and /admin/)")
        if mechanics:
            self.stdout.write(f"  mechanic  {mechanics[0].user.email:<28} POST /mechanics/login/")
        if customers:
            self.stdout.write(f"  customer  {customers[0].user.email:<28} POST /customers/login/")
