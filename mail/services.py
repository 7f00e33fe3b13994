"""The outbox of emails: queued in the caller's transaction, sent by the
worker after it commits, at least once, and never again once sent.

A send holds the email's row lock, so two workers (or a task and the sweep)
never send the same email twice; a worker that dies after the SMTP server
took the message but before its commit sends it again on the next try,
which is the at-least-once of every outbox. A server's refusal (5xx) is
final; anything else (the server unreachable, a 4xx, the attachment failing
to render) is tried again after ``MAIL_RETRY_DELAYS``, then given up."""

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone

from . import attachments
from .models import OutboundEmail
from .signals import email_failed, email_sent

logger = logging.getLogger(__name__)

SWEEP_BATCH = 200
NO_ADDRESS = "no email address"


def email_queue(
    *,
    to: str,
    subject: str,
    body: str,
    kind: str,
    ticket=None,
    key: str | None = None,
    attachment: str = "",
    attachment_args: dict | None = None,
) -> OutboundEmail:
    """Write the email in the caller's transaction; the worker sends it once
    that commits (a rolled-back change sends nothing). A ``key`` already
    queued returns that email and queues nothing. No address: the email is
    recorded as failed at once (``email_failed`` is sent)."""
    if key is not None:
        existing = OutboundEmail.objects.filter(key=key).first()
        if existing is not None:
            return existing
    now = timezone.now()
    email = OutboundEmail(
        kind=kind,
        key=key,
        to=(to or "").strip(),
        subject=subject[:255],
        body=body,
        attachment=attachment,
        attachment_args=attachment_args or {},
        ticket=ticket,
        next_attempt_at=now + timedelta(seconds=settings.MAIL_SWEEP_AFTER_SECONDS),
    )
    if not email.to:
        email.status = OutboundEmail.Status.FAILED
        email.error = NO_ADDRESS
        email.next_attempt_at = None
    try:
        with transaction.atomic():  # a savepoint: the key taken meanwhile
            email.save(force_insert=True)
    except IntegrityError:
        if key is None:
            raise
        return OutboundEmail.objects.get(key=key)
    if email.status == OutboundEmail.Status.FAILED:
        email_failed.send(sender=OutboundEmail, email=email)
    else:
        transaction.on_commit(lambda: email_publish(email_id=email.pk))
    return email


def email_publish(*, email_id) -> None:
    """Queue the send (run in the process without a broker). A broker out of
    reach is not waited on: the sweep sends the email."""
    from .tasks import email_send as task

    try:
        task.delay(str(email_id))
    except Exception:  # kombu's connection errors are not one class
        logger.warning("email %s not queued; the sweep will send it", email_id, exc_info=True)


def _is_refusal(error: Exception) -> bool:
    """The server said no for good (a 5xx), as opposed to 'not now'."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


def _message(email: OutboundEmail) -> EmailMessage:
    message = EmailMessage(email.subject, email.body, settings.DEFAULT_FROM_EMAIL, [email.to])
    if email.attachment:
        message.attach(*attachments.render(email))
    return message


@transaction.atomic
def email_send(*, email_id, now=None) -> str:
    """Send one pending email, under its row lock; its status afterwards
    ('' when it was not pending: sent or given up already)."""
    email = (
        OutboundEmail.objects.select_for_update()
        .filter(pk=email_id, status=OutboundEmail.Status.PENDING)
        .first()
    )
    if email is None:
        return ""
    email.attempts += 1
    try:
        _message(email).send(fail_silently=False)
    except Exception as error:  # what any backend or renderer raises
        delays = settings.MAIL_RETRY_DELAYS
        final = _is_refusal(error) or email.attempts > len(delays)
        email.error = f"{type(error).__name__}: {error}"[:2000]
        logger.warning(
            "email %s (%s), try %s: not sent%s",
            email.pk,
            email.kind,
            email.attempts,
            "" if not final else ", given up",
            exc_info=not _is_refusal(error),
        )
        if final:
            email.status = OutboundEmail.Status.FAILED
            email.next_attempt_at = None
        else:
            now = now or timezone.now()
            email.next_attempt_at = now + timedelta(seconds=delays[email.attempts - 1])
        email.save(update_fields=["attempts", "error", "status", "next_attempt_at"])
        if final:
            email_failed.send(sender=OutboundEmail, email=email)
        return email.status
    email.status = OutboundEmail.Status.SENT
    email.sent_at = timezone.now()
    email.error = ""
    email.next_attempt_at = None
    email.save(update_fields=["attempts", "error", "status", "next_attempt_at", "sent_at"])
    email_sent.send(sender=OutboundEmail, email=email)
    return email.status


def emails_sweep(*, now=None) -> int:
    """Send the pending emails that are due: those whose dispatch never
    arrived (the broker or the worker down at commit) and those waiting to
    be tried again. Oldest first; the number looked at."""
    now = now or timezone.now()
    due = (
        OutboundEmail.objects.filter(status=OutboundEmail.Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    due = list(due)
    for pk in due:
        email_send(email_id=pk, now=now)
    return len(due)


@transaction.atomic
def email_retry(*, email: OutboundEmail) -> OutboundEmail:
    """Send a failed email again (the admin's action), from the first try."""
    email = OutboundEmail.objects.select_for_update().get(pk=email.pk)
    if email.status != OutboundEmail.Status.FAILED or not email.to:
        return email
    email.status = OutboundEmail.Status.PENDING
    email.attempts = 0
    email.next_attempt_at = timezone.now() + timedelta(seconds=settings.MAIL_SWEEP_AFTER_SECONDS)
    email.save(update_fields=["status", "attempts", "next_attempt_at"])
    transaction.on_commit(lambda: email_publish(email_id=email.pk))
    return email
