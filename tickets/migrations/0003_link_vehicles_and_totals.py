"""Tickets written before the workflow: give each a vehicle (by VIN, for its
customer) and fill in the totals columns from its part lines."""

from django.conf import settings
from django.db import migrations

from tickets.totals import compute_totals


def forwards(apps, schema_editor):
    ServiceTicket = apps.get_model("tickets", "ServiceTicket")
    Vehicle = apps.get_model("vehicles", "Vehicle")
    owners = dict(Vehicle.objects.values_list("vin", "customer_id"))
    vehicles = dict(Vehicle.objects.values_list("vin", "id"))
    for ticket in ServiceTicket.objects.filter(vehicle__isnull=True).order_by("service_date", "id"):
        if ticket.vin not in owners:
            vehicle = Vehicle.objects.create(customer_id=ticket.customer_id, vin=ticket.vin)
            owners[ticket.vin], vehicles[ticket.vin] = ticket.customer_id, vehicle.pk
        if owners[ticket.vin] == ticket.customer_id:
            ticket.vehicle_id = vehicles[ticket.vin]
        totals = compute_totals(
            parts_total=ticket.parts_total,
            labor_total=ticket.labor_total,
            discount_type=ticket.discount_type,
            discount_value=ticket.discount_value,
            parts_tax_rate=settings.SHOP_PARTS_TAX_RATE,
            labor_tax_rate=settings.SHOP_LABOR_TAX_RATE,
        )
        for field in ("discount", "parts_tax", "labor_tax", "tax", "total"):
            setattr(ticket, field, getattr(totals, field))
        ticket.balance_due = totals.total - ticket.amount_paid
        ticket.save()


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0002_workflow"),
        ("vehicles", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
