from django.db.models import Count, QuerySet

from .models import Mechanic


def mechanic_list() -> QuerySet[Mechanic]:
    return Mechanic.objects.select_related("user")


def mechanic_search(*, name: str) -> QuerySet[Mechanic]:
    """Case-insensitive substring match on the name."""
    return mechanic_list().filter(name__icontains=name).order_by("name", "id")


def mechanic_popular_list() -> QuerySet[Mechanic]:
    """Mechanics ranked by the number of tickets they worked, most first,
    ties by name; counted by the database."""
    return (
        mechanic_list()
        .annotate(ticket_count=Count("assignments"))
        .order_by("-ticket_count", "name", "id")
    )
