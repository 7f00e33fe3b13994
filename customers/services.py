from django.db import transaction

from accounts.models import Role
from accounts.services import user_create, user_update
from events.representations import customer_data
from events.services import event_record
from mechanic_shop.errors import Conflict

from .models import Customer


@transaction.atomic
def customer_create(*, name: str, email: str, phone: str, password: str) -> Customer:
    """A customer and its login (role customer), together or not at all."""
    user = user_create(email=email, password=password, role=Role.CUSTOMER)
    customer = Customer.objects.create(user=user, name=name, phone=phone)
    event_record(type="customer.created", resource=customer, data=customer_data(customer))
    return customer


@transaction.atomic
def customer_update(
    *,
    customer: Customer,
    name: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    password: str | None = None,
) -> Customer:
    user_update(user=customer.user, email=email, password=password)
    fields = []
    if name is not None:
        customer.name = name
        fields.append("name")
    if phone is not None:
        customer.phone = phone
        fields.append("phone")
    if fields:
        customer.save(update_fields=[*fields, "updated_at"])
    return customer


@transaction.atomic
def customer_delete(*, customer: Customer) -> None:
    """Delete a customer and its login. A customer with tickets stays: the
    shop's history is kept (409)."""
    if customer.tickets.exists():
        raise Conflict("This customer has service tickets; their history is kept.")
    user = customer.user
    customer.delete()
    user.delete()
