"""Invoice numbers: sequential and gap-free, from one locked counter row."""

from django.db import IntegrityError, transaction
from django.db.models import Max

from ..models import InvoiceCounter, ServiceTicket


def next_invoice_number() -> int:
    """The next invoice number, under the counter row's lock: held until the
    invoice's transaction ends, so numbers are sequential and a rolled-back
    invoice gives its number back (``invoice_counter_ensure`` made the row)."""
    counter = InvoiceCounter.objects.select_for_update().filter(pk=1).first()
    if counter is None:  # removed while this transaction ran: made here, locked
        invoice_counter_ensure()
        counter = InvoiceCounter.objects.select_for_update().get(pk=1)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


def invoice_counter_ensure() -> None:
    """Make the invoice counter's row if there is none yet, numbering on
    from the highest invoice number already given (a new shop starts at 1).

    Called before the invoicing transaction takes its locks, in a
    transaction of its own: concurrent first invoices then race on a plain
    insert that one wins, never on locks they hold. Inside an invoice's
    transaction, on MySQL/MariaDB, every insert that meets another's new row
    waits with a shared lock on it and then wants it exclusive, which
    deadlocks two such invoices.
    """
    if InvoiceCounter.objects.filter(pk=1).exists():
        return
    start = ServiceTicket.objects.aggregate(n=Max("invoice_number"))["n"] or 0
    try:
        with transaction.atomic():
            InvoiceCounter.objects.create(pk=1, last_number=start)
    except IntegrityError:  # made meanwhile by a concurrent first invoice
        pass
