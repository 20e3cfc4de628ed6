"""Django settings, all from the environment through :mod:`yilian.conf`."""

from __future__ import annotations

import ipaddress
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from yilian import conf, files, storage
from yilian.licenses.keys import configured_key
from yilian.observability import logs, sentry
from yilian.production import require_shared_keys

DATA_DIR = conf.data_dir()


def _secret(name: str) -> str:
    try:
        return conf.get_secret(name)
    except OSError as exc:
        raise ImproperlyConfigured(f"{name}_FILE cannot be read: {exc}") from None


# Embedded (one machine, SQLite in the data dir) unless a database URL is given (itself, or
# in a mounted file: it carries the password): then any number of hosts share the
# database, and nothing a host makes for itself may matter.
_DATABASE_URL = _secret("YILIAN_DATABASE_URL")
EMBEDDED_DATABASE = not _DATABASE_URL


def _secret_key() -> str:
    configured = _secret("YILIAN_SECRET_KEY")
    if configured or not EMBEDDED_DATABASE:
        return configured  # on a shared database, checked below with the signing key
    # A key made once per data dir keeps sessions valid across restarts of the demo;
    # made atomically with mode 0600, so no process reads half a key or a readable one.
    path = DATA_DIR / "secret_key"
    if not path.exists():
        files.create_once(path, secrets.token_urlsafe(50).encode())
    return path.read_text().strip()


SECRET_KEY = _secret_key()
# Keys retired by a rotation: Django (sessions, signed values) and our own hashes
# (sign-in codes, API tokens' password marker) accept what they made, sign nothing.
SECRET_KEY_FALLBACKS = _secret("YILIAN_SECRET_KEY_FALLBACKS").split()
DEBUG = conf.get_bool("YILIAN_DEBUG")
ALLOWED_HOSTS = [h.strip() for h in conf.get("YILIAN_ALLOWED_HOSTS").split(",") if h.strip()]
DEMO_MODE = conf.get_bool("YILIAN_DEMO")
ZONE_DIVISION = conf.get("YILIAN_ZONE_DIVISION")

# Behind the production HTTPS proxy: cookies never travel in clear, plain HTTP is
# redirected, browsers remember to use HTTPS, and the proxy's scheme header is believed.
HTTPS = conf.get_bool("YILIAN_HTTPS")
if HTTPS:
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = conf.get_int("YILIAN_HSTS_SECONDS")
    SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
    CSRF_TRUSTED_ORIGINS = [f"https://{host}" for host in ALLOWED_HOSTS]
# Submitting a domain to the browsers' HSTS preload list binds every subdomain for years:
# the operator decides that, not the default configuration.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SESSION_COOKIE_HTTPONLY = True
CODES_PER_CLIENT = conf.get_int("YILIAN_CODES_PER_CLIENT")
OBJECTIONS_PER_CLIENT = conf.get_int("YILIAN_OBJECTIONS_PER_CLIENT")
KINDS_OPEN = frozenset(c.strip() for c in conf.get("YILIAN_KINDS_OPEN").split(",")
                       if c.strip())
CODES_PER_ACCOUNT = conf.get_int("YILIAN_CODES_PER_ACCOUNT")

# Sign-in hardening (issue 8 §4): lockout counted in the database, staff second factor,
# staff idle timeout, expiring hashed API tokens.
SIGNIN_MAX_FAILURES = conf.get_int("YILIAN_SIGNIN_MAX_FAILURES")
SIGNIN_MAX_FAILURES_PER_CLIENT = conf.get_int("YILIAN_SIGNIN_MAX_FAILURES_PER_CLIENT")
SIGNIN_WINDOW_MINUTES = conf.get_int("YILIAN_SIGNIN_WINDOW_MINUTES")
_staff_otp = conf.get("YILIAN_STAFF_OTP").strip()
STAFF_OTP = conf.get_bool("YILIAN_STAFF_OTP") if _staff_otp else not DEMO_MODE
STAFF_IDLE_MINUTES = conf.get_int("YILIAN_STAFF_IDLE_MINUTES")
API_TOKEN_HOURS = conf.get_int("YILIAN_API_TOKEN_HOURS")
OTP_TOTP_ISSUER = "Yilian 一链"
AUTHENTICATION_BACKENDS = ["yilian.accounts.backends.PasswordBackend"]
MAX_NAMES_PER_ACCOUNT = conf.get_int("YILIAN_MAX_NAMES_PER_ACCOUNT")
DRAFT_DAYS = conf.get_int("YILIAN_DRAFT_DAYS")
CLOSING_NOTICE_DAYS = conf.get_int("YILIAN_CLOSING_NOTICE_DAYS")
MAX_BODY_BYTES = conf.get_int("YILIAN_MAX_BODY_BYTES")
# Django's own cap on a body read into memory, at the same limit: one number to reason about.
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_BODY_BYTES

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "yilian.accounts",
    "yilian.audit",
    "yilian.forms",
    "yilian.registry",
    "yilian.closing",
    "yilian.names",
    "yilian.rules",
    "yilian.chain",
    "yilian.departments",
    "yilian.licenses",
    "yilian.api",
    "yilian.portal",
    "yilian.workbench",
    "yilian.dashboard",
    "django_htmx",
    "yilian",
]

MIDDLEWARE = [
    # Before everything: probes and metrics reach a pod by IP over plain HTTP (no host
    # check, no HTTPS redirect); every request gets its id, is counted and timed.
    "yilian.observability.middleware.OperationsMiddleware",
    # First: a request that breaks the edge rules (size, NUL, surrogates, JSON depth)
    # is answered before anything reads it, so nothing behind it ever sees one.
    "yilian.guards.RequestGuardMiddleware",
    "yilian.csp.ContentSecurityPolicyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "yilian.api.language.EnglishMessagesForTheAPI",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "yilian.accounts.middleware.StaffSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "yilian.urls"
WSGI_APPLICATION = "yilian.wsgi.application"

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
                "yilian.accounts.context.navigation",
            ],
        },
    },
]

if not EMBEDDED_DATABASE:
    DATABASES = {"default": dj_database_url.parse(_DATABASE_URL, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"].endswith("postgresql"):
        # A database host that does not answer at all (not refused: silent) would hold
        # every request and probe for the TCP timeout; give up sooner and answer 503.
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
        # Only yilian.db.prepared's cursors prepare; Django's never do.
        DATABASES["default"]["OPTIONS"]["prepare_threshold"] = (
            conf.get_int("YILIAN_DATABASE_PREPARE_THRESHOLD") or None)
else:
    DATABASES = {
        "default": {
            "ENGINE": "yilian.db.sqlite",
            "NAME": DATA_DIR / "yilian.sqlite3",
            # A file, not shared-cache memory: threads in tests then meet the same
            # locking (WAL + busy timeout) as the embedded worker does in production.
            "TEST": {"NAME": DATA_DIR / "test.sqlite3"},
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN, so two writers queue on the
                # busy timeout instead of failing when a read lock is upgraded.
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA busy_timeout=30000;"
                ),
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in ("UserAttributeSimilarityValidator", "MinimumLengthValidator",
                 "CommonPasswordValidator", "NumericPasswordValidator")
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("zh-hant", "繁體中文"), ("en", "English")]
# UI strings are written in Simplified Chinese (the default language) and translated to
# zh-Hant and English; see docs/DECISIONS.md and `yilian manage translations`.
LANGUAGE_COOKIE_NAME = "yilian_language"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Collected in advance (the image's build) when configured, else at every start.
STATIC_COLLECTED = bool(conf.get("YILIAN_STATIC_ROOT"))
STATIC_ROOT = Path(conf.get("YILIAN_STATIC_ROOT") or DATA_DIR / "static").expanduser()
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # collectstatic fills it; whitenoise wants it
# Production means a real database and not the demo.
PRODUCTION = not EMBEDDED_DATABASE and not DEMO_MODE
# In production static files are served under content-hashed names (cached for ever by
# browsers and proxies) with gzip copies (Brotli too when the brotli package is
# installed), made once by collectstatic: `yilian serve` runs it at start (a Dockerfile
# at build time, with YILIAN_STATIC_MANIFEST=1). The embedded default keeps plain
# names: nothing there needs collectstatic to have run first.
_manifest = conf.get("YILIAN_STATIC_MANIFEST").strip()
STATIC_MANIFEST = conf.get_bool("YILIAN_STATIC_MANIFEST") if _manifest else PRODUCTION
MEDIA_ROOT = DATA_DIR / "files"
# Generated files go through the storage API (yilian.storage): the data dir by default,
# an S3-compatible bucket shared by every host when one is configured.
FILES_S3_BUCKET = conf.get("YILIAN_FILES_S3_BUCKET")
STORAGES = {
    "default": {"BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": storage.s3_options(conf.get, _secret)} if FILES_S3_BUCKET
    else {"BACKEND": "yilian.storage.PrivateFileStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
                    if STATIC_MANIFEST else
                    "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "yilian.api.auth.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "yilian.api.errors.exception_handler",
    # JSON only, read under the edge rules (yilian.guards); form and multipart bodies
    # would be a second, unchecked way in.
    "DEFAULT_PARSER_CLASSES": ["yilian.api.parsers.JSONParser"],
    # JSON out too: DRF's browsable pages need inline script, which the CSP forbids.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Yilian (一链) API",
    "DESCRIPTION": "One form, one chain: start a company online in one go.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Request and response bodies as separate components: what a client may send
    # (writable fields, non-blank strings) is then said exactly.
    "COMPONENT_SPLIT_REQUEST": True,
    # Several components have a field named "status"; each set of choices is named.
    "ENUM_NAME_OVERRIDES": {
        "EnterpriseStatusEnum": "yilian.registry.models.EnterpriseStatus",
        "LicenseStandingEnum": "yilian.licenses.standing.STATUSES",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "yilian.api.schema.document_common_answers",
    ],
}

# Chain engine and departments.
BROKER_URL = conf.get("YILIAN_BROKER_URL")
EMBEDDED_WORKER = not BROKER_URL
EMBEDDED_WORKERS = conf.get_int("YILIAN_EMBEDDED_WORKERS")
STEP_LEASE_SECONDS = conf.get_int("YILIAN_STEP_LEASE_SECONDS")
SWEEP_SECONDS = conf.get_float("YILIAN_SWEEP_SECONDS")
SWEEP_GRACE_SECONDS = conf.get_float("YILIAN_SWEEP_GRACE_SECONDS")
STEPS_PER_MESSAGE = max(1, conf.get_int("YILIAN_STEPS_PER_MESSAGE"))
SWEEPER_LEASE_SECONDS = conf.get_float("YILIAN_SWEEPER_LEASE_SECONDS")
if SWEEPER_LEASE_SECONDS <= 0:  # nobody would ever hold it: no sweeper anywhere
    raise ImproperlyConfigured("YILIAN_SWEEPER_LEASE_SECONDS must be more than 0")
MAX_AUTO_ATTEMPTS = conf.get_int("YILIAN_MAX_AUTO_ATTEMPTS")
DEPARTMENT_CIRCUIT_FAILURES = conf.get_int("YILIAN_DEPARTMENT_CIRCUIT_FAILURES")
DEPARTMENT_PROBE_SECONDS = conf.get_float("YILIAN_DEPARTMENT_PROBE_SECONDS")
SLA_SECONDS = conf.get_int("YILIAN_SLA_SECONDS")
AUDIT_CHECKPOINT_SECONDS = conf.get_float("YILIAN_AUDIT_CHECKPOINT_SECONDS")
PUBLIC_URL = conf.get("YILIAN_PUBLIC_URL").rstrip("/")
# Text messages (yilian.notices): a provider by configuration, else the outbox alone.
SMS_URL = conf.get("YILIAN_SMS_URL")
SMS_KEY = conf.get_secret("YILIAN_SMS_KEY")
SMS_MAX_ATTEMPTS = conf.get_int("YILIAN_SMS_MAX_ATTEMPTS")

SIMULATOR = {
    "latency_ms": conf.get("YILIAN_SIM_LATENCY_MS"),
    "failure_rate": conf.get_float("YILIAN_SIM_FAILURE_RATE"),
    "outages": conf.get("YILIAN_SIM_OUTAGES"),
    "seed": conf.get("YILIAN_SIM_SEED"),
}

# Departments over the network (docs/department-protocol.md): checked here, so a bad
# entry or a missing secret stops Yilian at start (yilian.departments.network).
from yilian.departments import network as _network  # noqa: E402

DEPARTMENT_URLS = _network.parse_urls(conf.get("YILIAN_DEPARTMENTS"))
DEPARTMENT_SECRETS = _network.read_secrets(DEPARTMENT_URLS)
DEPARTMENT_TIMEOUT_SECONDS = conf.get_float("YILIAN_DEPARTMENT_TIMEOUT_SECONDS")
DEPARTMENT_CONNECT_TIMEOUT_SECONDS = conf.get_float("YILIAN_DEPARTMENT_CONNECT_TIMEOUT_SECONDS")
DEPARTMENT_POLL_GRACE_SECONDS = conf.get_float("YILIAN_DEPARTMENT_POLL_GRACE_SECONDS")
DEPARTMENT_BATCH_SIZE = conf.get_int("YILIAN_DEPARTMENT_BATCH_SIZE")
if not 1 <= DEPARTMENT_BATCH_SIZE <= 50:  # the protocol's bound (yilian-dept/2)
    raise ImproperlyConfigured("YILIAN_DEPARTMENT_BATCH_SIZE must be 1 to 50")

# The signing key as PEM text or a path; other trusted public keys (licenses.keys).
LICENSE_SIGNING_KEY = configured_key()
LICENSE_PUBLIC_KEYS = conf.get("YILIAN_SIGNING_PUBLIC_KEYS")
LICENSE_PUBLIC_KEYS_FILE = conf.get("YILIAN_SIGNING_PUBLIC_KEYS_FILE")
if not EMBEDDED_DATABASE:
    require_shared_keys(SECRET_KEY, LICENSE_SIGNING_KEY, LICENSE_PUBLIC_KEYS,
                        LICENSE_PUBLIC_KEYS_FILE)
CJK_FONT = conf.get("YILIAN_CJK_FONT")
FONT_DIRS = [d.strip() for d in conf.get("YILIAN_FONT_DIRS").split(",") if d.strip()]

CELERY_BROKER_URL = BROKER_URL or "memory://"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 4
# Celery closes the database connection after every task unless told to reuse it;
# a new PostgreSQL connection per step cost more than the step itself.
CELERY_DB_REUSE_MAX = 1000
CELERY_TASK_IGNORE_RESULT = True
# No beat schedule: every worker runs the periodic jobs, one at a time under a lease
# (yilian.chain.sweeper), so a deployment cannot be left without them.
# A broker outage must not stop a worker (it carries the chains meanwhile,
# yilian.chain.workers): reconnect for as long as it takes, at start too.
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# Operations (issue 11 §6): JSON lines and the access log in production.
_log_format = conf.get("YILIAN_LOG_FORMAT").strip().lower() or (
    "json" if PRODUCTION else "text")
if _log_format not in {"json", "text"}:
    raise ImproperlyConfigured(f"YILIAN_LOG_FORMAT must be json or text, not {_log_format!r}")
LOG_JSON = _log_format == "json"
LOGGING = logs.logging_config(json_lines=LOG_JSON)
# Celery would otherwise put its own text format on the root logger.
CELERY_WORKER_HIJACK_ROOT_LOGGER = not LOG_JSON
_access_log = conf.get("YILIAN_ACCESS_LOG").strip()
ACCESS_LOG = conf.get_bool("YILIAN_ACCESS_LOG") if _access_log else PRODUCTION
METRICS_TOKEN = conf.get_secret("YILIAN_METRICS_TOKEN")
METRICS_NETWORKS = [ipaddress.ip_network(n.strip(), strict=False)
                    for n in conf.get("YILIAN_METRICS_NETWORKS").split(",") if n.strip()]
SENTRY_DSN = conf.get_secret("YILIAN_SENTRY_DSN")
if SENTRY_DSN:
    sentry.init(SENTRY_DSN, conf.get("YILIAN_SENTRY_ENVIRONMENT"))
