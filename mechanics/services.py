from decimal import Decimal

from django.db import transaction
from django.db.models import Count, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from accounts.models import Role
from accounts.services import user_create, user_update
from mechanic_shop.api.exceptions import Conflict

from .models import Mechanic


@transaction.atomic
def mechanic_create(
    *, name: str, email: str, phone: str, salary: Decimal, password: str
) -> Mechanic:
    """A mechanic and its login (role mechanic), together or not at all."""
    user = user_create(email=email, password=password, role=Role.MECHANIC)
    return Mechanic.objects.create(user=user, name=name, phone=phone, salary=salary)


@transaction.atomic
def mechanic_update(
    *,
    mechanic: Mechanic,
    name: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    salary: Decimal | None = None,
    password: str | None = None,
) -> Mechanic:
    user_update(user=mechanic.user, email=email, password=password)
    changes = {"name": name, "phone": phone, "salary": salary}
    fields = [field for field, value in changes.items() if value is not None]
    for field in fields:
        setattr(mechanic, field, changes[field])
    # Saved even when only the login changed: the save is what tells the
    # response cache that the mechanics list changed.
    mechanic.save(update_fields=[*fields, "updated_at"])
    return mechanic


@transaction.atomic
def mechanic_delete(*, mechanic: Mechanic) -> None:
    """Delete a mechanic and its login; one who has worked tickets stays (409)."""
    if mechanic.assignments.exists():
        raise Conflict("This mechanic has worked service tickets; their history is kept.")
    user = mechanic.user
    mechanic.delete()
    user.delete()


def mechanic_ticket_count_add(*, counts: dict[int, int]) -> None:
    """Add ``counts`` (mechanic id -> assignments added, negative when
    removed) to the maintained ``ticket_count``, in the caller's transaction.
    Rows are updated in id order, the order in which tickets.services locks
    mechanics, so two transactions never wait on each other in a cycle."""
    for mechanic_id in sorted(counts):
        if counts[mechanic_id]:
            Mechanic.objects.filter(pk=mechanic_id).update(
                ticket_count=F("ticket_count") + counts[mechanic_id]
            )


def mechanic_ticket_counts_rebuild() -> int:
    """Recount every mechanic's ``ticket_count`` from the assignment table
    (a repair tool: the counts are maintained on every write). Answers how
    many mechanics were updated."""
    from tickets.models import TicketMechanic

    counted = (
        TicketMechanic.objects.filter(mechanic_id=OuterRef("pk"))
        .order_by()
        .values("mechanic_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Mechanic.objects.update(ticket_count=Coalesce(Subquery(counted), Value(0)))
