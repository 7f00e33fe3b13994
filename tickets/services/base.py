"""What every ticket service does: lock the ticket, check that it can
still change, record the change in its history, and recompute its money."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import DecimalField, ExpressionWrapper, F, OuterRef, Subquery, Sum

from inventory.models import Part
from mechanic_shop.errors import Conflict, InvalidState, NotFound

from .. import workflow
from ..models import (
    COMPUTED_MONEY_FIELDS,
    COUNTED_JOB_STATUSES,
    DEFAULT_JOB_TITLE,
    MONEY_FIELDS,
    Job,
    JobStatus,
    LaborLine,
    ServiceTicket,
    TicketEvent,
    TicketPart,
)
from ..totals import ZERO, compute_totals

MAX_LINE_QUANTITY = 100_000
# Money columns hold 16 digits, 2 after the point.
MAX_TOTAL = Decimal("99999999999999.99")
Action = TicketEvent.Action


def lock_ticket(ticket: ServiceTicket) -> ServiceTicket:
    try:
        return ServiceTicket.objects.select_for_update().get(pk=ticket.pk)
    except ServiceTicket.DoesNotExist:
        raise NotFound("No ServiceTicket matches the given query.")


def lock_part(part: Part) -> Part:
    return Part.objects.select_for_update().get(pk=part.pk)


def require_editable(ticket: ServiceTicket) -> None:
    if ticket.status not in workflow.EDITABLE:
        raise InvalidState(
            f"The ticket is {ticket.status}: it can no longer be changed.",
            code="ticket_locked",
            status=ticket.status,
            allowed=workflow.allowed_actions(ticket.status),
        )


def _json(value):
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value


def record(ticket, action: str, by, *, before: dict | None = None, after: dict | None = None):
    TicketEvent.objects.create(
        ticket=ticket,
        action=action,
        actor=by if by is not None and by.is_authenticated else None,
        before={k: _json(v) for k, v in before.items()} if before is not None else None,
        after={k: _json(v) for k, v in after.items()} if after is not None else None,
    )


def recalculate_totals(ticket: ServiceTicket) -> None:
    """Sum the lines in the database and recompute the ticket's money
    columns (see tickets.totals). Called after every change that moves them,
    while the ticket is locked.

    The totals count the pending and approved jobs (the estimate as it
    stands), never the declined ones; ``authorized_total`` is the same
    arithmetic over the approved jobs alone."""
    line_total = ExpressionWrapper(
        F("quantity") * F("unit_price"), output_field=DecimalField(max_digits=20, decimal_places=2)
    )
    approved = (JobStatus.APPROVED,)
    # The four sums in one query.
    sums = (
        ServiceTicket.objects.filter(pk=ticket.pk)
        .values(
            parts=_line_sum(TicketPart, line_total, COUNTED_JOB_STATUSES),
            labor=_line_sum(LaborLine, F("line_total"), COUNTED_JOB_STATUSES),
            approved_parts=_line_sum(TicketPart, line_total, approved),
            approved_labor=_line_sum(LaborLine, F("line_total"), approved),
        )
        .get()
    )
    money = _money_columns(
        parts_total=sums["parts"] or ZERO,
        labor_total=sums["labor"] or ZERO,
        discount_type=ticket.discount_type,
        discount_value=ticket.discount_value,
        parts_tax_rate=ticket.parts_tax_rate,
        labor_tax_rate=ticket.labor_tax_rate,
        amount_paid=ticket.amount_paid,
    )
    money["authorized_total"] = compute_totals(
        parts_total=sums["approved_parts"] or ZERO,
        labor_total=sums["approved_labor"] or ZERO,
        discount_type=ticket.discount_type,
        discount_value=ticket.discount_value,
        parts_tax_rate=ticket.parts_tax_rate,
        labor_tax_rate=ticket.labor_tax_rate,
    ).total
    for field, value in money.items():
        setattr(ticket, field, value)
    ticket.save(update_fields=[*MONEY_FIELDS, "updated_at"])


def _money_columns(
    *,
    parts_total: Decimal,
    labor_total: Decimal,
    discount_type: str,
    discount_value: Decimal,
    parts_tax_rate: Decimal,
    labor_tax_rate: Decimal,
    amount_paid: Decimal,
) -> dict[str, Decimal]:
    """The ticket's money columns (MONEY_FIELDS) for these line sums, at the
    ticket's own tax rates; a 409 when they would not fit in their columns."""
    totals = compute_totals(
        parts_total=parts_total,
        labor_total=labor_total,
        discount_type=discount_type,
        discount_value=discount_value,
        parts_tax_rate=parts_tax_rate,
        labor_tax_rate=labor_tax_rate,
    )
    if totals.total > MAX_TOTAL or parts_total > MAX_TOTAL or labor_total > MAX_TOTAL:
        raise Conflict("The ticket's total would exceed what can be recorded.")
    money = {name: getattr(totals, name) for name in COMPUTED_MONEY_FIELDS}
    money["balance_due"] = max(totals.total - amount_paid, ZERO)
    return money


def _line_sum(model, amount, statuses):
    """The sum of ``amount`` over the ticket's lines of ``model`` on jobs in
    ``statuses``, as a subquery of the ticket."""
    per_ticket = (
        model.objects.filter(ticket_id=OuterRef("pk"), job__status__in=statuses)
        .order_by()
        .values("ticket_id")
        .annotate(s=Sum(amount))
        .values("s")
    )
    return Subquery(per_ticket, output_field=DecimalField(max_digits=20, decimal_places=2))


def _next_position(ticket: ServiceTicket) -> int:
    last = ticket.jobs.order_by("-position").values_list("position", flat=True).first()
    return 0 if last is None else last + 1


def job_add(ticket: ServiceTicket, *, title: str, by, status: str = JobStatus.PENDING, **fields):
    """A new job at the end of the (locked) ticket's jobs, recorded in its
    history."""
    job = Job(ticket=ticket, title=title, status=status, position=_next_position(ticket), **fields)
    job.full_clean(exclude=["ticket"])
    job.save()
    record(ticket, Action.JOB_ADDED, by, after={"job_id": job.pk, "title": job.title})
    return job


def job_for_line(ticket: ServiceTicket, job_id: int | None, *, by) -> Job:
    """The job a new line of the (locked) ticket goes to: ``job_id`` (a 400
    when it is not one of this ticket's jobs, a 409 when declined), else the
    ticket's "General" job that is not declined, created on first use."""
    if job_id is None:
        job = (
            ticket.jobs.filter(title=DEFAULT_JOB_TITLE)
            .exclude(status=JobStatus.DECLINED)
            .order_by("id")
            .first()
        )
        return job or job_add(ticket, title=DEFAULT_JOB_TITLE, by=by)
    job = Job.objects.filter(pk=job_id, ticket=ticket).first()
    if job is None:
        raise ValidationError({"job_id": [f"Job {job_id} is not on this ticket."]})
    job.ticket = ticket
    require_open_job(job)
    return job


def require_open_job(job: Job) -> None:
    if job.status == JobStatus.DECLINED:
        raise InvalidState(
            f"Job {job.pk} ({job.title}) was declined: its lines no longer change.",
            code="job_declined",
            job_id=job.pk,
        )


def set_job_status(job: Job, status: str, by, *, reason: str = "") -> None:
    """Move a job to ``status`` and record it in its ticket's history."""
    before = {"job_id": job.pk, "status": job.status}
    job.status = status
    job.declined_reason = reason if status == JobStatus.DECLINED else ""
    job.save(update_fields=["status", "declined_reason", "updated_at"])
    after = {"job_id": job.pk, "status": status}
    if reason and status == JobStatus.DECLINED:
        after["reason"] = reason
    record(job.ticket, Action.JOB_STATUS_CHANGED, by, before=before, after=after)


def reopen_job(job: Job, by) -> None:
    """A line of an approved job changed: the job waits for the customer's
    authorization again."""
    if job.status == JobStatus.APPROVED:
        set_job_status(job, JobStatus.PENDING, by)
