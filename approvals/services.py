"""The rules of approval links: issuing one for a ticket (and mailing it),
and recording the decision a customer makes on its page.

Both lock the ticket first and its links after it, the order every ticket
service follows (``tickets.services``): two links issued at once leave one
working, and two submissions of one page record one decision.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urljoin

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from customers.models import Customer
from mail.services import email_queue
from mechanic_shop.errors import Conflict, DomainError, InvalidState, NotFound
from shop.selectors import shop_settings
from tickets.models import Authorization, AuthorizationMethod, JobStatus, ServiceTicket
from tickets.services import ticket_authorize
from tickets.services.base import lock_ticket
from tickets.services.jobs import AUTHORIZABLE

from .models import ApprovalLink
from .tokens import link_token

logger = logging.getLogger(__name__)

# How long a link works, in hours: by default three days, at most a week.
DEFAULT_EXPIRES_IN_HOURS = 72
MAX_EXPIRES_IN_HOURS = 168


class LinkGone(DomainError):
    """The link existed but no longer works: expired, or replaced by a newer
    one (``code`` says which)."""

    default_message = "This approval link no longer works."
    default_code = "link_gone"


class AlreadyDecided(Conflict):
    """The link was used: it shows the decision it recorded, and takes no other."""

    default_message = "The decision on this approval link was already recorded."
    default_code = "already_decided"


@dataclass(frozen=True)
class IssuedLink:
    link: ApprovalLink
    url: str
    # The address the link is mailed to once the transaction commits.
    emailed_to: str | None

    @property
    def expires_at(self) -> datetime:
        return self.link.expires_at


def require_authorizable(ticket: ServiceTicket) -> None:
    """The customer can still authorize the ticket's work: not once it is
    invoiced, paid or cancelled (``tickets.services.jobs``)."""
    if ticket.status not in AUTHORIZABLE:
        raise InvalidState(
            f"The ticket is {ticket.status}: its work can no longer be authorized.",
            code="ticket_locked",
            status=ticket.status,
        )


def approval_link_check(link: ApprovalLink, *, now: datetime | None = None) -> None:
    """What a link's page may still do, in the order the page answers it:
    a revoked or expired link is gone (LinkGone), even when it was used; a
    used one shows its decision (AlreadyDecided); a ticket past the point of
    authorization refuses (InvalidState)."""
    now = now or timezone.now()
    if link.revoked_at is not None:
        raise LinkGone("This approval link was replaced by a newer one.", code="link_revoked")
    if link.expires_at <= now:
        raise LinkGone("This approval link has expired.", code="link_expired")
    if link.decided_at is not None:
        raise AlreadyDecided()
    require_authorizable(link.ticket)


@transaction.atomic
def approval_link_create(
    *,
    by,
    ticket: ServiceTicket,
    expires_in_hours: int = DEFAULT_EXPIRES_IN_HOURS,
    send_email: bool = False,
    site_url: str,
) -> IssuedLink:
    """A new link to the ticket's approval page, working for
    ``expires_in_hours``; the ticket's earlier links stop working.
    ``site_url`` is the address the URL starts with
    (``request.build_absolute_uri("/")``).

    ``send_email`` mails the link to the customer once the transaction has
    committed (a rolled-back link is never sent); a failure to send is
    logged, and the link stands."""
    if not 1 <= expires_in_hours <= MAX_EXPIRES_IN_HOURS:
        raise ValidationError(
            {"expires_in_hours": [f"Between 1 and {MAX_EXPIRES_IN_HOURS} hours."]}
        )
    ticket = lock_ticket(ticket)
    require_authorizable(ticket)
    now = timezone.now()
    ApprovalLink.objects.filter(ticket=ticket, revoked_at__isnull=True).update(revoked_at=now)
    link = ApprovalLink.objects.create(
        ticket=ticket,
        created_by=by if by is not None and by.is_authenticated else None,
        expires_at=now + timedelta(hours=expires_in_hours),
    )
    # The page answers with and without the trailing slash; reverse() of
    # such a route leaves it out, the documented path has it.
    path = reverse("approval-page", args=[link_token(link)]).rstrip("/") + "/"
    url = urljoin(site_url, path)
    emailed_to = None
    if send_email:
        customer = Customer.objects.select_related("user").get(pk=ticket.customer_id)
        emailed_to = customer.user.email
        _queue_link_email(link=link, url=url, to=emailed_to, customer_name=customer.name)
    return IssuedLink(link=link, url=url, emailed_to=emailed_to)


def _queue_link_email(*, link: ApprovalLink, url: str, to: str, customer_name: str) -> None:
    """The link's email, in the outbox of this transaction: the worker sends
    it once the link is committed (a rolled-back link is never sent)."""
    ticket = link.ticket
    shop = shop_settings().name
    expires = timezone.localtime(link.expires_at).strftime("%Y-%m-%d %H:%M %Z")
    vehicle = ticket.vehicle or f"vehicle {ticket.vin}"
    body = (
        f"Hello {customer_name},\n\n"
        f"Work on your {vehicle} (repair order #{ticket.pk}) is waiting for your approval.\n"
        "Review the estimate and approve or decline each job here:\n\n"
        f"{url}\n\n"
        f"The link works until {expires}. Only the latest link we sent works.\n\n"
        f"{shop}\n"
    )
    email_queue(
        to=to,
        subject=f"{shop}: your approval for repair order #{ticket.pk}",
        body=body,
        kind="approval_link",
        ticket=ticket,
        key=f"approval-link:{link.pk}",
    )


@transaction.atomic
def approval_link_decide(
    *,
    link: ApprovalLink,
    approved_job_ids: list[int],
    declined_job_ids: list[int],
    declined_reason: str = "",
    signed_name: str,
    ip_address: str | None = None,
    user_agent: str = "",
) -> Authorization:
    """Record the customer's decision made on the link's page: every pending
    job of the ticket approved or declined, signed with the customer's
    name, as an authorization of method ``link`` (``ticket_authorize``).
    The link then only shows that decision.

    Refused, changing nothing: a link gone or used, a ticket past
    authorization, nothing pending (Conflict), a missing signature, a
    pending job without a decision or a job no longer pending
    (ValidationError)."""
    ticket = lock_ticket(link.ticket)
    link = ApprovalLink.objects.select_for_update().filter(pk=link.pk).first()
    if link is None:  # its ticket deleted meanwhile
        raise NotFound("This approval link is not valid.", code="link_invalid")
    link.ticket = ticket
    approval_link_check(link)
    signed_name = signed_name.strip()
    if not signed_name:
        raise ValidationError({"signed_name": ["Type your full name to sign."]})
    pending = {job.pk: job for job in ticket.jobs.filter(status=JobStatus.PENDING).order_by("pk")}
    if not pending:
        raise Conflict(
            "Nothing on this repair order is waiting for a decision.", code="nothing_pending"
        )
    undecided = [
        job for pk, job in pending.items() if pk not in {*approved_job_ids, *declined_job_ids}
    ]
    if undecided:
        raise ValidationError(
            {"jobs": [f"Choose approve or decline for “{job.title}”." for job in undecided]}
        )
    authorization = ticket_authorize(
        by=None,
        ticket=ticket,
        method=AuthorizationMethod.LINK,
        approved_job_ids=approved_job_ids,
        declined_job_ids=declined_job_ids,
        declined_reason=declined_reason,
        signed_name=signed_name,
        ip_address=ip_address,
        user_agent=user_agent,
    )
    link.authorization = authorization
    link.decided_at = authorization.created_at
    link.save(update_fields=["authorization", "decided_at"])
    return authorization
