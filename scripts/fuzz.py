"""Schema fuzzing: schemathesis against the API's own /api/schema/, every
operation, once anonymous and once with a token of each role.

For each role: a fresh database (ids start at 1) seeded with two customers
(A owns tickets 1 and 2, B owns ticket 3), two mechanics, an admin and three
parts; a gunicorn server with production settings (``settings.fuzz``: only
the password hasher is faster); then ``st run`` with a fixed seed. Path ids
are drawn half the time from the seeded ids, so operations reach real
objects, and half the time generated.

Checks: no 5xx, and every answer conforms to the schema (declared status
code, content type, body). Any failure exits 1.

    .venv/bin/python scripts/fuzz.py [--seed N] [--max-examples N] [--roles admin,customer]

DATABASE_URL (mysql://…/name: uses name_srv) and REDIS_URL are honoured;
without them, an SQLite file and per-process memory.
"""

from __future__ import annotations

import argparse
import datetime
import os
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import live_server

ROLES = ("anonymous", "customer", "mechanic", "admin")
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
)
PASSWORD = "fuzz-pass-2024-long"
SEEDED_IDS = (1, 2, 3)


def seed() -> dict:
    """Customers A, B and C; mechanics M1 (on ticket 1) and M2; an admin;
    parts 1-3; tickets 1 and 2 of A (1: an estimate with parts and labor
    lines 1-3, 2: invoiced), 3 of B (approved); their vehicles 1-3."""
    from accounts.models import User
    from customers.services import customer_create
    from inventory.services import part_create
    from mechanics.services import mechanic_create
    from tickets.services import (
        ticket_add_labor,
        ticket_add_part,
        ticket_create,
        ticket_transition,
    )

    customer_a = customer_create(
        name="Alice Fuzz", email="a@fuzz.test", phone="555-0101", password=PASSWORD
    )
    customer_b = customer_create(
        name="Bob Fuzz", email="b@fuzz.test", phone="555-0102", password=PASSWORD
    )
    customer_create(name="Cleo Fuzz", email="c@fuzz.test", phone="555-0103", password=PASSWORD)
    mechanic = mechanic_create(
        name="Mo Fuzz",
        email="m1@fuzz.test",
        phone="555-0201",
        salary=Decimal("50000.00"),
        password=PASSWORD,
    )
    mechanic_create(
        name="Mia Fuzz",
        email="m2@fuzz.test",
        phone="555-0202",
        salary=Decimal("51000.00"),
        password=PASSWORD,
    )
    admin = User.objects.create_superuser("admin@fuzz.test", PASSWORD)
    parts = [
        part_create(
            name=f"Part {n}",
            part_number=f"FZ-{n}",
            price=Decimal("12.50") * n,
            quantity_in_stock=stock,
            reorder_level=2,
        )
        for n, stock in ((1, 1000), (2, 5), (3, 0))
    ]
    today = datetime.date(2026, 3, 1)
    tickets = [
        ticket_create(
            customer=owner,
            vin=vin,
            service_date=today,
            service_desc="Brake check",
            mechanics=[mechanic] if n == 0 else [],
        )
        for n, (owner, vin) in enumerate(
            [
                (customer_a, "1HGCM82633A004352"),
                (customer_a, "JH4KA7561PC008269"),
                (customer_b, "WP0ZZZ99ZTS392124"),
            ]
        )
    ]
    ticket_add_part(ticket=tickets[0], part=parts[0], quantity=2)
    for n in range(3):  # labor lines 1-3 on ticket 1
        ticket_add_labor(
            ticket=tickets[0], mechanic=mechanic, description=f"Step {n}", hours=Decimal("1.5")
        )
    # Ticket 2 is invoiced (payments can be taken), ticket 3 approved.
    ticket_add_part(ticket=tickets[1], part=parts[0], quantity=1)
    for action in ("approve", "start", "complete", "invoice"):
        tickets[1] = ticket_transition(ticket=tickets[1], action=action)
    tickets[2] = ticket_transition(ticket=tickets[2], action="approve")
    return {"customer": customer_a.user, "mechanic": mechanic.user, "admin": admin}


def write_config(path) -> None:
    # The router's ids are documented as digit strings, the action's
    # mechanic_id / part_id as integers: one dictionary for each.
    strings = ", ".join(f'"{n}"' for n in SEEDED_IDS)
    numbers = ", ".join(str(n) for n in SEEDED_IDS)
    path.write_text(
        "# Written by scripts/fuzz.py for one run.\n"
        f"[dictionaries.seeded_strings]\nvalues = [{strings}]\n\n"
        f"[dictionaries.seeded_numbers]\nvalues = [{numbers}]\n\n"
        "[parameters]\n"
        '"path.id" = { dictionary = "seeded_strings", probability = 0.5 }\n'
        '"path.mechanic_id" = { dictionary = "seeded_numbers", probability = 0.5 }\n'
        '"path.part_id" = { dictionary = "seeded_numbers", probability = 0.5 }\n'
        '"path.labor_id" = { dictionary = "seeded_numbers", probability = 0.5 }\n'
    )


def run_role(role: str, args, base_env: dict, work) -> int:
    database_url = live_server.fresh_database_url(args.database_url, "srv", work)
    live_server.flush_redis(args.redis_url)
    env = {**base_env, "DATABASE_URL": database_url}
    os.environ.update(env)
    live_server.reset_django_connections()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    users = seed()
    live_server.reset_django_connections()

    config = work / f"schemathesis-{role}.toml"
    write_config(config)
    command = [
        str(live_server.BIN / "st"),
        "--config-file",
        str(config),
        "run",
        f"http://127.0.0.1:{args.port}/api/schema/",
        "--checks",
        ",".join(CHECKS),
        "--phases",
        args.phases,
        "--max-examples",
        str(args.max_examples),
        "--seed",
        str(args.seed),
        "--generation-database",
        "none",
        "--workers",
        "1",
        "--request-timeout",
        "30",
        "--no-color",
        "--suppress-health-check",
        "all",
        "--report",
        "junit",
        "--report-junit-path",
        str(work / f"junit-{role}.xml"),
    ]
    hooks = {}
    if role != "anonymous":  # the role's token, minted again after a 401 (fuzz_auth.py)
        hooks = {
            "SCHEMATHESIS_HOOKS": str(Path(__file__).with_name("fuzz_auth.py")),
            "FUZZ_AUTH_USER_ID": str(users[role].pk),
        }

    log = work / f"gunicorn-{role}.log"
    log.unlink(missing_ok=True)
    print(f"\n==> fuzz as {role} (seed {args.seed}, {args.max_examples} examples)", flush=True)
    started = time.monotonic()
    # gunicorn answers a request line over 4 KiB itself, with an HTML 414,
    # before the app sees it; the fuzzer's long query strings are meant for
    # the app, so that limit is lifted here.
    options = ("--limit-request-line", "0")
    with live_server.Gunicorn(port=args.port, env=env, workers=2, log=log, options=options):
        result = subprocess.run(
            command, cwd=live_server.ROOT, env={**os.environ, **hooks}, check=False
        )
    print(f"<== {role}: exit {result.returncode} in {time.monotonic() - started:.0f}s", flush=True)
    if result.returncode != 0:
        print(f"--- last lines of {log}:\n{live_server.tail(log)}", file=sys.stderr)
    live_server.drop_database(database_url)
    return result.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=int(os.environ.get("FUZZ_SEED", 20240517)))
    parser.add_argument(
        "--max-examples", type=int, default=int(os.environ.get("FUZZ_MAX_EXAMPLES", 30))
    )
    parser.add_argument("--roles", default=",".join(ROLES))
    parser.add_argument("--phases", default="examples,coverage,fuzzing")
    parser.add_argument("--port", type=int, default=8801)
    args = parser.parse_args()
    args.database_url = os.environ.get("DATABASE_URL")
    args.redis_url = os.environ.get("REDIS_URL")
    roles = [role for role in args.roles.split(",") if role]
    unknown = set(roles) - set(ROLES)
    if unknown:
        parser.error(f"unknown roles: {', '.join(sorted(unknown))}")

    work = live_server.workdir("fuzz")
    first_url = live_server.fresh_database_url(args.database_url, "srv", work)
    base_env = live_server.server_environment(
        database_url=first_url,
        redis_url=args.redis_url,
        settings="mechanic_shop.settings.fuzz",
        THROTTLE_ANON="1000000/min",
        THROTTLE_USER="1000000/min",
        THROTTLE_LOGIN="1000000/min",
    )
    live_server.use_environment(base_env, migrate=False)  # each role migrates its own

    failed = [role for role in roles if run_role(role, args, base_env, work) != 0]
    if failed:
        print(f"\nSchema fuzzing FAILED for: {', '.join(failed)}", file=sys.stderr)
        return 1
    print(f"\nSchema fuzzing passed for: {', '.join(roles)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
