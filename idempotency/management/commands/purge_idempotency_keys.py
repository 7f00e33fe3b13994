from django.core.management.base import BaseCommand

from idempotency.services import keys_purge


class Command(BaseCommand):
    help = "Delete the Idempotency-Keys older than IDEMPOTENCY_KEY_TTL_HOURS and their answers."

    def handle(self, *args, **options):
        purged = keys_purge()
        self.stdout.write(f"{purged} expired idempotency keys deleted.")
