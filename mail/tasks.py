"""The worker's mail tasks; the sweep runs on beat's schedule
(``CELERY_BEAT_SCHEDULE``)."""

from celery import shared_task

from . import services


@shared_task
def email_send(email_id: str) -> str:
    return services.email_send(email_id=email_id)


@shared_task
def emails_sweep() -> int:
    return services.emails_sweep()
