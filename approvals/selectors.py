"""Reads of approval links: the link a token names, and what its page shows."""

from django.core import signing

from mechanic_shop.errors import NotFound
from tickets.models import Authorization, Job
from tickets.selectors import ticket_jobs

from .models import ApprovalLink
from .tokens import read_link_token


def approval_link_from_token(token: str) -> ApprovalLink:
    """The link ``token`` names, with its ticket, the ticket's vehicle and
    the decision recorded through it. NotFound for a token this project did
    not sign, or whose link is no longer stored (its ticket deleted)."""
    try:
        ticket_id, nonce = read_link_token(token)
    except signing.BadSignature:
        raise NotFound("This approval link is not valid.", code="link_invalid")
    link = (
        ApprovalLink.objects.select_related("ticket__vehicle", "authorization")
        .filter(nonce=nonce, ticket_id=ticket_id)
        .first()
    )
    if link is None:
        raise NotFound("This approval link is not valid.", code="link_invalid")
    return link


def approval_page_jobs(*, link: ApprovalLink) -> list[Job]:
    """The ticket's jobs with their part and labor lines, in their order."""
    jobs = list(ticket_jobs(ticket=link.ticket))
    for job in jobs:
        job.ticket = link.ticket
    return jobs


def authorization_jobs(*, authorization: Authorization) -> tuple[list[Job], list[Job]]:
    """The jobs an authorization approved and declined, in the order named
    (a job deleted since is left out)."""
    ids = [*authorization.approved_job_ids, *authorization.declined_job_ids]
    jobs = Job.objects.filter(ticket_id=authorization.ticket_id).in_bulk(ids)
    return (
        [jobs[pk] for pk in authorization.approved_job_ids if pk in jobs],
        [jobs[pk] for pk in authorization.declined_job_ids if pk in jobs],
    )
