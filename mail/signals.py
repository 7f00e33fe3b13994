"""The outcome of an email, for the app that asked for it (a ticket's
history, a document's log). Sent in the transaction that records it, with
``email`` the OutboundEmail."""

from django.dispatch import Signal

email_sent = Signal()
email_failed = Signal()
