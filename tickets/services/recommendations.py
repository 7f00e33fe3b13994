"""Deferred work: a declined job is kept on the vehicle as a recommendation,
to be offered again (revived onto a later ticket) or dismissed."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from inventory.models import Part
from mechanic_shop.errors import Conflict, InvalidState
from mechanics.models import Mechanic

from ..models import Job, Recommendation, RecommendationStatus, ServiceTicket
from .base import Action, job_add, lock_ticket, record, require_editable
from .lines import ticket_add_labor, ticket_add_part


def recommend(job: Job, *, reason: str) -> Recommendation | None:
    """The declined ``job`` as an open recommendation on its ticket's
    vehicle, its lines as they were (none without a vehicle)."""
    ticket = job.ticket
    if ticket.vehicle_id is None:
        return None
    parts = [
        {
            "part_id": line.part_id,
            "name": line.part.name,
            "quantity": line.quantity,
            "unit_price": str(line.unit_price),
        }
        for line in job.part_lines.select_related("part").order_by("id")
    ]
    labor = [
        {
            "mechanic_id": line.mechanic_id,
            "description": line.description,
            "hours": str(line.hours),
            "rate": str(line.rate),
        }
        for line in job.labor_lines.order_by("id")
    ]
    return Recommendation.objects.create(
        vehicle_id=ticket.vehicle_id,
        ticket=ticket,
        job=job,
        title=job.title,
        reason=reason,
        amount=job.subtotal,
        parts=parts,
        labor=labor,
    )


def _lock_open(recommendation: Recommendation) -> Recommendation:
    recommendation = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
    if recommendation.status != RecommendationStatus.OPEN:
        raise InvalidState(
            f"Recommendation {recommendation.pk} is {recommendation.status}, no longer open.",
            code="recommendation_closed",
            status=recommendation.status,
        )
    return recommendation


@transaction.atomic
def recommendation_revive(
    *, by=None, recommendation: Recommendation, ticket: ServiceTicket
) -> Recommendation:
    """Copy the recommended work onto an open ticket of the same vehicle as
    a pending job: its parts at today's prices, taken from stock (not enough
    of one is a 409 and nothing changes), its labor at the rates it was
    offered at."""
    ticket = lock_ticket(ticket)
    require_editable(ticket)
    recommendation = _lock_open(recommendation)
    if ticket.vehicle_id != recommendation.vehicle_id:
        raise ValidationError(
            {"service_ticket_id": [f"Ticket {ticket.pk} is not for this recommendation's vehicle."]}
        )
    job = job_add(ticket, title=recommendation.title, by=by, recommendation_id=recommendation.pk)
    for line in recommendation.parts:
        part = Part.objects.filter(pk=line["part_id"]).first()
        if part is None:
            raise Conflict(f"Part {line['part_id']} ({line['name']}) is no longer in the catalog.")
        ticket_add_part(by=by, ticket=ticket, part=part, quantity=line["quantity"], job_id=job.pk)
    for line in recommendation.labor:
        mechanic = Mechanic.objects.filter(pk=line["mechanic_id"]).first()
        if mechanic is None:
            raise Conflict(f"Mechanic {line['mechanic_id']} of this work no longer works here.")
        ticket_add_labor(
            by=by,
            ticket=ticket,
            mechanic=mechanic,
            description=line["description"],
            hours=line["hours"],
            rate=line["rate"],
            job_id=job.pk,
        )
    recommendation.status = RecommendationStatus.REVIVED
    recommendation.revived_job = job
    recommendation.revived_ticket = ticket
    recommendation.revived_amount = job.subtotal
    recommendation.closed_at = timezone.now()
    recommendation.save()
    record(
        ticket,
        Action.RECOMMENDATION_REVIVED,
        by,
        after={"recommendation_id": recommendation.pk, "job_id": job.pk},
    )
    return recommendation


@transaction.atomic
def recommendation_dismiss(
    *, by=None, recommendation: Recommendation, reason: str
) -> Recommendation:
    """The customer does not want the work any more: the recommendation is
    closed and no longer offered."""
    recommendation = _lock_open(recommendation)
    if not reason.strip():
        raise ValidationError({"reason": ["Say why the recommendation is dismissed."]})
    recommendation.status = RecommendationStatus.DISMISSED
    recommendation.dismissed_reason = reason.strip()
    recommendation.closed_at = timezone.now()
    recommendation.save()
    return recommendation
