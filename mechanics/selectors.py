from django.db.models import QuerySet

from .models import Mechanic


def mechanic_list() -> QuerySet[Mechanic]:
    return Mechanic.objects.select_related("user")


def mechanic_search(*, name: str) -> QuerySet[Mechanic]:
    """Case-insensitive substring match on the name."""
    return mechanic_list().filter(name__icontains=name).order_by("name", "id")


def mechanic_popular_list() -> QuerySet[Mechanic]:
    """Mechanics ranked by the number of tickets they worked, most first,
    ties by name. Reads the maintained ``ticket_count`` (an index gives the
    order): nothing is counted per request, however many tickets there are."""
    return mechanic_list().order_by("-ticket_count", "name", "id")
