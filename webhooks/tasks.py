from celery import shared_task

from . import services


@shared_task
def delivery_send(delivery_id: int, token: str) -> bool:
    return services.delivery_send(delivery_id=delivery_id, token=token) is not None


@shared_task
def deliveries_sweep() -> int:
    return services.deliveries_sweep()
