from django.apps import AppConfig


class MechanicsConfig(AppConfig):
    name = "mechanics"

    def ready(self):
        from accounts.models import User
        from mechanic_shop.api import response_cache

        from .models import Mechanic

        response_cache.invalidate_on_change(Mechanic, "mechanics", "popular")
        # A mechanic's email lives on its user.
        response_cache.invalidate_on_change(
            User, "mechanics", "popular", when=lambda user: user.role == "mechanic"
        )
