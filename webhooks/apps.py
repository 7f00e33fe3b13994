from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Webhooks"

    def ready(self):
        from events.signals import event_dispatched

        from . import services

        event_dispatched.connect(services.event_fan_out, dispatch_uid="webhooks.fan_out")
