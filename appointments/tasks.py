from celery import shared_task

from . import services


@shared_task
def appointment_reminders_send() -> int:
    """On the beat (CELERY_BEAT_SCHEDULE): the reminders now due."""
    return services.appointment_reminders_send()
