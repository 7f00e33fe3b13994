from decimal import Decimal

from django.db import transaction

from accounts.models import Role
from accounts.services import user_create, user_update
from mechanic_shop.errors import Conflict

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
