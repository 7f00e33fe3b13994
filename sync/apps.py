from django.apps import AppConfig


class SyncConfig(AppConfig):
    name = "sync"
    verbose_name = "Sync"

    def ready(self):
        # Every delete of a synced record leaves a tombstone (the admin's too).
        from . import receivers

        receivers.connect()
