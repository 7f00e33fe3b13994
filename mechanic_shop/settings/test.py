"""Settings for pytest: the dev defaults plus a fast password hasher.

``DATABASE_URL`` and ``REDIS_URL`` point the same suite at MariaDB and Redis.
Throttles stay on (the tests that prove them rely on it); their rates are high
enough that other tests never meet them.
"""

from .base import *

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Static files straight from the apps (no collectstatic on a laptop).
WHITENOISE_USE_FINDERS = True
STATIC_ROOT = None
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
THROTTLE_RATES.update(
    anon=env("THROTTLE_ANON", default="10000/min"),
    user=env("THROTTLE_USER", default="10000/min"),
)
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = THROTTLE_RATES
LOGGING["root"]["level"] = "WARNING"
# Tasks run in the test's process after its commit, Redis or not (the
# worker's own tests, marked "worker", turn this off).
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
# The tests' webhook receiver listens on 127.0.0.1.
WEBHOOKS_ALLOW_LOOPBACK = env.bool("WEBHOOKS_ALLOW_LOOPBACK", default=True)
