"""``event_dispatched`` is sent once per event, inside the transaction that
marks it dispatched (events.services.event_dispatch): an integration's
receiver writes its own work there (webhooks: one delivery per endpoint) and
queues it on commit. A receiver that raises leaves the event undispatched,
for the sweep to try again."""

from django.dispatch import Signal

event_dispatched = Signal()  # sender=Event, event=<Event>
