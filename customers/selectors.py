from django.db.models import QuerySet

from .models import Customer


def customer_list(*, user) -> QuerySet[Customer]:
    """Customers the caller may see: all for staff, itself for a customer."""
    queryset = Customer.objects.select_related("user")
    if user.role == "customer":
        queryset = queryset.filter(user=user)
    return queryset
