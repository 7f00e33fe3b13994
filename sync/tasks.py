"""The worker's sync task; the purge runs on beat's schedule
(``CELERY_BEAT_SCHEDULE``)."""

from celery import shared_task

from . import services


@shared_task
def tombstones_purge() -> int:
    return services.tombstones_purge()
