from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = "Service tickets"

    def ready(self):
        from django.db.models.signals import post_delete, post_save, pre_save

        from mechanic_shop.api import response_cache

        from . import receivers
        from .models import TicketMechanic

        # The popularity ranking counts assignments.
        response_cache.invalidate_on_change(TicketMechanic, "popular")
        uid = "tickets.ticket_count"
        pre_save.connect(receivers.assignment_pre_save, TicketMechanic, dispatch_uid=uid)
        post_save.connect(receivers.assignment_post_save, TicketMechanic, dispatch_uid=uid)
        post_delete.connect(receivers.assignment_post_delete, TicketMechanic, dispatch_uid=uid)
