from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = "Service tickets"

    def ready(self):
        from mechanic_shop.api import response_cache

        from .models import TicketMechanic

        # The popularity ranking counts assignments.
        response_cache.invalidate_on_change(TicketMechanic, "popular")
