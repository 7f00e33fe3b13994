"""Settings shared by every environment.

Values come from the environment (12-factor); the defaults are the zero-service
laptop set-up: an SQLite file and a local-memory cache.
"""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import environ
import orjson

from mechanic_shop.redis_retry import FailFastRetry

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

# A development-only key; prod.py refuses to start without SECRET_KEY.
SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production-0123456789")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "accounts",
    "customers",
    "mechanics",
    "inventory",
    "tickets",
    "vehicles",
    "reports",
    "approvals",
    "canned_jobs",
    "idempotency",
    "events",
    "webhooks",
    "sync",
    "mail",
    "shop",
    "appointments",
    "timeclock",
    "documents",
]

MIDDLEWARE = [
    # First: every answer and every log line of a request carry its id.
    "mechanic_shop.request_log.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "mechanic_shop.api.middleware.RequestBodyLimitMiddleware",
    "mechanic_shop.api.middleware.RateLimitHeadersMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "shop.middleware.AdminShopTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "mechanic_shop.urls"
WSGI_APPLICATION = "mechanic_shop.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def database_config(url: str, *, conn_max_age: int) -> dict:
    """Turn a ``DATABASE_URL`` into Django's settings, with per-engine options.

    MySQL/MariaDB: utf8mb4, strict mode, READ COMMITTED (what the stock and
    invoice-number locking is written for), persistent connections that are
    health-checked before reuse so a restarted server is survived.
    SQLite: a busy timeout so concurrent writers wait instead of failing,
    and transactions that take the write lock when they begin.
    """
    config = environ.Env.db_url_config(url)
    engine = config["ENGINE"]
    options = config.setdefault("OPTIONS", {})
    if "mysql" in engine:
        options.setdefault("charset", "utf8mb4")
        options.setdefault("init_command", "SET sql_mode='STRICT_TRANS_TABLES'")
        options.setdefault("isolation_level", "read committed")
        options.setdefault("connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=3))
        config["CONN_MAX_AGE"] = conn_max_age
        config["CONN_HEALTH_CHECKS"] = True
        config.setdefault("TEST", {})
        config["TEST"].setdefault("CHARSET", "utf8mb4")
        config["TEST"].setdefault("COLLATION", "utf8mb4_unicode_ci")
    elif "sqlite" in engine:
        options.setdefault("timeout", 20)
        # Transactions take the write lock when they begin: a deferred one
        # that reads, then writes, fails at once with "database is locked"
        # when another process writes meanwhile (the busy timeout cannot help
        # it), which concurrent add-part requests met under gunicorn.
        options.setdefault("transaction_mode", "IMMEDIATE")
    return config


DATABASES = {
    "default": database_config(
        env("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env.int("CONN_MAX_AGE", default=0),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def cache_config(redis_url: str | None) -> dict:
    """Redis through django-redis when ``REDIS_URL`` is set, else local memory.

    ``default`` holds cached answers: a Redis outage must cost speed, not
    availability, so IGNORE_EXCEPTIONS turns its errors into misses and short
    socket timeouts keep a dead Redis from stalling requests.
    ``throttle`` holds rate-limit counters on the same server, but raises on
    errors so the throttles know Redis is gone and count locally instead
    (see mechanic_shop.api.throttles).
    Both fail at once for ``REDIS_UNREACHABLE_SECONDS`` after a connection
    failure (see mechanic_shop.redis_retry).
    """
    if redis_url:

        def redis(ignore_exceptions: bool) -> dict:
            return {
                "BACKEND": "django_redis.cache.RedisCache",
                "LOCATION": redis_url,
                "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="mechanic_shop"),
                "OPTIONS": {
                    "CLIENT_CLASS": "django_redis.client.DefaultClient",
                    "IGNORE_EXCEPTIONS": ignore_exceptions,
                    "SOCKET_CONNECT_TIMEOUT": env.float("REDIS_CONNECT_TIMEOUT", default=0.25),
                    "SOCKET_TIMEOUT": env.float("REDIS_SOCKET_TIMEOUT", default=0.25),
                    "CONNECTION_POOL_KWARGS": {"retry": FailFastRetry()},
                },
            }

        return {"default": redis(True), "throttle": redis(False)}

    def local(name: str) -> dict:
        return {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": name,
            "OPTIONS": {"MAX_ENTRIES": 10_000},
        }

    return {"default": local("mechanic-shop"), "throttle": local("mechanic-shop-throttle")}


REDIS_URL = env("REDIS_URL", default=None)
CACHES = cache_config(REDIS_URL)
# After a Redis call fails on the connection, each process answers without
# Redis for this long before trying it again (mechanic_shop.redis_retry).
REDIS_UNREACHABLE_SECONDS = env.float("REDIS_UNREACHABLE_SECONDS", default=5.0)
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
# How long a cached list answer may live when no write invalidates it first.
RESPONSE_CACHE_TIMEOUT = env.int("RESPONSE_CACHE_TIMEOUT", default=300)
# The same for the counts of ticket lists (mechanic_shop.api.counts): writes
# invalidate them exactly, the timeout only bounds a write made around the
# ORM (a raw UPDATE).
COUNT_CACHE_TIMEOUT = env.int("COUNT_CACHE_TIMEOUT", default=3600)

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        # Profiles carry the person's name; the user row only the email.
        "OPTIONS": {"user_attributes": ("email", "name")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Every path answers with and without its trailing slash (routes are written
# with an optional slash), so Django must never redirect to add one: a
# redirected POST loses its body.
APPEND_SLASH = False

# Request bodies above this many bytes are refused with 413 before parsing.
REQUEST_BODY_MAX_BYTES = env.int("REQUEST_BODY_MAX_BYTES", default=1_048_576)
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_BODY_MAX_BYTES

THROTTLE_RATES = {
    "anon": env("THROTTLE_ANON", default="100/min"),
    "user": env("THROTTLE_USER", default="1000/min"),
    "login": env("THROTTLE_LOGIN", default="5/min"),
}
# The customer's approval pages (approvals.throttles), per client IP.
THROTTLE_APPROVAL = env("THROTTLE_APPROVAL", default="30/min")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ShopJWTAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["drf_orjson_renderer.renderers.ORJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["drf_orjson_renderer.parsers.ORJSONParser"],
    # DRF keys the errors of list items by index (an int).
    "ORJSON_RENDERER_OPTIONS": (orjson.OPT_NON_STR_KEYS,),
    "DEFAULT_FILTER_BACKENDS": [
        "mechanic_shop.api.filter_backends.ShopFilterBackend",
        "rest_framework.filters.SearchFilter",
        "mechanic_shop.api.filter_backends.ShopOrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "mechanic_shop.api.pagination.ShopPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_THROTTLE_CLASSES": [
        "mechanic_shop.api.throttles.AnonRateThrottle",
        "mechanic_shop.api.throttles.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": THROTTLE_RATES,
    # Behind N reverse proxies, the client address is the Nth from the right
    # of X-Forwarded-For; unset means REMOTE_ADDR is the client.
    "NUM_PROXIES": env.int("NUM_PROXIES", default=None),
    "EXCEPTION_HANDLER": "mechanic_shop.api.exceptions.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "COERCE_DECIMAL_TO_STRING": True,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=30)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "ALGORITHM": "HS256",
    "SIGNING_KEY": env("JWT_SIGNING_KEY", default=SECRET_KEY),
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
    "TOKEN_REFRESH_SERIALIZER": "accounts.serializers.RefreshSerializer",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Mechanic Shop API",
    "DESCRIPTION": (
        "Back end of an independent auto repair shop: customers, mechanics, "
        "service tickets (repair orders) and the parts inventory.\n\n"
        "**Authentication.** Log in with `POST /customers/login/`, "
        "`POST /mechanics/login/` or `POST /auth/login/`, then press "
        "*Authorize* and paste the `access` token: every request then carries "
        "`Authorization: Bearer <token>`.\n\n"
        "**Lists** are paginated: `?page=2&page_size=10` or `?limit=10&offset=20` "
        "(default 20 items, maximum 100), answering `{count, next, previous, results}`.\n\n"
        "**Errors** are JSON: 400 names the fields, 401 missing/invalid token, "
        "403 wrong role, 404 unknown object, 409 conflict with the current state, "
        "413 body too large, 429 throttled (with `Retry-After`)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"persistAuthorization": True, "displayRequestDuration": True},
    "COMPONENT_SPLIT_REQUEST": True,
    # Enums named for what they are, not for the field that holds them
    # ("MethodEnum" would read as an HTTP method).
    "ENUM_NAME_OVERRIDES": {
        "TicketStatusEnum": "tickets.workflow.Status",
        "PaymentMethodEnum": "tickets.models.PaymentMethod",
        "TicketEventActionEnum": "tickets.models.TicketEvent.Action",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "mechanic_shop.api.schema.integer_path_ids",
        "idempotency.schema.document_idempotency_keys",
        "mechanic_shop.api.schema.add_cross_cutting_responses",
    ],
}

# Cross-origin browsers are refused unless their origin is listed.
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        # One JSON object per line (production: mechanic_shop.request_log).
        "json": {"()": "mechanic_shop.request_log.JsonFormatter"},
    },
    "filters": {
        "skip_failed_fast": {"()": "mechanic_shop.redis_retry.SkipFailedFast"},
        "request_id": {"()": "mechanic_shop.request_log.RequestIdFilter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "django_redis": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        # A logger's filters see only its own records: the one that logs the
        # errors django-redis ignores.
        "django_redis.cache": {"filters": ["skip_failed_fast"]},
    },
}

# The shop's money rules: the default labor rate per hour and the tax rates
# (fractions: 0.0825 is 8.25 %) on parts and on labor, after any discount.
SHOP_LABOR_RATE = Decimal(env("SHOP_LABOR_RATE", default="95.00"))
SHOP_PARTS_TAX_RATE = Decimal(env("SHOP_PARTS_TAX_RATE", default="0.0825"))
SHOP_LABOR_TAX_RATE = Decimal(env("SHOP_LABOR_TAX_RATE", default="0.05"))

# The name the customer's pages and mails are signed with (approvals).
SHOP_NAME = env("SHOP_NAME", default="Mechanic Shop")

# The rest of the shop's settings (shop.models.ShopSettings). These, with the
# SHOP_* above, are only the defaults the settings row is created with at its
# first migration; from then on the row is what counts (GET/PATCH /shop/).
SHOP_ADDRESS = env("SHOP_ADDRESS", default="")
SHOP_PHONE = env("SHOP_PHONE", default="")
SHOP_EMAIL = env("SHOP_EMAIL", default="")
SHOP_TIME_ZONE = env("SHOP_TIME_ZONE", default="America/Chicago")
SHOP_BAYS = env.int("SHOP_BAYS", default=4)
SHOP_APPOINTMENT_MINUTES = env.int("SHOP_APPOINTMENT_MINUTES", default=60)
SHOP_SLOT_STEP_MINUTES = env.int("SHOP_SLOT_STEP_MINUTES", default=30)
SHOP_REMINDER_LEAD_HOURS = env.int("SHOP_REMINDER_LEAD_HOURS", default=24)
SHOP_BOOKING_HORIZON_DAYS = env.int("SHOP_BOOKING_HORIZON_DAYS", default=60)

# Mail, sent by the worker (mail.services): SMTP when EMAIL_HOST is set,
# else printed on the console (a laptop); each send bounded by EMAIL_TIMEOUT.
EMAIL_HOST = env("EMAIL_HOST", default="")
EMAIL_PORT = env.int("EMAIL_PORT", default=587)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="shop@localhost")
# The outbox of emails (mail.services): one whose dispatch never arrived is
# sent by the sweep this many seconds after its commit; a failed try is
# tried again after each delay (seconds), then given up.
MAIL_SWEEP_AFTER_SECONDS = env.int("MAIL_SWEEP_AFTER_SECONDS", default=60)
MAIL_RETRY_DELAYS = env.list("MAIL_RETRY_DELAYS", cast=int, default=[60, 300, 1800, 7200])

# How long a POST or PATCH's Idempotency-Key and its stored answer are kept
# (idempotency.services; purge_idempotency_keys deletes them afterwards).
IDEMPOTENCY_KEY_TTL_HOURS = env.int("IDEMPOTENCY_KEY_TTL_HOURS", default=24)

# Cached list answers (inventory, mechanics, popular). Off only to measure
# what the cache buys (see bench/).
RESPONSE_CACHE_ENABLED = env.bool("RESPONSE_CACHE_ENABLED", default=True)

# Background work (events, webhooks): Celery, on Redis in production. With
# no broker (a laptop) tasks run in the process once the transaction that
# queued them commits; `make worker` needs one. Publishing never waits long
# on a dead broker: a task not published is found by the sweep (events.tasks).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=1.0)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": CELERY_BROKER_CONNECTION_TIMEOUT,
    "socket_timeout": 5,
    "max_retries": 1,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY = False
CELERY_TASK_IGNORE_RESULT = True
# A task whose worker died mid-way runs again: every task is idempotent.
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# The worker logs through LOGGING as the web processes do (the request id on
# every line, JSON under production settings), not through Celery's own setup.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = TIME_ZONE
# The worker's heartbeat (/readyz): written this often, stale after 3 beats.
WORKER_HEARTBEAT_SECONDS = env.float("WORKER_HEARTBEAT_SECONDS", default=15.0)
CELERY_BEAT_SCHEDULE = {
    "events-sweep": {
        "task": "events.tasks.events_sweep",
        "schedule": env.float("EVENT_SWEEP_EVERY_SECONDS", default=60.0),
    },
    "events-purge": {"task": "events.tasks.events_purge", "schedule": 3600.0},
    "idempotency-keys-purge": {
        "task": "idempotency.tasks.idempotency_keys_purge",
        "schedule": 3600.0,
    },
    "webhooks-sweep": {
        "task": "webhooks.tasks.deliveries_sweep",
        "schedule": env.float("WEBHOOK_SWEEP_EVERY_SECONDS", default=10.0),
    },
    "tombstones-purge": {"task": "sync.tasks.tombstones_purge", "schedule": 86400.0},
    "worker-heartbeat": {
        "task": "mechanic_shop.worker_heartbeat",
        "schedule": WORKER_HEARTBEAT_SECONDS,
    },
    "mail-sweep": {
        "task": "mail.tasks.emails_sweep",
        "schedule": env.float("MAIL_SWEEP_EVERY_SECONDS", default=30.0),
    },
}
# Appointment reminders (appointments.tasks): each run queues the reminders
# now due; the outbox key makes a second run for the same start mail nothing.
CELERY_BEAT_SCHEDULE["appointment-reminders"] = {
    "task": "appointments.tasks.appointment_reminders_send",
    "schedule": env.float("APPOINTMENT_REMINDERS_EVERY_SECONDS", default=60.0),
}
# Events (events.models.Event): kept this many days, then purged; one not
# dispatched this many seconds after its commit is dispatched by the sweep.
EVENT_RETENTION_DAYS = env.int("EVENT_RETENTION_DAYS", default=30)
EVENT_SWEEP_AFTER_SECONDS = env.int("EVENT_SWEEP_AFTER_SECONDS", default=60)
# Webhooks (webhooks.services): a 2xx within the timeout is a delivery; else
# tried again after each delay (seconds), then given up; an endpoint with
# this many events given up in a row is disabled. Private, loopback and
# link-local addresses are refused (webhooks.addresses); loopback allowed in
# dev and tests, https required in production.
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
WEBHOOK_RETRY_DELAYS = env.list(
    "WEBHOOK_RETRY_DELAYS", cast=int, default=[30, 120, 600, 3600, 21600]
)
WEBHOOK_DISABLE_AFTER = env.int("WEBHOOK_DISABLE_AFTER", default=20)
WEBHOOKS_ALLOW_LOOPBACK = env.bool("WEBHOOKS_ALLOW_LOOPBACK", default=False)
WEBHOOKS_REQUIRE_HTTPS = env.bool("WEBHOOKS_REQUIRE_HTTPS", default=False)

# Incremental sync (README, "Sync and limits"). Tombstones of deleted records
# are kept this many days (purge_tombstones, or the worker's daily task).
SYNC_TOMBSTONE_DAYS = env.int("SYNC_TOMBSTONE_DAYS", default=90)
# A list read in (updated_at, id) order by cursor leaves out the records
# changed in the last seconds: a transaction still open may yet commit a row
# stamped then, which a cursor already past that time would never see.
SYNC_SETTLE_SECONDS = env.float("SYNC_SETTLE_SECONDS", default=2.0)
