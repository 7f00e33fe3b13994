"""Demo data for a laptop, a demo or a benchmark; safe to run again.

Every demo record has a predictable identity (``customer17@demo.shop``,
part ``DEMO-00017``...), so a second run with the same numbers adds nothing
and a run with larger numbers adds only the difference. Rows are written with
bulk inserts in batches; all demo users share one password hash (hashing a
password per user would take most of the time).
"""

import datetime
import json
import queue
import random
import sys
import threading
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone
from tqdm import tqdm

from accounts.models import Role, User
from appointments.demo import seed_appointments
from customers.models import Customer
from inventory.models import Part
from mechanic_shop.api import response_cache
from mechanics.models import Mechanic
from shop.selectors import shop_settings
from tickets.models import (
    COMPUTED_MONEY_FIELDS,
    DEFAULT_JOB_TITLE,
    Authorization,
    AuthorizationMethod,
    InvoiceCounter,
    Job,
    JobStatus,
    LaborLine,
    Payment,
    PaymentMethod,
    Recommendation,
    ServiceTicket,
    TicketMechanic,
    TicketPart,
)
from tickets.selectors import TICKET_COUNTS, TICKETS
from tickets.services import mechanic_ticket_count_add
from tickets.totals import ZERO, compute_totals, labor_line_total
from tickets.workflow import Status
from timeclock.demo import seed_clocked_time
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
HISTORY_DAYS = 3 * 365
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
# Statuses past the customer's approval: the ticket's job is approved.
AUTHORIZED = {Status.APPROVED, Status.IN_PROGRESS, *DONE}
JOB_COLUMNS = (
    "id",
    "ticket",
    "title",
    "status",
    "position",
    "declined_reason",
    "created_at",
    "updated_at",
)
AUTHORIZATION_COLUMNS = (
    "ticket", "method", "approved_job_ids", "declined_job_ids", "authorized_amount",
    "declined_reason", "created_at", "signed_name", "note", "user_agent",
)  # fmt: skip
RECOMMENDATION_COLUMNS = (
    "vehicle", "ticket", "job", "title", "reason", "amount", "parts", "labor", "status",
    "dismissed_reason", "created_at", "updated_at",
)  # fmt: skip
DECLINE_REASON = "Not this visit"
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


# The columns of a seeded ticket row, in order: every concrete field of the
# model. Command._ticket_batch gives the values; a field it does not name
# takes the model's default (a required field without one stops the seeding
# with a KeyError naming it).
TICKET_COLUMNS = tuple(field.name for field in ServiceTicket._meta.concrete_fields)
TICKET_DEFAULTS = {
    field.name: field.get_default()
    for field in ServiceTicket._meta.concrete_fields
    if field.has_default() or field.null
}


@dataclass
class _Batch:
    """A planned batch: ticket rows, and line rows that name their ticket by
    its offset in ``rows`` until the ids are known."""

    rows: list
    now: object
    assignments: list = field(default_factory=list)
    jobs: list = field(default_factory=list)
    authorizations: list = field(default_factory=list)
    recommendations: list = field(default_factory=list)
    part_lines: list = field(default_factory=list)
    labor_lines: list = field(default_factory=list)
    payments: list = field(default_factory=list)


class _Adapter:
    """Dates and times as the database takes them, each converted once."""

    def __init__(self, now: datetime.datetime, ops):
        self._now = now
        self._ops = ops
        self.now = ops.adapt_datetimefield_value(now)
        self._dates: dict = {}
        self._closed: dict = {}

    def date(self, day: datetime.date):
        value = self._dates.get(day)
        if value is None:
            value = self._dates[day] = self._ops.adapt_datefield_value(day)
        return value

    def closed_at(self, day: datetime.date):
        """Work on a day closes at 17:00 UTC (or now, for today's)."""
        value = self._closed.get(day)
        if value is None:
            moment = min(
                self._now, datetime.datetime.combine(day, datetime.time(17, 0), tzinfo=datetime.UTC)
            )
            value = self._closed[day] = self._ops.adapt_datetimefield_value(moment)
        return value


def _job_ids(first_job_id: int, offsets: list[int]) -> str:
    return json.dumps([first_job_id + offset for offset in offsets])


def _recommended(items, rate) -> tuple:
    """A declined job's (amount, parts JSON, labor JSON), as
    tickets.services.recommendations.recommend keeps them."""
    parts = [
        {"part_id": p.pk, "name": p.name, "quantity": q, "unit_price": str(p.price)}
        for kind, p, q, *_ in items
        if kind == "part"
    ]
    labor = [
        {"mechanic_id": m, "description": d, "hours": f"{h:.2f}", "rate": str(rate)}
        for kind, m, d, h in (i for i in items if i[0] == "labor")
    ]
    amount = sum((p.price * q for kind, p, q, *_ in items if kind == "part"), ZERO)
    amount += sum((labor_line_total(i[3], rate) for i in items if i[0] == "labor"), ZERO)
    return amount, json.dumps(parts), json.dumps(labor)


def _insert(model, fields, rows) -> None:
    """Multi-row INSERTs of ``rows`` (tuples in the order of ``fields``)."""
    if not rows:
        return
    columns = [model._meta.get_field(name).column for name in fields]
    quote = connection.ops.quote_name
    # Names from the models' metadata; every value a query parameter, or on
    # MySQL/MariaDB a literal escaped by the driver (_mysql_values).
    table, names = quote(model._meta.db_table), ", ".join(quote(c) for c in columns)
    head = f"INSERT INTO {table} ({names}) VALUES "  # noqa: S608
    with connection.cursor() as cursor:
        if connection.vendor == "mysql":
            for start in range(0, len(rows), MYSQL_ROWS_PER_INSERT):
                chunk = rows[start : start + MYSQL_ROWS_PER_INSERT]
                cursor.execute(head.encode() + _mysql_values(chunk))
            return
        cursor.executemany(head + f"({', '.join(['%s'] * len(columns))})", rows)


# Rows per INSERT statement on MySQL/MariaDB: about 1 MB, well under the
# server's max_allowed_packet (16 MB by default).
MYSQL_ROWS_PER_INSERT = 2_000


def _mysql_values(rows) -> bytes:
    """``(v, ...), (v, ...)`` for a multi-row INSERT, every value escaped by
    the driver (``literal``: the same escaping as a query parameter), once
    per distinct value of a column: a million tickets repeat their statuses,
    days, prices and descriptions, and escaping each of their fifty million
    values one by one took most of the seeding's time. Values that compare
    equal in one column (1 and Decimal("1.00")) store the same thing."""
    literal = connection.connection.literal
    rendered = []
    for column in zip(*rows, strict=True):
        if set(map(type, column)) == {int}:  # ids, quantities: nothing to escape
            rendered.append(map(b"%d".__mod__, column))
            continue
        escaped = {value: literal(value) for value in set(column)}
        rendered.append(map(escaped.__getitem__, column))
    return b",".join(b"(" + b",".join(row) + b")" for row in zip(*rendered, strict=True))


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
        # Read once: the batches are planned beside the writing, with no
        # database work of their own.
        self.shop = shop_settings()
        self.password_hash = make_password(DEMO_PASSWORD)
        with transaction.atomic():
            self._admin()
            customers = self._people(Customer, Role.CUSTOMER, "customer", opts["customers"])
            mechanics = self._people(Mechanic, Role.MECHANIC, "mechanic", opts["mechanics"])
            parts = self._parts(opts["parts"])
            vehicles = self._vehicles(customers)
        if self._tickets(opts["tickets"], customers, vehicles, mechanics, parts):
            self._refresh_statistics()
        seed_clocked_time(tickets=self._demo_tickets())
        seed_appointments(vehicles=vehicles)
        response_cache.bump("inventory", "mechanics", "popular", TICKET_COUNTS, TICKETS)
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
            return False
        today = datetime.date.today()
        bar = tqdm(
            total=missing,
            desc="tickets",
            unit="ticket",
            file=sys.stderr,
            disable=missing < 5_000 or None,
        )
        # The next batch is planned (random choices, totals: Python only) in a
        # thread while this one is written: the database works while Python
        # computes, instead of each waiting for the other.
        batches = queue.Queue(maxsize=2)
        stop = threading.Event()
        ops = connection.ops

        def plan_all():
            try:
                created = 0
                while created < missing and not stop.is_set():
                    size = min(BATCH, missing - created)
                    batch = self._plan_batch(
                        have + created, size, wanted, today, customers, vehicles,
                        mechanics, parts, ops,
                    )  # fmt: skip
                    while not stop.is_set():
                        try:
                            batches.put(batch, timeout=0.5)
                            break
                        except queue.Full:
                            continue
                    created += size
                batches.put(None)
            except BaseException as exc:  # handed to the writing thread
                batches.put(exc)

        planner = threading.Thread(target=plan_all, name="seed-planner", daemon=True)
        planner.start()
        try:
            while (batch := batches.get()) is not None:
                if isinstance(batch, BaseException):
                    raise batch
                self._write_batch(batch)
                bar.update(len(batch.rows))
        finally:
            stop.set()
            while planner.is_alive():
                try:
                    batches.get(timeout=0.1)
                except queue.Empty:
                    pass
            planner.join()
            bar.close()
        return True

    def _refresh_statistics(self) -> None:
        """Have the database measure the tables just bulk-loaded. InnoDB
        recounts a table only in the background some time after a tenth of
        it changed: until then the planner may still see the empty table of
        before the load and read every ticket instead of a page through the
        list index. ANALYZE commits implicitly on MySQL, so it only runs
        when the seed is not part of a larger transaction (a test's)."""
        if connection.in_atomic_block:
            return
        models = (
            ServiceTicket, Job, Authorization, Recommendation, TicketMechanic, TicketPart,
            LaborLine, Payment,
        )  # fmt: skip
        tables = [connection.ops.quote_name(m._meta.db_table) for m in models]
        with connection.cursor() as cursor:
            if connection.vendor == "mysql":
                cursor.execute(f"ANALYZE TABLE {', '.join(tables)}")
                cursor.fetchall()
            else:  # SQLite and PostgreSQL take one table per statement
                for table in tables:
                    cursor.execute(f"ANALYZE {table}")

    def _plan_batch(
        self, start, size, wanted, today, customers, vehicles, mechanics, parts, ops
    ) -> "_Batch":
        """``size`` tickets as rows (ids and invoice numbers still to come)
        with their mechanics, part and labor lines and payments: no database
        work, so it runs beside the writing."""
        rng = self.rng
        now = timezone.now()
        rate = self.shop.labor_rate
        parts_tax_rate = self.shop.parts_tax_rate
        labor_tax_rate = self.shop.labor_tax_rate
        mechanic_ids = [m.pk for m in mechanics]
        adapt = _Adapter(now, ops)
        rows, plans = [], []
        for n in range(start, start + size):
            customer = customers[rng.randrange(len(customers))]
            vehicle = rng.choice(vehicles[customer.pk])
            # Tickets come in over three years, the later ones more recent (as
            # a shop's do): the indexes on dates then grow at their end.
            age = max(0, HISTORY_DAYS * (wanted - n) // wanted - rng.randrange(0, 3))
            if n < len(RECENT_STATUSES):  # the first tickets cover every status
                status, age = RECENT_STATUSES[n], n
            elif age < RECENT_DAYS:
                status = rng.choice(RECENT_STATUSES)
            else:
                status = rng.choice(OLD_STATUSES)
            crew = (
                rng.sample(mechanic_ids, k=min(len(mechanic_ids), rng.choice([1, 1, 2])))
                if mechanic_ids
                else []
            )
            lines = {}
            if status != Status.CANCELLED:  # a cancelled ticket gave its parts back
                for part in rng.sample(parts, k=min(len(parts), rng.choice([0, 1, 1, 2, 3]))):
                    lines[part] = rng.randint(1, 4)
            labor = [
                (mechanic_id, JOBS[rng.randrange(len(JOBS))], Decimal(rng.randrange(2, 17)) / 4)
                for mechanic_id in crew[: rng.choice([1, 1, 2])]
            ]
            discount = ("percent", Decimal("10.00")) if rng.random() < 0.1 else ("none", ZERO)
            # The work in one to three jobs, the lines dealt out among them;
            # past the estimate all approved, but now and then the last one
            # declined (kept as a recommendation on the vehicle).
            items = [("part", part, qty) for part, qty in lines.items()]
            items += [("labor", m, job, hours) for m, job, hours in labor]
            count = min(max(len(items), 1), 1 if len(items) <= 1 else rng.choice((1, 2, 2, 3)))
            titles = rng.sample(JOBS, count) if count > 1 else [DEFAULT_JOB_TITLE]
            declined = (
                count - 1 if status in AUTHORIZED and count > 1 and rng.random() < 0.3 else None
            )
            job_of = [i % count for i in range(len(items))]
            counted = [item for item, j in zip(items, job_of, strict=True) if j != declined]
            approved = counted if status in AUTHORIZED else []
            totals, authorized = (
                compute_totals(
                    parts_total=sum((i[1].price * i[2] for i in chosen if i[0] == "part"), ZERO),
                    labor_total=sum(
                        (labor_line_total(i[3], rate) for i in chosen if i[0] == "labor"), ZERO
                    ),
                    discount_type=discount[0],
                    discount_value=discount[1],
                    parts_tax_rate=parts_tax_rate,
                    labor_tax_rate=labor_tax_rate,
                )
                for chosen in (counted, approved)
            )
            service_date = today - datetime.timedelta(days=age)
            closed_at = adapt.closed_at(service_date)
            paid = ZERO
            if status == Status.PAID:
                paid = totals.total
            elif status == Status.INVOICED and rng.random() < 0.5:
                paid = (totals.total / 2).quantize(Decimal("0.01"))
            row = {
                "id": None,  # below
                "customer": customer.pk,
                "vehicle": vehicle.pk,
                "vin": vehicle.vin,
                "status": status,
                "mileage_in": None,
                "mileage_out": None,
                "declined_reason": "",
                "service_date": adapt.date(service_date),
                "service_desc": JOBS[rng.randrange(len(JOBS))],
                "discount_type": discount[0],
                "discount_value": discount[1],
                "parts_tax_rate": parts_tax_rate,
                "labor_tax_rate": labor_tax_rate,
                **{name: getattr(totals, name) for name in COMPUTED_MONEY_FIELDS},
                "authorized_total": authorized.total,
                "amount_paid": paid,
                "balance_due": totals.total - paid,
                "invoice_number": None,  # below
                "completed_at": closed_at if status in DONE else None,
                "invoiced_at": closed_at if status in BILLED else None,
                "paid_at": closed_at if status == Status.PAID else None,
                "created_at": adapt.now,
                "updated_at": adapt.now,
            }
            row = {**TICKET_DEFAULTS, **row}
            rows.append([row[name] for name in TICKET_COLUMNS])
            plans.append((crew, items, job_of, titles, declined, paid, status, vehicle, closed_at))
        methods = PaymentMethod.values
        batch = _Batch(rows=rows, now=adapt.now)
        ways = AuthorizationMethod.values[:5]  # what staff and customers record
        for offset, (
            crew,
            items,
            job_of,
            titles,
            declined,
            paid,
            status,
            vehicle,
            closed_at,
        ) in enumerate(plans):
            first_job = len(batch.jobs)  # the jobs' offsets in the batch
            for position, title in enumerate(titles):
                if position == declined:
                    job_status = JobStatus.DECLINED
                elif status in AUTHORIZED:
                    job_status = JobStatus.APPROVED
                else:
                    job_status = JobStatus.PENDING
                reason = DECLINE_REASON if position == declined else ""
                batch.jobs.append(
                    (first_job + position, offset, title, job_status, position, reason, adapt.now,
                     adapt.now)
                )  # fmt: skip
            batch.assignments += [(offset, m, adapt.now) for m in crew]
            for item, j in zip(items, job_of, strict=True):
                if item[0] == "part":
                    _, part, qty = item
                    batch.part_lines.append(
                        (offset, first_job + j, part.pk, qty, part.price, adapt.now, adapt.now)
                    )
                else:
                    _, m, job, hours = item
                    batch.labor_lines.append(
                        (offset, first_job + j, m, job, hours, rate, labor_line_total(hours, rate),
                         adapt.now, adapt.now)
                    )  # fmt: skip
            if status in AUTHORIZED:
                approved = [first_job + j for j in range(len(titles)) if j != declined]
                refused = [] if declined is None else [first_job + declined]
                amount = batch.rows[offset][TICKET_COLUMNS.index("authorized_total")]
                batch.authorizations.append(
                    (offset, rng.choice(ways), approved, refused, amount,
                     DECLINE_REASON if refused else "", closed_at)
                )  # fmt: skip
            if declined is not None:
                mine = [item for item, j in zip(items, job_of, strict=True) if j == declined]
                batch.recommendations.append(
                    (vehicle.pk, offset, first_job + declined, titles[declined], mine, closed_at)
                )
            if paid > ZERO:
                batch.payments.append(
                    (offset, paid, rng.choice(methods), "", None, adapt.now, adapt.now)
                )
        return batch

    @transaction.atomic
    def _write_batch(self, batch: "_Batch") -> None:
        """Write a planned batch in one transaction, with multi-row INSERTs
        through the database cursor (``executemany``): building a model
        instance per row and letting bulk_create prepare every value cost ten
        times the inserts themselves. The tickets get their ids here, after
        the table's last id read under a lock (see ``_reserve_ids``), so
        their lines can point at them."""
        first_id = self._reserve_ids(ServiceTicket)
        for offset, row in enumerate(batch.rows):
            row[0] = first_id + offset
        self._number_invoices(batch.rows)
        _insert(ServiceTicket, TICKET_COLUMNS, batch.rows)
        first_job_id = self._reserve_ids(Job)
        _insert(
            Job,
            JOB_COLUMNS,
            [(first_job_id + job, first_id + ticket, *rest) for job, ticket, *rest in batch.jobs],
        )
        _insert(
            Authorization,
            AUTHORIZATION_COLUMNS,
            [
                (first_id + t, method, _job_ids(first_job_id, yes), _job_ids(first_job_id, no),
                 amount, reason, at, "", "", "")
                for t, method, yes, no, amount, reason, at in batch.authorizations
            ],
        )  # fmt: skip
        _insert(
            Recommendation,
            RECOMMENDATION_COLUMNS,
            [
                (vehicle, first_id + t, first_job_id + j, title, DECLINE_REASON,
                 *_recommended(items, self.shop.labor_rate), "open", "", at, at)
                for vehicle, t, j, title, items, at in batch.recommendations
            ],
        )  # fmt: skip

        def with_ids(lines):
            return [(first_id + offset, *rest) for offset, *rest in lines]

        def with_job_ids(lines):
            return [(first_id + t, first_job_id + j, *rest) for t, j, *rest in lines]

        assignments = with_ids(batch.assignments)
        _insert(TicketMechanic, ("ticket", "mechanic", "assigned_at"), assignments)
        # Bulk inserts send no signals: keep the popular ranking's counts.
        mechanic_ticket_count_add(counts=Counter(m for _, m, _ in assignments))
        _insert(
            TicketPart,
            ("ticket", "job", "part", "quantity", "unit_price", "created_at", "updated_at"),
            with_job_ids(batch.part_lines),
        )
        _insert(
            LaborLine,
            (
                "ticket",
                "job",
                "mechanic",
                "description",
                "hours",
                "rate",
                "line_total",
                "created_at",
                "updated_at",
            ),
            with_job_ids(batch.labor_lines),
        )
        _insert(
            Payment,
            ("ticket", "amount", "method", "reference", "received_by", "created_at", "updated_at"),
            with_ids(batch.payments),
        )

    def _reserve_ids(self, model) -> int:
        """The first id of this batch's rows of ``model``: one past the
        table's last, read with a lock on the end of the table (InnoDB locks
        the gap after it; SQLite has one writer at a time), so no other
        insert can take these ids before the batch commits."""
        last = model.objects.order_by("-pk").values_list("pk", flat=True)
        if connection.features.has_select_for_update:
            last = last.select_for_update()
        return (last.first() or 0) + 1

    def _number_invoices(self, rows):
        """Give the batch's billed tickets the next invoice numbers, in the
        order they were invoiced, under the same counter lock the invoice
        service takes."""
        status, invoice_number, invoiced_at = (
            TICKET_COLUMNS.index(name) for name in ("status", "invoice_number", "invoiced_at")
        )
        billed = sorted(
            (row for row in rows if row[status] in BILLED), key=lambda row: row[invoiced_at]
        )
        if not billed:
            return
        counter, _ = InvoiceCounter.objects.select_for_update().get_or_create(pk=1)
        for row in billed:
            counter.last_number += 1
            row[invoice_number] = counter.last_number
        counter.save(update_fields=["last_number"])

    def _print_logins(self, customers, mechanics):
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD})")
        self.stdout.write(f"  admin     {ADMIN_EMAIL:<28} POST /auth/login/  (and /admin/)")
        if mechanics:
            self.stdout.write(f"  mechanic  {mechanics[0].user.email:<28} POST /mechanics/login/")
        if customers:
            self.stdout.write(f"  customer  {customers[0].user.email:<28} POST /customers/login/")
