"""The periodic purge of expired keys, for the scheduler (the same work as
``manage.py purge_idempotency_keys``)."""

from celery import shared_task

from . import services


@shared_task
def idempotency_keys_purge() -> int:
    return services.keys_purge()
