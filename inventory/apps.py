from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "inventory"
    verbose_name = "Inventory"

    def ready(self):
        from mechanic_shop.api import response_cache

        from .models import Part

        response_cache.invalidate_on_change(Part, "inventory")
