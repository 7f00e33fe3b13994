"""The worker's events tasks; the sweep and the purge run on beat's schedule
(``CELERY_BEAT_SCHEDULE``)."""

from celery import shared_task

from . import services


@shared_task
def event_dispatch(event_id: str) -> bool:
    return services.event_dispatch(event_id=event_id)


@shared_task
def events_sweep() -> int:
    return services.events_sweep()


@shared_task
def events_purge() -> int:
    return services.events_purge()
