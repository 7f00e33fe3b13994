from django.core.management.base import BaseCommand

from sync import services


class Command(BaseCommand):
    help = "Delete the tombstones of deleted records older than SYNC_TOMBSTONE_DAYS."

    def handle(self, *args, **options):
        deleted = services.tombstones_purge()
        self.stdout.write(f"{deleted} tombstones purged.")
