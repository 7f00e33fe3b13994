"""Keep ``Mechanic.ticket_count`` in step with the assignment table.

Connected in TicketsConfig.ready to every save and delete of a
TicketMechanic, whoever makes it (the services, the admin, a ticket's
cascade delete, the shell), inside the same transaction. Bulk inserts
bypass signals: seed_demo adds its counts itself.
"""

from mechanics.services import mechanic_ticket_count_add

from .models import TicketMechanic


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
