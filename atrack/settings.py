"""A-TRACK settings: every value comes from the environment through one `env`.

With nothing set, the service runs on the embedded default: SQLite under `var/` and
background work processed inline.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ATRACK_VAR_DIR", BASE_DIR / "var"))

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)

_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = _DEV_SECRET_KEY

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "projects",
    "sessions_app",
    "events",
    "enrichment",
    "atrack",  # the dashboard's admin registrations and the demo commands
    "axes",
    "csp",
]

MIDDLEWARE = [
    "atrack.observability.RequestScopeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "atrack.urls"
WSGI_APPLICATION = "atrack.wsgi.application"
APPEND_SLASH = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
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


# --- Databases ---------------------------------------------------------------
# `DATABASE_URL` is the `default` alias (control plane and default data plane).
# Every `DATABASE_URL_<NAME>` adds the alias `<name>` for projects: one variable a shard.
DATABASE_ALIAS_PREFIX = "DATABASE_URL_"
CONN_MAX_AGE = env.int("CONN_MAX_AGE", default=600)


def _database(url: str) -> dict[str, Any]:
    config: dict[str, Any] = env.db_url_config(url)
    config["CONN_MAX_AGE"] = CONN_MAX_AGE
    config["CONN_HEALTH_CHECKS"] = True
    options = config.setdefault("OPTIONS", {})
    if config["ENGINE"] == "django.db.backends.sqlite3":
        Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        # WAL and IMMEDIATE transactions let the threaded web server and inline work
        # share one file without "database is locked" errors.
        options.setdefault("timeout", 20)
        options.setdefault("transaction_mode", "IMMEDIATE")
        options.setdefault("init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")
    elif "postgresql" in config["ENGINE"]:
        options.setdefault("connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5))
    return config


def _databases() -> dict[str, dict[str, Any]]:
    default_url = env.str("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'atrack.sqlite3'}")
    databases = {"default": _database(default_url)}
    for name, url in sorted(os.environ.items()):
        if name.startswith(DATABASE_ALIAS_PREFIX) and url:
            alias = name[len(DATABASE_ALIAS_PREFIX) :].lower()
            if not alias.isidentifier():
                raise ImproperlyConfigured(f"{name}: the alias must be a plain identifier.")
            databases[alias] = _database(url)
    return databases


DATABASES = _databases()
DATABASE_ROUTERS = ["projects.routing.DataPlaneRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


# --- Celery ------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
# Without a broker every task runs inline in the caller: the embedded default.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
# Nothing is lost: a message is acknowledged only after its work is done, and a worker
# killed mid-task gives its message back.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = env.int("CELERY_PREFETCH_MULTIPLIER", default=4)
# Celery's Django fixup closes the database connection after every task unless this is
# set: a new PostgreSQL connection per task holds a worker to ~130 tasks/s (~560 with it).
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1000)
CELERY_TASK_DEFAULT_QUEUE = "celery"
BROKER_SOCKET_TIMEOUT = env.float("BROKER_SOCKET_TIMEOUT", default=2.0)
# The visibility timeout bounds how long the work of a worker killed with SIGKILL stays
# invisible; kombu's re-scan every 2 s (default ~100 s) brings it back soon after.
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=20)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    "unacked_restore_interval": 2,
    "unacked_restore_throttle": 1,
    "socket_timeout": BROKER_SOCKET_TIMEOUT,
    "socket_connect_timeout": BROKER_SOCKET_TIMEOUT,
    "max_retries": 1,
    # A worker killed while holding kombu's restore lock would block restores for 300 s.
    "unacked_mutex_expire": 30,
}
CELERY_BROKER_CONNECTION_TIMEOUT = BROKER_SOCKET_TIMEOUT
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY = False


# --- Enrichment --------------------------------------------------------------
GEOIP_PATH = env.str("GEOIP_PATH", default=str(VAR_DIR / "geoip"))
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])


# --- API ---------------------------------------------------------------------
API_KEY_CACHE_SECONDS = env.float("API_KEY_CACHE_SECONDS", default=5.0)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "atrack.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "A-TRACK API",
    "OAS_VERSION": "3.1.0",
    "DESCRIPTION": "Sessions, attribution, attributes and events. See docs/api.md.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "atrack.api.openapi.finish_schema",
    ],
    "DISABLE_ERRORS_AND_WARNINGS": False,
}


# --- Web ---------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
WHITENOISE_USE_FINDERS = True

# --- Deploying behind TLS (docs/operations.md, "Deploying safely") -------------------
# TLS ends at the reverse proxy, which sets X-Forwarded-Proto; TRUST_PROXY_HTTPS makes
# requests it marks https count as secure (only ever behind such a proxy: a client could
# send the header itself).
if env.bool("TRUST_PROXY_HTTPS", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
# Probes and the metrics scrape come over plain HTTP from inside the deployment.
SECURE_REDIRECT_EXEMPT = [r"^health$", r"^ready$", r"^metrics$"]
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# Whether HSTS covers the domain's other hosts, or goes on the browsers' preload list,
# is the domain owner's call, not this service's: check --deploy does not ask for it.
SILENCED_SYSTEM_CHECKS = ["security.W005", "security.W021"]
SESSION_COOKIE_HTTPONLY = True
# Staff passwords: Django's validators (length 12, not common, not numeric, not like the
# username).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Dashboard logins: after LOGIN_FAILURE_LIMIT wrong passwords for one username from one
# address, that pair is refused (429) for LOGIN_LOCKOUT_MINUTES (django-axes, records in
# `default`; `manage.py axes_reset` lifts every lockout).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("LOGIN_LOCKOUT_MINUTES", default=15.0) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "atrack.clients.client_address"
AXES_VERBOSE = False
# The dashboard's Content-Security-Policy: scripts and everything else from this origin
# only. Inline styles stay allowed: the server-drawn SVG charts and Django's admin set
# style attributes. The API answers JSON and goes through no template.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# One JSON object per line (LOG_FORMAT=json, the default) or plain text for a terminal.
LOG_FORMAT = env.str("LOG_FORMAT", default="json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured("LOG_FORMAT must be json or text.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "atrack.observability.JsonFormatter"},
        "text": {
            "()": "atrack.observability.TextFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
    },
    "filters": {"request": {"()": "atrack.observability.RequestFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Refused requests get the access line, with the request id, project and key prefix;
    # django.request's own line for them has none of those.
    "loggers": {"django.server": {"level": "WARNING"}, "django.request": {"level": "ERROR"}},
}
# One access line per request of the API: `all`, `errors` (status 400 and up) or `off`.
# At thousands of requests a second they cost a sixth of a write's CPU (docs/performance.md).
ACCESS_LOG = env.str("ACCESS_LOG", default="all")
if ACCESS_LOG not in ("all", "errors", "off"):
    raise ImproperlyConfigured("ACCESS_LOG must be all, errors or off.")
# GET /metrics answers only with `Authorization: Bearer <METRICS_TOKEN>`; unset: off.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")


# --- Ingest ------------------------------------------------------------------
# Queued work travels in a Redis stream (events.ingest.stream): on the broker's Redis
# unless INGEST_REDIS_URL names another (needed when the broker is not Redis).
INGEST_REDIS_URL = env.str("INGEST_REDIS_URL", default="")
if CELERY_BROKER_URL and not (INGEST_REDIS_URL or CELERY_BROKER_URL).startswith(
    ("redis://", "rediss://")
):
    raise ImproperlyConfigured("With a broker other than Redis, set INGEST_REDIS_URL.")
# A worker reads up to INGEST_READ_ENTRIES entries at once and stores them in chunks of
# about INGEST_BATCH_ITEMS items, one transaction per project and chunk.
INGEST_READ_ENTRIES = env.int("INGEST_READ_ENTRIES", default=200)
INGEST_BATCH_ITEMS = env.int("INGEST_BATCH_ITEMS", default=1000)
# After a read that did not fill up, a consumer waits this long before the next, so that
# steady traffic is stored in chunks; it adds at most this much to the time until work
# is readable. 0 reads again at once.
INGEST_GATHER_SECONDS = env.float("INGEST_GATHER_SECONDS", default=0.2)
# Work read but unacknowledged this long (its consumer died, or its database failed) is
# claimed by a consumer, which looks four times a lease (after failed deliveries the wait
# doubles, up to eight leases); after INGEST_MAX_RETRIES deliveries that failed on
# database errors, the failing items are parked in FailedWork.
INGEST_LEASE_SECONDS = env.float("INGEST_LEASE_SECONDS", default=20.0)
INGEST_MAX_RETRIES = env.int("INGEST_MAX_RETRIES", default=6)
# Parked failed work lives with its project's data and goes with its retention period;
# unreadable queue entries (no project to belong to) are kept in `default` this long.
FAILED_WORK_UNATTRIBUTED_DAYS = env.int("FAILED_WORK_UNATTRIBUTED_DAYS", default=30)
CELERY_BEAT_SCHEDULE = {
    "retention-prune": {"task": "atrack.retention.prune", "schedule": 24 * 3600.0},
}
# Requests per second per key; 0 turns the limit off.
RATE_LIMIT_PER_SECOND = env.int("RATE_LIMIT_PER_SECOND", default=1000)
# Public-key requests per second from one public client address, counted in each web
# process (a public key is public: one address must not spend a project's budget); 0: off.
RATE_LIMIT_PER_ADDRESS = env.int("RATE_LIMIT_PER_ADDRESS", default=200)
# Unknown keys one address may send in a minute before it is refused without a look-up.
UNKNOWN_KEYS_PER_MINUTE = env.int("UNKNOWN_KEYS_PER_MINUTE", default=30)
BREAKER_SECONDS = env.float("BREAKER_SECONDS", default=5.0)
MAX_BODY_BYTES = 64 * 1024
MAX_BATCH_BODY_BYTES = 512 * 1024
MAX_BATCH_ITEMS = 100
# Objects and arrays nested deeper than this in a write body are refused (400).
MAX_JSON_DEPTH = 32
# Keys in one session's attribute map: writes that would add more are refused (409, or
# parked as `attribute_limit` when queued), so one visitor cannot grow a page without end.
MAX_SESSION_ATTRIBUTES = env.int("MAX_SESSION_ATTRIBUTES", default=1000)
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_BATCH_BODY_BYTES + 1024
# The ASGI entry point (scripts/serve) reads a request body within this many seconds or
# answers 408, as the proxy's client_body_timeout does in production.
BODY_READ_SECONDS = env.float("BODY_READ_SECONDS", default=10.0)
