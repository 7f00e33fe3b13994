"""Who works a ticket: assignments, and each mechanic's maintained
``ticket_count`` (the assignments are this app's, so it keeps the count)."""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from mechanics.models import Mechanic

from ..models import ServiceTicket, TicketMechanic
from .base import Action, lock_ticket, record, require_editable


def set_mechanics(
    ticket: ServiceTicket,
    *,
    by=None,
    add: Iterable[Mechanic] = (),
    remove: Iterable[Mechanic] = (),
) -> None:
    remove_ids = {m.pk for m in remove}
    present = set(
        TicketMechanic.objects.filter(ticket=ticket).values_list("mechanic_id", flat=True)
    )
    to_remove = sorted(present & remove_ids)
    to_add = []
    for mechanic in add:
        if mechanic.pk not in present and mechanic.pk not in remove_ids:
            to_add.append(mechanic)
            present.add(mechanic.pk)
    if not to_remove and not to_add:
        return
    # Each change moves the mechanic's maintained ticket_count (a row lock):
    # take those locks now, in id order, as the module docstring says.
    moved = sorted({*to_remove, *(m.pk for m in to_add)})
    list(Mechanic.objects.select_for_update().filter(pk__in=moved).order_by("pk").values("pk"))
    # One by one so signal receivers (the popular ranking) see each.
    for assignment in TicketMechanic.objects.filter(
        ticket=ticket, mechanic_id__in=to_remove
    ).order_by("mechanic_id"):
        assignment.delete()
        record(ticket, Action.MECHANIC_REMOVED, by, before={"mechanic_id": assignment.mechanic_id})
    for mechanic in to_add:
        TicketMechanic.objects.create(ticket=ticket, mechanic=mechanic)
        record(ticket, Action.MECHANIC_ASSIGNED, by, after={"mechanic_id": mechanic.pk})


def mechanic_ticket_count_add(*, counts: dict[int, int]) -> None:
    """Add ``counts`` (mechanic id -> assignments added, negative when
    removed) to the mechanics' maintained ``ticket_count`` (what the popular
    ranking reads), in the caller's transaction. Rows are updated in id
    order, the order in which these services lock mechanics, so two
    transactions never wait on each other in a cycle. The assignments are
    the tickets app's: it keeps the count (tickets.receivers)."""
    for mechanic_id in sorted(counts):
        if counts[mechanic_id]:
            Mechanic.objects.filter(pk=mechanic_id).update(
                ticket_count=F("ticket_count") + counts[mechanic_id]
            )


def mechanic_ticket_counts_rebuild() -> int:
    """Recount every mechanic's ``ticket_count`` from the assignment table
    (a repair tool: the counts are maintained on every write). Answers how
    many mechanics were updated."""
    counted = (
        TicketMechanic.objects.filter(mechanic_id=OuterRef("pk"))
        .order_by()
        .values("mechanic_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Mechanic.objects.update(ticket_count=Coalesce(Subquery(counted), Value(0)))


@transaction.atomic
def ticket_assign_mechanic(*, by=None, ticket: ServiceTicket, mechanic: Mechanic) -> ServiceTicket:
    """Idempotent: assigning an assigned mechanic changes nothing."""
    ticket = lock_ticket(ticket)
    require_editable(ticket)
    set_mechanics(ticket, by=by, add=[mechanic])
    return ticket


@transaction.atomic
def ticket_remove_mechanic(*, by=None, ticket: ServiceTicket, mechanic: Mechanic) -> ServiceTicket:
    """Idempotent: removing a mechanic who is not on the ticket changes nothing."""
    ticket = lock_ticket(ticket)
    require_editable(ticket)
    set_mechanics(ticket, by=by, remove=[mechanic])
    return ticket


@transaction.atomic
def ticket_edit_mechanics(
    *, by=None, ticket: ServiceTicket, add: Iterable[Mechanic], remove: Iterable[Mechanic]
) -> ServiceTicket:
    ticket = lock_ticket(ticket)
    require_editable(ticket)
    set_mechanics(ticket, by=by, add=add, remove=remove)
    return ticket
