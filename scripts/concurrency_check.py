"""Concurrency with real server processes: two gunicorn servers (each two
worker processes with four threads) on one MariaDB and one Redis, and a burst
of simultaneous requests split between them. Checks:

* stock: 200 add-part requests (one unit each) against a stock of 50, over
  four tickets -> exactly 50 answered 200 and 150 answered 409; the stock is
  0 and the part lines hold exactly 50 units; each ticket's parts total is
  its units x the price;
* payments: 40 simultaneous payments of an equal share (a quarter, or a
  fifth...) of an invoice's balance -> exactly as many accepted as fit, the
  rest refused; paid == total, balance 0, status paid: never more than the
  total;
* login throttle (5 per minute, per client address and email): 20
  simultaneous attempts -> exactly 5 reach the password check, 15 answer
  429, across both servers;
* idempotency key: 50 simultaneous identical payments with one
  Idempotency-Key -> exactly one payment recorded; every answer is that
  payment (201, the first or its replay) or a 409 "in progress";
* the last bay: two bays, one taken; two simultaneous bookings of the other
  (one per server), five times over, then 20 at once for one slot ->
  exactly one 201 each time, the rest 409 ``no_free_bay``; no instant has
  more active appointments than bays.

    DATABASE_URL=mysql://root@127.0.0.1:3306/shop REDIS_URL=redis://127.0.0.1:6379/5 \\
        .venv/bin/python scripts/concurrency_check.py

Needs MySQL/MariaDB (database ``<name>_srv`` is dropped and created) and
Redis (the database given is flushed): with SQLite or per-process counters
it would prove nothing. Exits 1 when a check fails.
"""

from __future__ import annotations

import json
import math
import os
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

import live_server

# CONCURRENCY_CHECK_PORTS=9811,9812 when those are taken by another run.
PORTS = tuple(int(p) for p in os.environ.get("CONCURRENCY_CHECK_PORTS", "8811,8812").split(","))
PASSWORD = "concurrency-pass-2024"


@dataclass
class Answer:
    status: int
    body: object
    headers: dict = field(default_factory=dict)


def call(
    method: str, url: str, body=None, token: str | None = None, headers: dict | None = None
) -> Answer:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            raw = response.read()
            return Answer(response.status, json.loads(raw) if raw else None, dict(response.headers))
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            return Answer(error.code, json.loads(raw), dict(error.headers))
        except ValueError:
            return Answer(error.code, raw[:200], dict(error.headers))


def burst(requests: list[tuple], workers: int = 48) -> list[Answer]:
    """Send every request at once (as far as threads allow): all threads
    wait at a barrier, then fire."""
    barrier = threading.Barrier(min(workers, len(requests)))

    def fire(args):
        try:
            barrier.wait(timeout=30)
        except threading.BrokenBarrierError:
            pass
        return call(*args)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(fire, requests))


class Checks:
    def __init__(self):
        self.failures: list[str] = []

    def expect(self, label: str, condition: bool, detail: str = "") -> None:
        print(f"  [{'ok' if condition else 'FAIL'}] {label}" + (f"  ({detail})" if detail else ""))
        if not condition:
            self.failures.append(label)


def seed() -> dict:
    from accounts.serializers import tokens_for
    from customers.services import customer_create
    from inventory.services import part_create
    from mechanics.services import mechanic_create
    from tests.factories import make_vin
    from tickets.services import ticket_add_part, ticket_create, ticket_transition

    customer = customer_create(
        name="Carla Concurrent", email="carla@load.test", phone="555-0300", password=PASSWORD
    )
    mechanic = mechanic_create(
        name="Max Mechanic",
        email="max@load.test",
        phone="555-0301",
        salary=Decimal("50000.00"),
        password=PASSWORD,
    )

    def new_ticket(n: int):
        return ticket_create(
            customer=customer,
            vin=make_vin(900 + n),
            service_date="2026-03-01",
            service_desc=f"Load test {n}",
        )

    stocked = part_create(
        name="Brake pad", part_number="LOAD-50", price=Decimal("12.50"), quantity_in_stock=50
    )
    race_tickets = [new_ticket(n) for n in range(4)]

    billed_part = part_create(
        name="Rotor", part_number="LOAD-R", price=Decimal("100.00"), quantity_in_stock=10
    )
    billed = new_ticket(10)
    ticket_add_part(ticket=billed, part=billed_part, quantity=2)
    for action in ("approve", "start", "complete", "invoice"):
        billed = ticket_transition(ticket=billed, action=action)
    return {
        "token": str(tokens_for(mechanic.user).access_token),
        "customer_email": customer.user.email,
        "part": stocked,
        "tickets": race_tickets,
        "billed": billed,
    }


def check_stock(world: dict, urls: list[str], checks: Checks) -> None:
    from inventory.models import Part
    from tickets.models import ServiceTicket, TicketPart

    part, tickets, token = world["part"], world["tickets"], world["token"]
    requests = [
        (
            "POST",
            f"{urls[n % 2]}/service-tickets/{tickets[n % 4].pk}/add-part/{part.pk}/",
            {"quantity": 1},
            token,
        )
        for n in range(200)
    ]
    started = time.monotonic()
    answers = burst(requests)
    statuses = Counter(a.status for a in answers)
    print(f"stock: 200 add-part requests in {time.monotonic() - started:.1f}s -> {dict(statuses)}")
    checks.expect("exactly 50 accepted", statuses[200] == 50, str(statuses[200]))
    checks.expect("the other 150 refused with 409", statuses[409] == 150, str(statuses[409]))
    refusals = [a.body for a in answers if a.status == 409]
    checks.expect(
        "each refusal says insufficient stock",
        all(isinstance(b, dict) and b.get("code") == "insufficient_stock" for b in refusals),
    )
    stock = Part.objects.get(pk=part.pk).quantity_in_stock
    used = sum(TicketPart.objects.filter(part=part).values_list("quantity", flat=True))
    checks.expect("stock is 0 (never negative)", stock == 0, f"stock {stock}")
    checks.expect("exactly 50 units on the tickets", used == 50, f"{used} units")
    for ticket in ServiceTicket.objects.filter(pk__in=[t.pk for t in tickets]):
        units = sum(
            TicketPart.objects.filter(ticket=ticket, part=part).values_list("quantity", flat=True)
        )
        checks.expect(
            f"ticket {ticket.pk}: parts total = {units} x {part.price}",
            ticket.parts_total == units * part.price,
            f"{ticket.parts_total}",
        )


def check_payments(world: dict, urls: list[str], checks: Checks) -> None:
    from tickets.models import Payment, ServiceTicket

    billed, token = world["billed"], world["token"]
    balance = billed.balance_due
    # The smallest split of the balance into equal whole-cent payments (4 to
    # 10 of them), so that the accepted ones pay the invoice exactly.
    parts = next((n for n in range(4, 11) if (balance * 100) % n == 0), 4)
    amount = (balance / parts).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    fit = math.floor(balance / amount)
    requests = [
        (
            "POST",
            f"{urls[n % 2]}/service-tickets/{billed.pk}/payments/",
            {"amount": str(amount), "method": "card"},
            token,
        )
        for n in range(40)
    ]
    answers = burst(requests)
    statuses = Counter(a.status for a in answers)
    print(f"payments: 40 x {amount} against a balance of {balance} -> {dict(statuses)}")
    checks.expect(f"exactly {fit} payments accepted", statuses[201] == fit, str(statuses[201]))
    checks.expect(
        "the rest refused (400 over the balance, 409 already paid)",
        statuses[400] + statuses[409] == 40 - fit,
    )
    stored = ServiceTicket.objects.get(pk=billed.pk)
    paid = sum(Payment.objects.filter(ticket=stored).values_list("amount", flat=True))
    checks.expect("never more than the total", paid <= stored.total, f"{paid} of {stored.total}")
    checks.expect(
        "amount paid = sum of payments", stored.amount_paid == paid, f"{stored.amount_paid}"
    )
    checks.expect(
        "balance = total - paid",
        stored.balance_due == stored.total - paid,
        f"{stored.balance_due}",
    )
    if fit * amount == balance:
        checks.expect("paid in full: status paid", stored.status == "paid", stored.status)


def check_login_throttle(world: dict, urls: list[str], checks: Checks) -> None:
    # The throttle counts per minute: stay clear of a minute's end so the
    # burst cannot straddle two windows.
    if time.time() % 60 > 45:
        time.sleep(61 - time.time() % 60)
    requests = [
        (
            "POST",
            f"{urls[n % 2]}/customers/login/",
            {"email": world["customer_email"], "password": "wrong-password"},
            None,
        )
        for n in range(20)
    ]
    answers = burst(requests)
    statuses = Counter(a.status for a in answers)
    print(f"login throttle: 20 attempts, 5/min allowed -> {dict(statuses)}")
    checks.expect("exactly 5 attempts reach the password check", statuses[401] == 5)
    checks.expect("the other 15 answer 429", statuses[429] == 15, str(statuses[429]))
    per_server = Counter((n % 2, a.status) for n, a in enumerate(answers))
    checks.expect(
        "both servers answered 429 (one shared count)",
        per_server[(0, 429)] > 0 and per_server[(1, 429)] > 0,
        str(dict(per_server)),
    )


def check_idempotent_payment(world: dict, urls: list[str], checks: Checks) -> None:
    from inventory.services import part_create
    from tickets.models import Payment
    from tickets.services import ticket_add_part, ticket_create, ticket_transition

    part = part_create(
        name="Wiper", part_number="LOAD-IK", price=Decimal("40.00"), quantity_in_stock=1
    )
    billed = ticket_create(
        customer=world["billed"].customer,
        vin=world["billed"].vin,
        service_date="2026-03-02",
        service_desc="Idempotency-Key race",
    )
    ticket_add_part(ticket=billed, part=part, quantity=1)
    for action in ("approve", "start", "complete", "invoice"):
        billed = ticket_transition(ticket=billed, action=action)
    key = {"Idempotency-Key": "concurrency-check-payment-1"}
    requests = [
        (
            "POST",
            f"{urls[n % 2]}/service-tickets/{billed.pk}/payments/",
            {"amount": "10.00", "method": "card"},
            world["token"],
            key,
        )
        for n in range(50)
    ]
    answers = burst(requests)
    statuses = Counter(a.status for a in answers)
    replayed = sum(a.headers.get("Idempotent-Replayed") == "true" for a in answers)
    print(
        f"idempotency key: 50 identical payments, one key -> {dict(statuses)}, {replayed} replayed"
    )
    payments = list(Payment.objects.filter(ticket=billed))
    checks.expect("exactly one payment recorded", len(payments) == 1, str(len(payments)))
    ids = {a.body.get("id") for a in answers if a.status == 201 and isinstance(a.body, dict)}
    checks.expect(
        "every 201 is that payment",
        len(payments) == 1 and ids == {payments[0].pk},
        str(ids),
    )
    checks.expect(
        "one answered first, the other 201s replayed",
        statuses[201] >= 1 and replayed == statuses[201] - 1,
        f"{statuses[201]} x 201, {replayed} replayed",
    )
    others = [a for a in answers if a.status != 201]
    checks.expect(
        "the others are 409 in progress",
        all(
            a.status == 409
            and isinstance(a.body, dict)
            and a.body.get("code") == "idempotency_key_in_progress"
            for a in others
        ),
        str(Counter((a.status, str(a.body)[:60]) for a in others)),
    )


# Each check: a function (world, server urls, checks). A new race is one more.
def check_last_bay(world: dict, urls: list[str], checks: Checks) -> None:
    import datetime

    from appointments.capacity import first_full_instant
    from appointments.models import ACTIVE, Appointment
    from appointments.services import appointment_book
    from shop.selectors import shop_settings

    shop = shop_settings()
    shop.bays = 2
    shop.save()
    zone = shop.zone()
    today = datetime.datetime.now(zone).date()
    day = today + datetime.timedelta(days=14 - today.weekday())  # a Monday, open 08-18
    vehicle = world["tickets"][0].vehicle

    def slot(hour: int) -> datetime.datetime:
        return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=zone)

    def booking(n: int, hour: int) -> tuple:
        body = {
            "customer_id": vehicle.customer_id,
            "vehicle_id": vehicle.pk,
            "concern": f"Last bay {hour}:00, try {n}",
            "starts_at": slot(hour).isoformat(),
        }
        return ("POST", f"{urls[n % 2]}/appointments/", body, world["token"])

    rounds = [(hour, 2) for hour in (9, 10, 11, 12, 13)] + [(15, 20)]
    for hour, tries in rounds:
        appointment_book(
            customer=vehicle.customer, vehicle=vehicle, concern="Taken", starts_at=slot(hour)
        )
        answers = burst([booking(n, hour) for n in range(tries)])
        statuses = Counter(a.status for a in answers)
        print(f"last bay at {hour}:00: {tries} simultaneous bookings -> {dict(statuses)}")
        checks.expect(f"{hour}:00: exactly one booked", statuses[201] == 1, str(statuses[201]))
        refusals = [a.body for a in answers if a.status != 201]
        checks.expect(
            f"{hour}:00: the others 409 no_free_bay",
            len(refusals) == tries - 1
            and all(isinstance(b, dict) and b.get("code") == "no_free_bay" for b in refusals),
            str(Counter(str(b)[:60] for b in refusals)),
        )
    stored = list(Appointment.objects.filter(status__in=ACTIVE).values_list("starts_at", "ends_at"))
    # Overbooked: an appointment during which all the bays are taken by others.
    overbooked = [
        (start, end)
        for i, (start, end) in enumerate(stored)
        if first_full_instant(stored[:i] + stored[i + 1 :], start, end, shop.bays) is not None
    ]
    checks.expect(
        f"{len(stored)} appointments stored, never more than {shop.bays} at once",
        len(stored) == 2 * len(rounds) and not overbooked,
        str(overbooked[:3]),
    )


CHECKS = [
    check_stock,
    check_payments,
    check_login_throttle,
    check_idempotent_payment,
    check_last_bay,
]


def main() -> int:
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not database_url.startswith("mysql") or not redis_url.startswith("redis"):
        print(
            "concurrency_check needs DATABASE_URL=mysql://… and REDIS_URL=redis://… "
            "(SQLite and per-process counters would prove nothing).",
            file=sys.stderr,
        )
        return 2
    work = live_server.workdir("concurrency")
    server_url = live_server.fresh_database_url(database_url, "srv", work)
    live_server.flush_redis(redis_url)
    env = live_server.server_environment(
        database_url=server_url,
        redis_url=redis_url,
        THROTTLE_ANON="1000000/min",
        THROTTLE_USER="1000000/min",
        THROTTLE_LOGIN="5/min",
    )
    live_server.use_environment(env)
    world = seed()
    live_server.reset_django_connections()

    checks = Checks()
    servers = [
        live_server.Gunicorn(port=port, env=env, workers=2, threads=4, log=work / f"{port}.log")
        for port in PORTS
    ]
    try:
        for server in servers:
            server.start()
        urls = [server.url for server in servers]
        print(f"servers: {', '.join(urls)} (2 x 2 workers x 4 threads), MariaDB + Redis")
        for check in CHECKS:
            check(world, urls, checks)
            live_server.reset_django_connections()
    finally:
        for server in servers:
            server.stop()
    live_server.drop_database(server_url)
    if checks.failures:
        print(f"\nConcurrency check FAILED: {'; '.join(checks.failures)}", file=sys.stderr)
        for server in servers:
            print(f"--- {server.log}:\n{live_server.tail(server.log)}", file=sys.stderr)
        return 1
    print("\nConcurrency check passed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
