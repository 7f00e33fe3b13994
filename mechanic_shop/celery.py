"""The Celery app of the worker and the scheduler (``celery -A mechanic_shop
worker``, ``celery -A mechanic_shop beat``): its settings are Django's
``CELERY_*`` settings, its tasks each app's ``tasks.py``."""

import os

from celery import Celery

# As wsgi.py: this module is imported with the package, before wsgi.py sets
# its default, so both must name the same one. `make worker` names dev.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mechanic_shop.settings.prod")

app = Celery("mechanic_shop")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
