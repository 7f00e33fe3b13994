"""The Celery app of the worker and the scheduler (``celery -A mechanic_shop
worker``, ``celery -A mechanic_shop beat``): its settings are Django's
``CELERY_*`` settings, its tasks each app's ``tasks.py``."""

import os

from celery import Celery
from celery.signals import worker_ready

# As wsgi.py: this module is imported with the package, before wsgi.py sets
# its default, so both must name the same one. `make worker` names dev.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mechanic_shop.settings.prod")

app = Celery("mechanic_shop")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# The worker's heartbeat, read by /readyz (mechanic_shop.health): written when
# a worker starts and then by a task on beat's schedule, so it says that a
# worker is taking tasks from the broker, not only that a process is up.
@app.task(name="mechanic_shop.worker_heartbeat")
def worker_heartbeat() -> None:
    from mechanic_shop.health import heartbeat_write

    heartbeat_write()


@worker_ready.connect
def _heartbeat_at_start(**kwargs) -> None:
    from mechanic_shop.health import heartbeat_write

    heartbeat_write()
