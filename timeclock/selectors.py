"""Reads of the time clock: the entries a caller may reach."""

from django.db.models import Prefetch, QuerySet

from accounts.models import Role

from .models import TimeEntry, TimeEntryCorrection


def time_entry_scope(*, user) -> QuerySet[TimeEntry]:
    """Every entry for an admin, a mechanic's own for a mechanic, none for
    anyone else (the views refuse customers before they get here)."""
    role = getattr(user, "role", None)
    if role == Role.ADMIN:
        return TimeEntry.objects.all()
    if role == Role.MECHANIC:
        return TimeEntry.objects.filter(mechanic__user_id=user.pk)
    return TimeEntry.objects.none()


def time_entry_list(*, user) -> QuerySet[TimeEntry]:
    """``time_entry_scope`` with what TimeEntrySerializer shows, newest
    start first: the corrections of a whole page, with who made them, in one
    query."""
    return (
        time_entry_scope(user=user)
        .prefetch_related(
            Prefetch(
                "corrections",
                queryset=TimeEntryCorrection.objects.select_related("by").order_by("at", "id"),
            )
        )
        .order_by("-started_at", "-id")
    )
