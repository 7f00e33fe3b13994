"""Readies a seeded benchmark database and prints what the load needs, as
JSON: the demo logins, ticket and part ids for the detail and add-part
paths, and for the scale run the filter values. Run by bench/harness.py
with the benchmark's environment (DJANGO_SETTINGS_MODULE, DATABASE_URL...)
against the application tree at BENCH_APP_ROOT (the working tree by
default; a baseline's checkout when comparing with an earlier commit).
"""

import json
import os
import random
import sys
from pathlib import Path

sys.path.insert(0, os.environ.get("BENCH_APP_ROOT") or str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mechanic_shop.settings.bench")

import django

django.setup()

from django.db.models import Count  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from customers.models import Customer  # noqa: E402
from inventory.models import Part  # noqa: E402
from mechanics.models import Mechanic  # noqa: E402
from tickets import workflow  # noqa: E402
from tickets.models import ServiceTicket  # noqa: E402

# Not in every earlier commit a baseline may be (see run.py --baseline).
try:
    from mechanic_shop.api import response_cache
except ImportError:
    response_cache = None
try:
    from mechanic_shop.api.pagination import encode_cursor
except ImportError:
    encode_cursor = None

DEMO = "@demo.shop"
# Enough stock that add-part never runs out during a run.
BENCH_STOCK = 1_000_000_000


def main() -> None:
    rng = random.Random(6)
    mechanic = User.objects.filter(role=Role.MECHANIC, email__endswith=DEMO).order_by("id").first()
    customers = (
        Customer.objects.filter(user__email__endswith=DEMO)
        .annotate(n=Count("tickets"))
        .order_by("-n", "id")
        .values_list("id", "user__email", "n")
    )
    busiest = customers[0]
    ticket_ids = list(ServiceTicket.objects.order_by("id").values_list("id", flat=True))
    editable = list(
        ServiceTicket.objects.filter(status__in=workflow.EDITABLE)
        .order_by("id")
        .values_list("id", flat=True)
    )
    parts = list(Part.objects.order_by("id").values_list("id", flat=True))
    Part.objects.update(quantity_in_stock=BENCH_STOCK)
    if response_cache is not None:
        response_cache.bump("inventory")
    pairs = [(t, p) for t in editable[-300:] for p in parts]
    rng.shuffle(pairs)
    mechanics = list(
        Mechanic.objects.annotate(n=Count("assignments"))
        .order_by("-n", "id")
        .values_list("id", "n")
    )
    dates = ServiceTicket.objects.order_by("-service_date").values_list("service_date", flat=True)
    newest = dates.first()
    # A page 90% of the way down the staff list: by cursor, and by page number.
    deep = int(len(ticket_ids) * 0.9)
    row = (
        ServiceTicket.objects.order_by("-service_date", "-id")
        .values_list("service_date", "id")[deep - 1 : deep]
        .first()
    )
    deep_cursor = (
        encode_cursor(["-service_date", "-id"], [row[0].isoformat(), row[1]])
        if row and encode_cursor
        else ""
    )
    print(
        json.dumps(
            {
                "mechanic_email": mechanic.email,
                "customer_email": busiest[1],
                "customer_tickets": busiest[2],
                "tickets": len(ticket_ids),
                "detail_ids": rng.sample(ticket_ids, min(500, len(ticket_ids))),
                "add_part": pairs[:2000],
                "busiest_mechanic": mechanics[0][0] if mechanics else None,
                "median_customer": customers[len(customers) // 2][0],
                "newest_date": newest.isoformat() if newest else None,
                "deep_cursor": deep_cursor,
                "deep_page": max(1, deep // 20 + 1),
            }
        )
    )


if __name__ == "__main__":
    main()
