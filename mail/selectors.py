from collections.abc import Iterable

from django.db.models import QuerySet

from .models import OutboundEmail


def emails_of(*, ticket, kinds: Iterable[str]) -> QuerySet[OutboundEmail]:
    """A ticket's emails of these kinds, newest first."""
    return OutboundEmail.objects.filter(ticket=ticket, kind__in=list(kinds)).order_by(
        "-created_at", "-pk"
    )
