"""Jobs on a repair order and the customer's authorization of them.

A job is pending until the customer approves or declines it; the ticket's
totals count pending and approved jobs, ``authorized_total`` the approved
ones. A declined job stays on the ticket as the record of what was offered,
outside every total, and its parts go back to stock.
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from events.representations import authorization_data, ticket_data
from events.services import event_record
from inventory.models import Part
from mechanic_shop.errors import InvalidState

from ..models import (
    DEFAULT_JOB_TITLE,
    Authorization,
    AuthorizationMethod,
    Job,
    JobStatus,
    ServiceTicket,
)
from ..workflow import Status
from .base import (
    Action,
    job_add,
    lock_ticket,
    recalculate_totals,
    record,
    require_editable,
    set_job_status,
)
from .lines import return_part, ticket_add_labor, ticket_add_part
from .recommendations import recommend

# Where the customer can still authorize work: before the invoice.
AUTHORIZABLE = frozenset({Status.ESTIMATE, Status.APPROVED, Status.IN_PROGRESS, Status.COMPLETED})
# Where an approved job is being worked on and cannot be deleted.
STARTED = frozenset({Status.IN_PROGRESS, Status.COMPLETED})


def _lock_job(ticket: ServiceTicket, job: Job) -> Job:
    job = Job.objects.select_for_update().get(pk=job.pk, ticket=ticket)
    job.ticket = ticket
    return job


@transaction.atomic
def job_create(*, by=None, ticket: ServiceTicket, title: str, **fields) -> Job:
    """A new pending job at the end of the ticket's jobs."""
    ticket = lock_ticket(ticket)
    require_editable(ticket)
    return job_add(ticket, title=title, by=by, **fields)


@transaction.atomic
def job_from_canned(*, by=None, ticket: ServiceTicket, canned_job, mechanic=None) -> Job:
    """A pending job made from a canned job: its name, its parts taken from
    stock as add-part takes them (not enough of one is a 409 and nothing is
    created) and its labor billed by ``mechanic`` (at the canned rate, else
    the shop's)."""
    from canned_jobs.selectors import canned_job_lines

    ticket = lock_ticket(ticket)
    require_editable(ticket)
    labor, parts = canned_job_lines(canned_job)
    if labor and mechanic is None:
        raise ValidationError(
            {"mechanic_id": ["Name the mechanic who bills this canned job's labor."]}
        )
    job = job_add(ticket, title=canned_job.name, by=by, canned_job_id=canned_job.pk)
    for line in parts:
        part = Part.objects.get(pk=line["part_id"])
        ticket_add_part(by=by, ticket=ticket, part=part, quantity=line["quantity"], job_id=job.pk)
    for line in labor:
        ticket_add_labor(by=by, ticket=ticket, mechanic=mechanic, job_id=job.pk, **line)
    return job


@transaction.atomic
def job_update(*, by=None, ticket: ServiceTicket, job: Job, **changes) -> Job:
    """Rename or move a job (its authorization stands: its work is the same)."""
    ticket = lock_ticket(ticket)
    require_editable(ticket)
    job = _lock_job(ticket, job)
    before = {"job_id": job.pk, **{name: getattr(job, name) for name in changes}}
    for field, value in changes.items():
        if field not in {"title", "position"}:
            raise TypeError(f"job_update() got an unexpected field {field!r}")
        setattr(job, field, value)
    job.full_clean(exclude=["ticket"])
    job.save()
    record(ticket, Action.JOB_CHANGED, by, before=before, after={"job_id": job.pk, **changes})
    return job


@transaction.atomic
def job_delete(*, by=None, ticket: ServiceTicket, job: Job) -> None:
    """Delete a job and its lines; its parts go back to stock. An approved
    job of a started ticket is being worked on and stays (409)."""
    ticket = lock_ticket(ticket)
    require_editable(ticket)
    job = _lock_job(ticket, job)
    if job.status == JobStatus.APPROVED and ticket.status in STARTED:
        raise InvalidState(
            f"Job {job.pk} ({job.title}) is approved and the work has started: it stays.",
            code="job_started",
            job_id=job.pk,
            status=ticket.status,
        )
    if job.status != JobStatus.DECLINED:  # a declined job's parts are back already
        for line in job.part_lines.select_related("part").order_by("part_id"):
            return_part(ticket, line, line.quantity, by)
    before = {"job_id": job.pk, "title": job.title, "status": job.status}
    job.delete()
    record(ticket, Action.JOB_REMOVED, by, before=before)
    recalculate_totals(ticket)


def _named_jobs(ticket, field: str, ids: list[int], jobs: dict[int, Job]) -> list[Job]:
    errors = []
    for job_id in ids:
        job = jobs.get(job_id)
        if job is None:
            errors.append(f"Job {job_id} is not on this ticket.")
        elif job.status != JobStatus.PENDING:
            errors.append(f"Job {job_id} ({job.title}) is {job.status}, not pending.")
    if errors:
        raise ValidationError({field: errors})
    return [jobs[job_id] for job_id in ids]


@transaction.atomic
def ticket_authorize(
    *,
    by=None,
    ticket: ServiceTicket,
    method: str,
    approved_job_ids: Iterable[int] = (),
    declined_job_ids: Iterable[int] = (),
    declined_reason: str = "",
    note: str = "",
    signed_name: str = "",
    ip_address: str | None = None,
    user_agent: str = "",
) -> Authorization:
    """Record the customer's decision on pending jobs of the ticket: the
    approved ones become approved, the declined ones declined (their parts
    back to stock). An estimate with an approved job becomes approved; the
    status of a ticket further on does not move. Append-only: the
    authorization carries the amount then authorized (the approved jobs'
    total, discount and tax included)."""
    approved_ids = list(dict.fromkeys(approved_job_ids))
    declined_ids = list(dict.fromkeys(declined_job_ids))
    if not approved_ids and not declined_ids:
        raise ValidationError(
            {"approved_job_ids": ["Name at least one job to approve or to decline."]}
        )
    both = sorted(set(approved_ids) & set(declined_ids))
    if both:
        raise ValidationError(
            {
                "declined_job_ids": [
                    f"Job {job_id} cannot be approved and declined." for job_id in both
                ]
            }
        )
    ticket = lock_ticket(ticket)
    _require_authorizable(ticket)
    jobs = {
        job.pk: job
        for job in Job.objects.select_for_update()
        .filter(ticket=ticket, pk__in=[*approved_ids, *declined_ids])
        .order_by("pk")
    }
    for job in jobs.values():
        job.ticket = ticket
    approved = _named_jobs(ticket, "approved_job_ids", approved_ids, jobs)
    declined = _named_jobs(ticket, "declined_job_ids", declined_ids, jobs)
    return _decide(
        by=by,
        ticket=ticket,
        approved=approved,
        declined=declined,
        method=method,
        declined_reason=declined_reason.strip(),
        note=note,
        signed_name=signed_name.strip(),
        ip_address=ip_address,
        user_agent=user_agent[:500],
    )


def _require_authorizable(ticket: ServiceTicket) -> None:
    if ticket.status not in AUTHORIZABLE:
        raise InvalidState(
            f"The ticket is {ticket.status}: its work can no longer be authorized.",
            code="ticket_locked",
            status=ticket.status,
        )


def _decide(*, by, ticket, approved, declined, method, declined_reason, **details):
    moves = ticket.status == Status.ESTIMATE and bool(approved)
    for job in approved:
        set_job_status(job, JobStatus.APPROVED, by)
    for job in declined:
        set_job_status(job, JobStatus.DECLINED, by, reason=declined_reason)
        recommend(job, reason=declined_reason)
        for line in job.part_lines.select_related("part").order_by("part_id"):
            return_part(ticket, line, line.quantity, by, keep_line=True)
    if ticket.status == Status.ESTIMATE and approved:
        ticket.status = Status.APPROVED
        ticket.save(update_fields=["status", "updated_at"])
        record(
            ticket,
            Action.STATUS_CHANGED,
            by,
            before={"status": Status.ESTIMATE},
            after={"status": Status.APPROVED},
        )
    recalculate_totals(ticket)
    authorization = Authorization.objects.create(
        ticket=ticket,
        method=method,
        authorized_by=by if by is not None and by.is_authenticated else None,
        approved_job_ids=[job.pk for job in approved],
        declined_job_ids=[job.pk for job in declined],
        authorized_amount=ticket.authorized_total,
        declined_reason=declined_reason,
        **details,
    )
    record(
        ticket,
        Action.AUTHORIZED,
        by,
        after={
            "authorization_id": authorization.pk,
            "method": method,
            "approved_job_ids": authorization.approved_job_ids,
            "declined_job_ids": authorization.declined_job_ids,
            "authorized_amount": authorization.authorized_amount,
        },
    )
    # After the totals: the events show the ticket as this decision left it.
    if moves:
        event_record(type="ticket.status_changed", resource=ticket, data=ticket_data(ticket))
    event_record(
        type="job.authorized", resource=authorization, data=authorization_data(authorization)
    )
    return authorization


def pending_jobs(ticket: ServiceTicket) -> list[Job]:
    jobs = list(ticket.jobs.filter(status=JobStatus.PENDING).order_by("position", "id"))
    for job in jobs:
        job.ticket = ticket
    return jobs


def approve_all(*, by, ticket: ServiceTicket, method: str) -> Authorization:
    """``/approve/``: every pending job of the (locked) ticket approved. An
    estimate with nothing pending gets an empty approved "General" job, so
    the work (a diagnosis) can start as before jobs existed."""
    jobs = pending_jobs(ticket)
    if not jobs:
        jobs = [job_add(ticket, title=DEFAULT_JOB_TITLE, by=by)]
    return _decide(
        by=by, ticket=ticket, approved=jobs, declined=[], method=method, declined_reason=""
    )


def decline_all(*, by, ticket: ServiceTicket, method: str, reason: str) -> Authorization:
    """``/decline/``: every pending job of the (locked) ticket declined; on
    an approved ticket with nothing pending, the customer withdraws the
    approval: its approved jobs are declined and it is an estimate again."""
    jobs = pending_jobs(ticket)
    withdrawn = not jobs and ticket.status == Status.APPROVED
    if withdrawn:
        jobs = list(ticket.jobs.filter(status=JobStatus.APPROVED).order_by("position", "id"))
        for job in jobs:
            job.ticket = ticket
    authorization = _decide(
        by=by, ticket=ticket, approved=[], declined=jobs, method=method, declined_reason=reason
    )
    return authorization


def default_method(by) -> str:
    """The method of an ``/approve/`` or ``/decline/``: the customer's own
    is online; staff record one given at the counter."""
    if by is not None and getattr(by, "role", None) == "customer":
        return AuthorizationMethod.ONLINE
    return AuthorizationMethod.IN_PERSON
