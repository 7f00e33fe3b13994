from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = "Service tickets"

    def ready(self):
        from django.db.models.signals import post_delete, post_save, pre_save

        from customers.models import Customer
        from inventory.models import Part
        from mechanic_shop.api import response_cache
        from mechanics.models import Mechanic

        from . import receivers
        from .models import (
            Job,
            LaborLine,
            Payment,
            Recommendation,
            ServiceTicket,
            TicketMechanic,
            TicketPart,
        )
        from .selectors import TICKETS

        # The cached ticket answers show the ticket, its jobs and lines,
        # payments' sums, its vehicle's open recommendations, mechanics' and
        # customers' names and parts' names.
        for model in (ServiceTicket, TicketMechanic, Job, TicketPart, LaborLine, Payment):
            response_cache.invalidate_on_change(model, TICKETS)
        for model in (Recommendation,):
            response_cache.invalidate_on_change(model, TICKETS)
        for model in (Customer, Mechanic, Part):
            response_cache.invalidate_on_change(model, TICKETS)

        # The popularity ranking counts assignments.
        response_cache.invalidate_on_change(TicketMechanic, "popular")
        # Ticket list counts: the mechanic filter reads assignments, the
        # search reads the customer's name.
        response_cache.invalidate_on_change(TicketMechanic, receivers.TICKET_COUNTS)
        response_cache.invalidate_on_change(Customer, receivers.TICKET_COUNTS)
        counts_uid = "tickets.list_counts"
        post_save.connect(receivers.ticket_post_save, ServiceTicket, dispatch_uid=counts_uid)
        post_delete.connect(receivers.ticket_post_delete, ServiceTicket, dispatch_uid=counts_uid)
        uid = "tickets.ticket_count"
        pre_save.connect(receivers.assignment_pre_save, TicketMechanic, dispatch_uid=uid)
        post_save.connect(receivers.assignment_post_save, TicketMechanic, dispatch_uid=uid)
        post_delete.connect(receivers.assignment_post_delete, TicketMechanic, dispatch_uid=uid)
