"""Keep what is derived from tickets in step with them, whoever writes (the
services, the admin, a cascade delete, the shell). Connected in
TicketsConfig.ready. Bulk inserts send no signals: seed_demo does the same
itself.

* ``Mechanic.ticket_count`` follows the assignment table, in the same
  transaction.
* The cached counts of ticket lists (``TICKET_COUNTS``) are made stale when
  a ticket is created or deleted, when a field the lists filter on changes,
  or an assignment (the mechanic filter) changes.
"""

from mechanic_shop.api import response_cache

from .models import ServiceTicket, TicketMechanic
from .selectors import TICKET_COUNTS
from .services import mechanic_ticket_count_add


def ticket_post_save(sender, instance: ServiceTicket, created: bool, **kwargs):
    before = getattr(instance, "listed_as", None)
    now = instance.list_membership()
    if created or before != now:
        response_cache.bump_on_commit(TICKET_COUNTS)
    instance.listed_as = now


def ticket_post_delete(sender, instance: ServiceTicket, **kwargs):
    response_cache.bump_on_commit(TICKET_COUNTS)


def assignment_pre_save(sender, instance: TicketMechanic, **kwargs):
    # An assignment moved to another mechanic (possible in the shell; the
    # services only create and delete) must move the count with it.
    instance._counted_mechanic_id = None
    if instance.pk is not None:
        instance._counted_mechanic_id = (
            TicketMechanic.objects.filter(pk=instance.pk)
            .values_list("mechanic_id", flat=True)
            .first()
        )


def assignment_post_save(sender, instance: TicketMechanic, created: bool, **kwargs):
    before = getattr(instance, "_counted_mechanic_id", None)
    if created or before is None:
        mechanic_ticket_count_add(counts={instance.mechanic_id: 1})
    elif before != instance.mechanic_id:
        mechanic_ticket_count_add(counts={before: -1, instance.mechanic_id: 1})


def assignment_post_delete(sender, instance: TicketMechanic, **kwargs):
    mechanic_ticket_count_add(counts={instance.mechanic_id: -1})
