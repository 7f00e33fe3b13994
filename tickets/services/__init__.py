"""The rules of a repair order: its vehicle, its lifecycle, who works it,
the parts and labor on it, its totals, invoice and payments, and its history.

Every function here is one transaction that starts by locking the ticket row,
so changes to one ticket are serialized (no lost update on a total, no double
invoice, no overpayment). Other rows are locked after the ticket, always in
the same order (ticket, vehicle, mechanics by id, jobs by id, parts by id,
invoice counter), so two transactions never wait on each other in a cycle. Every change is recorded in
the ticket's history with the user who made it (``by``).
"""

from .invoice import invoice_counter_ensure
from .jobs import job_create, job_delete, job_from_canned, job_update, ticket_authorize
from .lifecycle import ticket_transition
from .lines import (
    ticket_add_labor,
    ticket_add_part,
    ticket_delete_labor,
    ticket_remove_part,
    ticket_update_labor,
)
from .mechanics import (
    mechanic_ticket_count_add,
    mechanic_ticket_counts_rebuild,
    ticket_assign_mechanic,
    ticket_edit_mechanics,
    ticket_remove_mechanic,
)
from .payments import ticket_record_payment
from .recommendations import recommendation_dismiss, recommendation_revive
from .ticket import ticket_create, ticket_delete, ticket_update
from .vehicle import ticket_mileage_check, ticket_vehicle_check

__all__ = [
    "invoice_counter_ensure",
    "job_create",
    "job_delete",
    "job_from_canned",
    "job_update",
    "mechanic_ticket_count_add",
    "mechanic_ticket_counts_rebuild",
    "recommendation_dismiss",
    "recommendation_revive",
    "ticket_add_labor",
    "ticket_add_part",
    "ticket_assign_mechanic",
    "ticket_authorize",
    "ticket_create",
    "ticket_delete",
    "ticket_delete_labor",
    "ticket_edit_mechanics",
    "ticket_mileage_check",
    "ticket_record_payment",
    "ticket_remove_mechanic",
    "ticket_remove_part",
    "ticket_transition",
    "ticket_update",
    "ticket_update_labor",
    "ticket_vehicle_check",
]
