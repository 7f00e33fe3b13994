"""Write a ticket's estimate or invoice PDF to a file (the README's image of
an invoice is made from one: ``make invoice-image``)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from mechanic_shop.errors import DomainError
from tickets import workflow
from tickets.models import ServiceTicket

from ...rendering import DOCUMENTS, INVOICE, render_pdf
from ...selectors import document_ticket


class Command(BaseCommand):
    help = "Write a ticket's estimate or invoice as PDF."

    def add_arguments(self, parser):
        parser.add_argument("document", choices=DOCUMENTS)
        parser.add_argument("output", help="The PDF file to write.")
        parser.add_argument(
            "--ticket",
            type=int,
            help="The ticket's id. Default: the invoiced (or paid) ticket with the most "
            "lines, the first invoice number among those.",
        )

    def handle(self, *args, document, output, ticket=None, **opts):
        pk = ticket if ticket is not None else self._fullest_invoiced()
        try:
            found = document_ticket(user=None, pk=pk)
            content = render_pdf(found, document)
        except ServiceTicket.DoesNotExist:
            raise CommandError(f"No ticket {pk}.") from None
        except DomainError as error:
            raise CommandError(error.message) from None
        Path(output).write_bytes(content)
        self.stdout.write(f"{document} of ticket {pk}: {output} ({len(content)} bytes)")

    def _fullest_invoiced(self) -> int:
        from django.db.models import Count

        pk = (
            ServiceTicket.objects.filter(status__in=workflow.BILLED)
            .annotate(
                lines=Count("part_lines", distinct=True) + Count("labor_lines", distinct=True)
            )
            .order_by("-lines", "invoice_number")
            .values_list("pk", flat=True)
            .first()
        )
        if pk is None:
            raise CommandError(f"No {INVOICE}d ticket: run seed_demo first, or name --ticket.")
        return pk
