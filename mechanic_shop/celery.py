"""The Celery app of the worker and the scheduler (``celery -A mechanic_shop
worker``, ``celery -A mechanic_shop beat``): its settings are Django's
``CELERY_*`` settings, its tasks each app's ``tasks.py``."""

import os

from celery import Celery
from celery.signals import before_task_publish, task_postrun, task_prerun, worker_ready

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


# The request id (mechanic_shop.request_log) travels with the tasks a request
# queues, as a message header, and is the id of the task's log lines in the
# worker. A task the sweep or beat queued has none ("-").
REQUEST_ID_HEADER = "request_id"


@before_task_publish.connect
def _send_request_id(headers=None, **kwargs) -> None:
    from mechanic_shop.request_log import request_id_var

    request_id = request_id_var.get()
    if request_id and headers is not None:
        headers.setdefault(REQUEST_ID_HEADER, request_id)


@task_prerun.connect
def _take_request_id(task=None, **kwargs) -> None:
    from mechanic_shop.request_log import request_id_var

    # A header of the message is an attribute of the task's request (Celery
    # 5, protocol 2); a task run in the process that queued it (no broker)
    # keeps the request's own id.
    request_id = getattr(task.request, REQUEST_ID_HEADER, None)
    if request_id:
        task.request.request_id_token = request_id_var.set(request_id)


@task_postrun.connect
def _drop_request_id(task=None, **kwargs) -> None:
    from mechanic_shop.request_log import request_id_var

    token = getattr(task.request, "request_id_token", None)
    if token is not None:
        request_id_var.reset(token)
        task.request.request_id_token = None
