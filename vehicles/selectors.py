from django.db.models import QuerySet

from accounts.models import Role

from .models import Vehicle


def vehicle_list(*, user) -> QuerySet[Vehicle]:
    """All vehicles for staff; a customer's own for a customer."""
    queryset = Vehicle.objects.all()
    if getattr(user, "role", None) == Role.CUSTOMER:
        queryset = queryset.filter(customer__user_id=user.pk)
    return queryset
