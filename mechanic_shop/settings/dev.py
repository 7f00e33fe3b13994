"""Laptop settings: DEBUG on, SQLite file and local-memory cache unless the
environment names a database or Redis."""

from .base import *

DEBUG = env.bool("DEBUG", default=True)
# Static files straight from the apps (no collectstatic on a laptop).
WHITENOISE_USE_FINDERS = True
STATIC_ROOT = None
WHITENOISE_AUTOREFRESH = True
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}

# Webhooks to a receiver on this machine.
WEBHOOKS_ALLOW_LOOPBACK = env.bool("WEBHOOKS_ALLOW_LOOPBACK", default=True)
