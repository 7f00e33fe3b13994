"""Production: MySQL/MariaDB and Redis from the environment, DEBUG off,
HTTPS hardening that can be tuned for a deployment behind a TLS proxy."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *
from .base import cache_config, database_config, env

if not os.environ.get("SECRET_KEY"):
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Production settings need a long random SECRET_KEY "
        "in the environment, e.g. "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))'."
    )
SECRET_KEY = os.environ["SECRET_KEY"]
SIMPLE_JWT["SIGNING_KEY"] = env("JWT_SIGNING_KEY", default=SECRET_KEY)

DEBUG = False
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])

DATABASES = {
    "default": database_config(
        env("DATABASE_URL", default="sqlite:////var/lib/mechanic-shop/db.sqlite3"),
        conn_max_age=env.int("CONN_MAX_AGE", default=600),
    )
}
CACHES = cache_config(env("REDIS_URL", default=None))

# HTTPS. Behind a TLS-terminating proxy set SECURE_PROXY_SSL_HEADER=true so
# Django trusts X-Forwarded-Proto, or SECURE_SSL_REDIRECT=false when the proxy
# already redirects.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# The load balancer's probes come in plain HTTP on the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz/?$", r"^readyz/?$"]
if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
X_FRAME_OPTIONS = "DENY"

# Swagger UI and the browsable pieces are for integrators; in production the
# schema stays available (it documents the contract), errors never show a
# traceback.
LOGGING["root"]["level"] = env("LOG_LEVEL", default="INFO")
# One JSON object per line, for the log collector.
LOGGING["handlers"]["console"]["formatter"] = "json"

# Webhooks go out over https only (webhooks.addresses).
WEBHOOKS_REQUIRE_HTTPS = env.bool("WEBHOOKS_REQUIRE_HTTPS", default=True)
