"""Part and labor lines: stock moves, prices frozen on the line, totals."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from inventory.models import Part
from inventory.services import part_take_stock
from mechanic_shop.errors import Conflict, NotFound
from mechanics.models import Mechanic
from shop.selectors import shop_settings

from ..models import DEFAULT_JOB_TITLE, JobStatus, LaborLine, ServiceTicket, TicketPart
from ..totals import cents
from .base import (
    MAX_LINE_QUANTITY,
    Action,
    job_for_line,
    lock_part,
    lock_ticket,
    recalculate_totals,
    record,
    reopen_job,
    require_editable,
    require_open_job,
)
from .mechanics import set_mechanics


def return_part(ticket, line: TicketPart, quantity: int, by, *, keep_line: bool = False) -> None:
    """Put ``quantity`` of the line's part back in stock and take them off
    the line (``keep_line``: the line stays as it is, a declined job's
    record of what was offered)."""
    part = lock_part(line.part)
    part.quantity_in_stock += quantity
    part.save(update_fields=["quantity_in_stock", "updated_at"])
    if keep_line:
        return
    before = {
        "part_id": part.pk,
        "job_id": line.job_id,
        "quantity": line.quantity,
        "unit_price": line.unit_price,
    }
    if quantity == line.quantity:
        line.delete()
    else:
        line.quantity -= quantity
        line.save(update_fields=["quantity", "updated_at"])
    record(
        ticket,
        Action.PART_REMOVED,
        by,
        before=before,
        after={
            "part_id": part.pk,
            "job_id": before["job_id"],
            "quantity": line.quantity if line.pk else 0,
        },
    )


@transaction.atomic
def ticket_add_part(
    *, by=None, ticket: ServiceTicket, part: Part, quantity: int = 1, job_id: int | None = None
) -> TicketPart:
    """Put ``quantity`` of the part on the ticket's job ``job_id`` (default:
    its "General" job) and take them from stock; answer the part line.

    The line carries the part's price at this moment; adding a part already
    on the job raises that line's quantity (its price stays). An approved
    job goes back to pending: changed work is authorized again. Not enough
    stock is a 409 and nothing changes. Safe under concurrent requests: the
    ticket, then the part, are locked while the stock is checked and taken,
    by an UPDATE that cannot go below zero in any case.
    """
    ticket = lock_ticket(ticket)
    require_editable(ticket)
    job = job_for_line(ticket, job_id, by=by)
    part = lock_part(part)
    if part.quantity_in_stock < quantity:
        raise Conflict(
            f"Not enough stock of {part.part_number}: "
            f"{part.quantity_in_stock} left, {quantity} asked.",
            code="insufficient_stock",
            available=part.quantity_in_stock,
        )
    line = TicketPart.objects.filter(job=job, part=part).first()
    held = 0 if line is None else line.quantity
    if held + quantity > MAX_LINE_QUANTITY:
        raise Conflict(f"A part line holds at most {MAX_LINE_QUANTITY} units.")
    if line is None:
        line = TicketPart(
            ticket=ticket, job=job, part=part, quantity=quantity, unit_price=part.price
        )
    else:
        line.quantity = held + quantity
    line.save()
    if not part_take_stock(part_id=part.pk, quantity=quantity):
        # Cannot happen: the part is locked and its stock was checked.
        raise Conflict("The stock changed meanwhile; try again.")
    record(
        ticket,
        Action.PART_ADDED,
        by,
        before={"part_id": part.pk, "job_id": job.pk, "quantity": held},
        after={
            "part_id": part.pk,
            "job_id": job.pk,
            "quantity": line.quantity,
            "unit_price": cents(line.unit_price),
        },
    )
    reopen_job(job, by)
    recalculate_totals(ticket)
    return line


def _part_line(ticket: ServiceTicket, part: Part, job_id: int | None) -> TicketPart:
    """The line of ``part`` to take off: on job ``job_id``, else the only
    one on the ticket's open jobs, else the "General" job's."""
    lines = list(
        TicketPart.objects.filter(ticket=ticket, part=part)
        .exclude(job__status=JobStatus.DECLINED)
        .select_related("job", "part")
        .order_by("id")
    )
    if job_id is not None:
        lines = [line for line in lines if line.job_id == job_id]
    elif len(lines) > 1:
        lines = [line for line in lines if line.job.title == DEFAULT_JOB_TITLE][:1]
        if not lines:
            raise ValidationError(
                {"job_id": ["This part is on several jobs of the ticket: name the job."]}
            )
    if not lines:
        raise NotFound("This part is not on this ticket.")
    line = lines[0]
    line.job.ticket = ticket
    return line


@transaction.atomic
def ticket_remove_part(
    *,
    by=None,
    ticket: ServiceTicket,
    part: Part,
    quantity: int | None = None,
    job_id: int | None = None,
) -> None:
    """Take ``quantity`` (default: all) of ``part`` off the ticket (its job
    ``job_id`` when the part is on several) and put them back in stock."""
    ticket = lock_ticket(ticket)
    require_editable(ticket)
    line = _part_line(ticket, part, job_id)
    if quantity is None:
        quantity = line.quantity
    if quantity > line.quantity:
        raise Conflict(
            f"Only {line.quantity} of this part are on the ticket.", available=line.quantity
        )
    return_part(ticket, line, quantity, by)
    reopen_job(line.job, by)
    recalculate_totals(ticket)


def _labor_snapshot(line: LaborLine) -> dict:
    return {
        "labor_id": line.pk,
        "job_id": line.job_id,
        "mechanic_id": line.mechanic_id,
        "description": line.description,
        "hours": line.hours,
        "rate": line.rate,
        "line_total": line.line_total,
    }


@transaction.atomic
def ticket_add_labor(
    *,
    by=None,
    ticket: ServiceTicket,
    mechanic: Mechanic,
    description: str,
    hours: Decimal,
    rate: Decimal | None = None,
    job_id: int | None = None,
) -> LaborLine:
    """Bill ``hours`` of work by ``mechanic`` at ``rate`` (the shop's labor
    rate when omitted) on the job ``job_id`` (default: "General"); the
    mechanic is assigned to the ticket if not yet."""
    ticket = lock_ticket(ticket)
    require_editable(ticket)
    job = job_for_line(ticket, job_id, by=by)
    line = LaborLine(
        ticket=ticket,
        job=job,
        mechanic=mechanic,
        description=description,
        hours=hours,
        rate=shop_settings().labor_rate if rate is None else rate,
    )
    line.full_clean(exclude=["line_total"])
    line.save()
    set_mechanics(ticket, by=by, add=[mechanic])
    record(ticket, Action.LABOR_ADDED, by, after=_labor_snapshot(line))
    reopen_job(job, by)
    recalculate_totals(ticket)
    return line


@transaction.atomic
def ticket_update_labor(*, by=None, ticket: ServiceTicket, line: LaborLine, **changes) -> LaborLine:
    ticket = lock_ticket(ticket)
    require_editable(ticket)
    line = _labor_line(ticket, line)
    before = _labor_snapshot(line)
    for field, value in changes.items():
        if field not in {"mechanic", "description", "hours", "rate"}:
            raise TypeError(f"ticket_update_labor() got an unexpected field {field!r}")
        setattr(line, field, value)
    line.full_clean(exclude=["line_total"])
    line.save()
    if "mechanic" in changes:
        set_mechanics(ticket, by=by, add=[line.mechanic])
    after = _labor_snapshot(line)
    record(ticket, Action.LABOR_CHANGED, by, before=before, after=after)
    if any(before[name] != after[name] for name in ("hours", "rate", "line_total")):
        reopen_job(line.job, by)
    recalculate_totals(ticket)
    return line


@transaction.atomic
def ticket_delete_labor(*, by=None, ticket: ServiceTicket, line: LaborLine) -> None:
    ticket = lock_ticket(ticket)
    require_editable(ticket)
    line = _labor_line(ticket, line)
    before = _labor_snapshot(line)
    line.delete()
    record(ticket, Action.LABOR_REMOVED, by, before=before)
    reopen_job(line.job, by)
    recalculate_totals(ticket)


def _labor_line(ticket: ServiceTicket, line: LaborLine) -> LaborLine:
    """The labor line, read again under the ticket's lock, of an open job."""
    line = LaborLine.objects.select_related("job").get(pk=line.pk, ticket=ticket)
    line.job.ticket = ticket
    require_open_job(line.job)
    return line
