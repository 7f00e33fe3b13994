"""The outbox of emails: queued with the change, sent after the commit by
the worker's task (run in-process here), retried, given up, never twice."""

from datetime import timedelta

import pytest
from django.core import mail as django_mail
from django.db import transaction
from django.utils import timezone

from mail import attachments, services
from mail.models import OutboundEmail
from mail.signals import email_failed, email_sent
from mail.tasks import emails_sweep

pytestmark = pytest.mark.django_db(transaction=True)


def queue(**changes):
    fields = {"to": "rosa@example.com", "subject": "Hello", "body": "Body", "kind": "test"}
    return services.email_queue(**{**fields, **changes})


@pytest.fixture
def outcomes():
    seen = []

    def sent(sender, email, **kwargs):
        seen.append(("sent", email.pk))

    def failed(sender, email, **kwargs):
        seen.append(("failed", email.pk))

    email_sent.connect(sent, weak=False)
    email_failed.connect(failed, weak=False)
    yield seen
    email_sent.disconnect(sent)
    email_failed.disconnect(failed)


def test_an_email_is_sent_after_its_transaction_commits(outcomes):
    with transaction.atomic():
        email = queue()
        assert django_mail.outbox == []  # nothing leaves before the commit

    [message] = django_mail.outbox
    assert (message.to, message.subject, message.body) == (["rosa@example.com"], "Hello", "Body")
    email.refresh_from_db()
    assert (email.status, email.attempts, email.error) == ("sent", 1, "")
    assert email.sent_at is not None
    assert outcomes == [("sent", email.pk)]


def test_a_rolled_back_change_sends_nothing():
    with pytest.raises(RuntimeError), transaction.atomic():
        queue()
        raise RuntimeError

    assert not OutboundEmail.objects.exists()
    assert django_mail.outbox == []


def test_a_key_is_queued_once():
    first = queue(key="reminder:1")
    second = queue(key="reminder:1", subject="Another")

    assert first.pk == second.pk
    assert OutboundEmail.objects.count() == 1
    assert len(django_mail.outbox) == 1


def test_sending_again_sends_nothing_more():
    email = queue()

    assert services.email_send(email_id=email.pk) == ""
    assert len(django_mail.outbox) == 1


def test_no_address_is_failed_at_once(outcomes):
    email = queue(to="  ")

    assert (email.status, email.error) == ("failed", services.NO_ADDRESS)
    assert outcomes == [("failed", email.pk)]
    assert django_mail.outbox == []


def test_a_server_out_of_reach_is_tried_again_then_given_up(settings, outcomes):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", 9, False
    settings.MAIL_RETRY_DELAYS = [60, 300]
    email = queue()
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("pending", 1)
    assert "Connection refused" in email.error or "Errno" in email.error
    first_retry = email.next_attempt_at

    # Not due yet: the sweep leaves it alone.
    assert services.emails_sweep(now=first_retry - timedelta(seconds=1)) == 0
    services.emails_sweep(now=first_retry)
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("pending", 2)
    services.emails_sweep(now=email.next_attempt_at)
    email.refresh_from_db()
    assert (email.status, email.attempts, email.next_attempt_at) == ("failed", 3, None)
    assert outcomes == [("failed", email.pk)]


def test_a_refusal_is_final(smtp_server, outcomes):
    smtp_server.refuse.add("rosa@example.com")

    email = queue()

    email.refresh_from_db()
    assert (email.status, email.attempts) == ("failed", 1)
    assert "550" in email.error
    assert outcomes == [("failed", email.pk)]


def test_the_sweep_sends_what_was_never_dispatched(monkeypatch, settings):
    monkeypatch.setattr(services, "email_publish", lambda **kwargs: None)  # the broker down
    email = queue()
    assert django_mail.outbox == []

    assert emails_sweep() == 0  # not yet MAIL_SWEEP_AFTER_SECONDS old
    later = timezone.now() + timedelta(seconds=settings.MAIL_SWEEP_AFTER_SECONDS)
    assert services.emails_sweep(now=later) == 1

    assert len(django_mail.outbox) == 1
    email.refresh_from_db()
    assert email.status == "sent"


def test_an_attachment_is_rendered_when_sent(smtp_server):
    @attachments.register("test_note")
    def note(email):
        return (f"note-{email.attachment_args['n']}.txt", b"the note", "text/plain")

    queue(attachment="test_note", attachment_args={"n": 7})

    [message] = smtp_server.messages
    [attached] = list(message.iter_attachments())
    assert attached.get_filename() == "note-7.txt"
    assert attached.get_content() == "the note"


def test_an_unknown_attachment_is_retried_then_given_up(settings):
    settings.MAIL_RETRY_DELAYS = []
    email = queue(attachment="nothing_by_that_name")

    email.refresh_from_db()
    assert email.status == "failed"
    assert "nothing_by_that_name" in email.error


def test_the_admin_sends_a_failed_email_again(client, admin_user, smtp_server):
    smtp_server.refuse.add("rosa@example.com")
    email = queue()
    smtp_server.refuse.clear()
    client.force_login(admin_user)

    response = client.post(
        "/admin/mail/outboundemail/",
        {"action": "send_again", "_selected_action": [str(email.pk)]},
    )

    assert response.status_code == 302
    email.refresh_from_db()
    assert email.status == "sent"
    assert len(smtp_server.messages) == 1
    assert client.get(f"/admin/mail/outboundemail/{email.pk}/change/").status_code == 200
    assert client.get("/admin/mail/outboundemail/?status=sent").status_code == 200
