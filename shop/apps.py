from django.apps import AppConfig


class ShopConfig(AppConfig):
    name = "shop"
    verbose_name = "Shop"

    def ready(self):
        from django.core.signals import setting_changed

        from . import receivers

        setting_changed.connect(receivers.follow_setting_in_tests, dispatch_uid="shop.settings_row")
