"""The life of a repair order, as data.

estimate -> approved -> in_progress -> completed -> invoiced -> paid, with
cancel from estimate, approved or in_progress, and decline (the customer
turns the estimate down) back to estimate. ``paid`` is reached by payments,
not by an action.
"""

from django.db import models


class Status(models.TextChoices):
    ESTIMATE = "estimate", "Estimate"
    APPROVED = "approved", "Approved"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    INVOICED = "invoiced", "Invoiced"
    PAID = "paid", "Paid"
    CANCELLED = "cancelled", "Cancelled"


# action -> {from status: to status}
TRANSITIONS: dict[str, dict[str, str]] = {
    "approve": {Status.ESTIMATE: Status.APPROVED},
    "decline": {Status.ESTIMATE: Status.ESTIMATE, Status.APPROVED: Status.ESTIMATE},
    "start": {Status.APPROVED: Status.IN_PROGRESS},
    "complete": {Status.IN_PROGRESS: Status.COMPLETED},
    "invoice": {Status.COMPLETED: Status.INVOICED},
    "cancel": {
        Status.ESTIMATE: Status.CANCELLED,
        Status.APPROVED: Status.CANCELLED,
        Status.IN_PROGRESS: Status.CANCELLED,
    },
}

ACTIONS = tuple(TRANSITIONS)

# Lines (parts, labor), mechanics, discount and the ticket's own fields can
# change until the invoice freezes the order.
EDITABLE = frozenset({Status.ESTIMATE, Status.APPROVED, Status.IN_PROGRESS, Status.COMPLETED})
# Work not yet finished: parts on these tickets are reserved for them.
OPEN = frozenset({Status.ESTIMATE, Status.APPROVED, Status.IN_PROGRESS})
# Billed: the totals are frozen.
BILLED = frozenset({Status.INVOICED, Status.PAID})


def allowed_actions(status: str) -> list[str]:
    return [action for action, moves in TRANSITIONS.items() if status in moves]


def next_status(action: str, status: str) -> str | None:
    return TRANSITIONS[action].get(status)
