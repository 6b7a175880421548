"""Creatorscope settings: one module, driven by the environment, read top to bottom.

With no environment at all the app runs on the embedded default (SQLite, file cache, a file-system
Celery broker, the in-memory channel layer, media on local disk). ``DATABASE_URL``, ``REDIS_URL``
and the storage variables switch to PostgreSQL, Redis and S3.

Each name is assigned once, in its section (config/tests/test_settings_module.py checks it). Every
variable is read through ``config.env``, unconditionally, so its registry lists all of them and the
documentation's configuration reference is generated from it.
"""

from __future__ import annotations

import ipaddress
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url

from config.env import env_bool, env_choice, env_float, env_int, env_json, env_list, env_str

# --- Paths ---

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(
    env_str(
        "CREATORSCOPE_VAR_DIR",
        str(BASE_DIR / "var"),
        help="SQLite file, file cache, broker folder, secret key, local media, AI models and artifacts",
        doc_default="./var",
    )
)
VAR_DIR.mkdir(parents=True, exist_ok=True)
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000", help="base of absolute links in notifications")

# --- Security (production defaults; `make run` sets DJANGO_DEBUG=1 for local use) ---

DEBUG = env_bool(
    "DJANGO_DEBUG",
    False,
    help="debug pages and plain-text logs; never in production",
    doc_default="0 (1 under make run)",
)


def _secret_key() -> str:
    """Take the key from the environment, else keep a random one in var/ so sessions survive restarts."""
    key = env_str("DJANGO_SECRET_KEY", help="signing key", doc_default="random, kept in var/secret_key")
    if key:
        return key
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
# Fernet keys for secrets stored in the database (config/fields.py), newest first; without them a key
# is derived from SECRET_KEY. Generate one with: python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"
FIELD_ENCRYPTION_KEYS = env_list(
    "FIELD_ENCRYPTION_KEYS", [], help="comma-separated Fernet keys for secrets at rest, newest first"
)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"], help="comma-separated host names")
CSRF_TRUSTED_ORIGINS = env_list(
    "DJANGO_CSRF_TRUSTED_ORIGINS", [], help="comma-separated origins, e.g. https://creatorscope.example.com"
)
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", False, help="redirect HTTP to HTTPS")
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https")
    if env_bool("DJANGO_BEHIND_PROXY", False, help="trust X-Forwarded-Proto from a TLS-terminating proxy")
    else None
)
SESSION_COOKIE_SECURE = env_bool(
    "DJANGO_SECURE_COOKIES", not DEBUG, help="secure session and CSRF cookies", doc_default="on unless DJANGO_DEBUG"
)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Browsers honour HSTS only on HTTPS responses, and SecurityMiddleware sends it only on those, so a
# year by default costs nothing on plain-HTTP development and pins production to HTTPS.
SECURE_HSTS_SECONDS = env_int(
    "DJANGO_HSTS_SECONDS",
    0 if DEBUG else 31_536_000,
    minimum=0,
    help="HSTS max-age in seconds (0 turns it off)",
    doc_default="31536000 (a year); 0 under DJANGO_DEBUG",
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool(
    "DJANGO_HSTS_INCLUDE_SUBDOMAINS",
    SECURE_HSTS_SECONDS > 0,
    help="extend HSTS to every subdomain of the site's host",
    doc_default="on while HSTS is on",
)
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", False, help="add preload to HSTS")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# --- Applications, middleware, templates ---

INSTALLED_APPS = [
    "daphne",
    "unfold",
    "unfold.contrib.filters",
    "unfold.contrib.import_export",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "channels",
    "django_prometheus",
    "import_export",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.microsoft",
    "allauth.usersessions",
    "axes",
    # The project package: shared template tags and management commands (NetBox's netbox/netbox/).
    "config",
    "accounts",
    "media",
    "profiles",
    "posts",
    "campaigns",
    "watches",
    "intelligence",
    "scraping",
    "monitoring",
]

MIDDLEWARE = [
    # Request ids, access log and request metrics for every request (outermost, so it times the rest).
    "monitoring.middleware.RequestMonitorMiddleware",
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # A NUL byte in a path, query or form answers 400 before any view or query sees it.
    "config.security.RefuseNulMiddleware",
    # A read whose database connection dropped mid-request is answered again on a fresh one.
    "config.middleware.RetryReadOnDroppedConnectionMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every response (CONTENT_SECURITY_POLICY below; django-csp).
    "config.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Which requests may read the replica (DATABASE_REPLICA_URL); nothing without one.
    "config.routers.ReplicaReadsMiddleware",
    # Lets the audit trail's model-signal receivers see who made a change and from where.
    "accounts.audit.AuditRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Keeps each session's last-seen time for the "active sessions" page, when USERSESSIONS_TRACK_ACTIVITY.
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "accounts.middleware.MFARequiredMiddleware",
    # Turns a refused sign-in (too many failures) into the lockout page; after everything that can
    # sign in, as django-axes asks.
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "accounts.context_processors.teams",
            ],
        },
    },
]

# --- Sign-in (django-allauth, django-axes) ---

# Axes first: a locked-out account or address is refused before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
AUDIT_RETENTION_DAYS = env_int(
    "AUDIT_RETENTION_DAYS",
    0,
    minimum=0,
    help="audit-trail entries older than this are deleted nightly; 0 keeps them forever",
)
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"
MFA_ADAPTER = "accounts.adapters.MFAAdapter"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env_choice(
    "ACCOUNT_EMAIL_VERIFICATION",
    "mandatory",
    ("mandatory", "optional", "none"),
    help="mandatory: an account signs in only after its e-mail address is confirmed",
)
ACCOUNT_SIGNUP_OPEN = env_bool(
    "ACCOUNT_SIGNUP_OPEN", False, help="anyone may sign up; otherwise only through an invitation link"
)
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
# Django ends every other session when the password hash changes; allauth.usersessions also deletes
# their rows, and the session that changed the password stays signed in.
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
USERSESSIONS_TRACK_ACTIVITY = env_bool(
    "USERSESSIONS_TRACK_ACTIVITY",
    False,
    help="keep each session's last-seen time and address for the sessions page (a write per request)",
)
# allauth keeps its rate limits for e-mail sending (reset, verification); failed sign-ins are
# django-axes' job (one counter across the pages, the admin and the token endpoint), so allauth's
# own "login_failed" limit is off instead of refusing at a different count with a different message.
ACCOUNT_RATE_LIMITS = {
    "login_failed": None,
    "reset_password": env_str(
        "ACCOUNT_RESET_PASSWORD_RATE",
        "20/h/ip,5/h/key",
        help="password-reset mails allowed per address (ip) and per e-mail (key), allauth's syntax",
    ),
}
MFA_REQUIRED = env_bool(
    "MFA_REQUIRED", False, help="every user must set up two-factor sign-in (TOTP) before using the app"
)
# Second factors: TOTP, recovery codes, and security keys / passkeys (WebAuthn, which browsers allow
# on HTTPS and on http://localhost only; the browser tests use Chromium's virtual authenticator).
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = env_str("MFA_TOTP_ISSUER", "Creatorscope", help="issuer name shown in authenticator apps")

# Failed sign-ins on every door (pages, admin, POST /api/v1/auth/token/) count per account and per
# client address; past the limit the attempt is refused before the password is checked.
AXES_FAILURE_LIMIT = env_int(
    "SIGNIN_FAILURE_LIMIT", 10, minimum=1, help="failed sign-ins per account and per address within the window"
)
AXES_COOLOFF_TIME = timedelta(
    minutes=env_int(
        "SIGNIN_LOCKOUT_MINUTES",
        15,
        minimum=1,
        help="the window failures are counted in, and how long a locked account or address waits",
    )
)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "accounts.signin.axes_username"
AXES_CLIENT_IP_CALLABLE = "accounts.signin.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.signin.lockout_response"
AXES_SENSITIVE_PARAMETERS = ["password"]
# The client address is REMOTE_ADDR unless proxies are declared: a client-sent X-Forwarded-For is
# never trusted by default (it would let a guesser pick a fresh address per attempt).
TRUSTED_PROXY_COUNT = env_int(
    "TRUSTED_PROXY_COUNT",
    0,
    minimum=0,
    help="reverse proxies in front of the app; the client address is that many entries from the right of X-Forwarded-For",
)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

# Single sign-on: a provider appears (with its button) only when its variables are set.
_oidc_server_url = env_str("OIDC_SERVER_URL", help="OpenID Connect issuer URL, e.g. https://sso.example.com/realms/x")
_oidc_client_id = env_str("OIDC_CLIENT_ID", help="OpenID Connect client id")
_oidc_secret = env_str("OIDC_CLIENT_SECRET", help="OpenID Connect client secret")
_oidc_name = env_str("OIDC_PROVIDER_NAME", "Single sign-on", help="label of the OpenID Connect button")
_google_client_id = env_str("GOOGLE_CLIENT_ID", help="Google OAuth client id (sign in with Google)")
_google_secret = env_str("GOOGLE_CLIENT_SECRET", help="Google OAuth client secret")
_microsoft_client_id = env_str("MICROSOFT_CLIENT_ID", help="Microsoft Entra ID application id (sign in with Microsoft)")
_microsoft_secret = env_str("MICROSOFT_CLIENT_SECRET", help="Microsoft Entra ID client secret")
_microsoft_tenant = env_str(
    "MICROSOFT_TENANT", "organizations", help="Entra ID tenant: a tenant id, organizations or common"
)
_oidc_apps = [
    {
        "provider_id": "oidc",
        "name": _oidc_name,
        "client_id": _oidc_client_id,
        "secret": _oidc_secret,
        "settings": {"server_url": _oidc_server_url},
    }
]
_microsoft_apps = [
    {"client_id": _microsoft_client_id, "secret": _microsoft_secret, "settings": {"tenant": _microsoft_tenant}}
]
SOCIALACCOUNT_PROVIDERS = {
    **({"openid_connect": {"APPS": _oidc_apps}} if _oidc_server_url and _oidc_client_id else {}),
    **(
        {
            "google": {
                "APPS": [{"client_id": _google_client_id, "secret": _google_secret}],
                "SCOPE": ["profile", "email"],
            }
        }
        if _google_client_id
        else {}
    ),
    **({"microsoft": {"APPS": _microsoft_apps}} if _microsoft_client_id else {}),
}
# An SSO identity whose provider vouches for the e-mail signs in to the account that has it.
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_LOGIN_ON_GET = False

# --- E-mail ---

EMAIL_HOST = env_str("EMAIL_HOST", help="SMTP server; without it mails are written to the console")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1, help="SMTP port")
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", help="SMTP user")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", help="SMTP password")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False, help="implicit TLS (port 465)")
EMAIL_USE_TLS = env_bool(
    "EMAIL_USE_TLS", not EMAIL_USE_SSL, help="STARTTLS (port 587)", doc_default="1 unless EMAIL_USE_SSL"
)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1, help="seconds to wait for the SMTP server")
DEFAULT_FROM_EMAIL = env_str(
    "DEFAULT_FROM_EMAIL", "Creatorscope <noreply@localhost>", help="sender of account and notification mails"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Contacts ---

CONTACTS_DEFAULT_REGION = env_str(
    "CONTACTS_DEFAULT_REGION",
    "US",
    help="ISO country whose numbering a phone number without +country code is read in (profiles/contacts.py)",
)

# --- Watches (users' alerts) ---

WATCHES_WEBHOOK_ALLOWED_HOSTS = env_list(
    "WATCHES_WEBHOOK_ALLOWED_HOSTS",
    help="webhook hosts allowed although they resolve to a private or loopback address (an in-house receiver)",
)
WATCHES_WEBHOOK_ATTEMPTS = env_int(
    "WATCHES_WEBHOOK_ATTEMPTS",
    5,
    minimum=1,
    help="tries of a failing alert webhook before its events are marked failed",
)
WATCHES_WEBHOOK_BACKOFF = env_int(
    "WATCHES_WEBHOOK_BACKOFF",
    30,
    minimum=0,
    help="seconds before the first webhook retry; doubled each time, with full jitter",
)

# --- i18n ---

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Database ---

_database = dj_database_url.parse(
    env_str(
        "DATABASE_URL",
        f"sqlite:///{VAR_DIR / 'creatorscope.sqlite3'}",
        help="e.g. postgres://user:pass@host:5432/creatorscope",
        doc_default="SQLite file in var/",
    ),
    # Persistent connections: BENCHMARKS.md measured 1,240 req/s with them vs 294 without.
    conn_max_age=env_int(
        "DATABASE_CONN_MAX_AGE",
        60,
        minimum=0,
        help="seconds a database connection is reused; 0 for the ASGI server and behind PgBouncer",
    ),
    conn_health_checks=True,
)
IS_POSTGRES = _database["ENGINE"].endswith("postgresql")
# Server-side parameters, and a statement prepared the fifth time a connection runs it: PostgreSQL
# then stops re-planning the hot lookups (token, creator report), which halved the database CPU
# per API request in bench/bench_api.py. Django leaves both off by default for PgBouncer in
# transaction mode before 1.21: set DATABASE_PREPARED_STATEMENTS=0 there.
_postgres_options = (
    {"server_side_binding": True, "prepare_threshold": 5}
    if env_bool(
        "DATABASE_PREPARED_STATEMENTS",
        True,
        help="PostgreSQL: server-side parameters and prepared statements; 0 behind PgBouncer in transaction mode before 1.21",
    )
    else {}
)
# SQLite is the embedded default, shared by the web process, the worker's threads and beat. WAL lets
# readers run beside the writer; IMMEDIATE takes the write lock when a transaction begins, so the
# busy timeout applies instead of an instant "database is locked" on a read-to-write upgrade.
_sqlite_options = {
    "timeout": 20,
    "transaction_mode": "IMMEDIATE",
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
# A streaming read replica of the same database: API and admin reads go there (config/routers.py);
# writes, transactions, tasks and pages stay on the primary. Unset: one database, no router.
_replica_url = env_str(
    "DATABASE_REPLICA_URL",
    help="a read replica of DATABASE_URL (PostgreSQL); API and admin GET requests read it (docs/scaling-out.md)",
    doc_default="unset: one database",
)
DATABASE_REPLICA_PIN_SECONDS = env_int(
    "DATABASE_REPLICA_PIN_SECONDS",
    5,
    minimum=0,
    help="after a client writes, its reads stay on the primary this long (replication lag)",
)
_replica = (
    dj_database_url.parse(_replica_url, conn_max_age=_database["CONN_MAX_AGE"], conn_health_checks=True)
    if _replica_url
    else None
)
DATABASES = {
    "default": {
        **_database,
        "OPTIONS": {**_database.get("OPTIONS", {}), **(_postgres_options if IS_POSTGRES else _sqlite_options)},
    },
    **(
        {
            "replica": {
                **_replica,
                "OPTIONS": {**_replica.get("OPTIONS", {}), **(_postgres_options if IS_POSTGRES else _sqlite_options)},
                # Tests read the test database through both aliases.
                "TEST": {"MIRROR": "default"},
            }
        }
        if _replica
        else {}
    ),
}
DATABASE_ROUTERS = ["config.routers.ReplicaRouter"] if _replica_url else []
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- History (snapshot and log partitions, roll-up; docs/partitioning.md) ---

# Every scrape's snapshot is kept for this many days; older ones are thinned to the last one of each
# ISO week per creator or subreddit (profiles/history.py). PostgreSQL only: SQLite keeps every one.
SNAPSHOT_ROLLUP_AFTER_DAYS = env_int(
    "SNAPSHOT_ROLLUP_AFTER_DAYS",
    180,
    minimum=0,
    help="snapshots older than this are thinned to one per week nightly (PostgreSQL); 0 keeps every one",
)
PARTITIONS_MONTHS_AHEAD = env_int(
    "PARTITIONS_MONTHS_AHEAD",
    3,
    minimum=1,
    help="monthly partitions of snapshots and system logs created this many months ahead (PostgreSQL)",
)

# --- Cache ---

REDIS_URL = env_str(
    "REDIS_URL", help="switches the cache, the Celery broker and results and the channel layer to Redis"
)
# Short, so a Redis that is down or unreachable costs a request a fraction of a second, not a hang.
REDIS_SOCKET_TIMEOUT = env_float(
    "REDIS_SOCKET_TIMEOUT",
    1.0,
    minimum=0.05,
    help="seconds the cache, throttles and task enqueue wait for Redis before degrading",
)
_cache_timeout = env_int("CACHE_DEFAULT_TIMEOUT", 300, minimum=0, help="seconds a cache entry lives by default")
# Both default backends are monitoring.cache's subclasses of the stock ones: the same storage, with
# a get() that counts hits and misses for the monitor.
_redis_cache = {
    "BACKEND": "monitoring.cache.RedisCache",
    "LOCATION": REDIS_URL,
    "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "cs", help="prefix of Redis cache keys"),
    "TIMEOUT": _cache_timeout,
    "OPTIONS": {
        "CLIENT_CLASS": "django_redis.client.DefaultClient",
        # Redis down degrades, never answers 500: a failed read is a miss, a failed write is skipped,
        # and each is counted (creatorscope_cache_errors_total) and logged by monitoring.cache.
        "IGNORE_EXCEPTIONS": True,
        "SOCKET_CONNECT_TIMEOUT": REDIS_SOCKET_TIMEOUT,
        "SOCKET_TIMEOUT": REDIS_SOCKET_TIMEOUT,
    },
}
# The throttles' counters: the same Redis, but errors raised (not ignored), so
# config.api.throttling can fall back to a per-process count instead of letting everyone through.
_throttle_cache = {**_redis_cache, "OPTIONS": {**_redis_cache["OPTIONS"], "IGNORE_EXCEPTIONS": False}}
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
DJANGO_REDIS_LOGGER = "monitoring.cache"
# A file cache rather than local memory, so the web process, the worker and beat see one cache.
_file_cache = {
    "BACKEND": "monitoring.cache.FileBasedCache",
    "LOCATION": str(VAR_DIR / "cache"),
    "TIMEOUT": _cache_timeout,
}
# Entries whose key carries a version (creator reports) never change, so each process keeps the
# most recently used ones in memory too and skips the Redis round trip (the API's versioned reads).
API_LOCAL_CACHE_ENTRIES = env_int(
    "API_LOCAL_CACHE_ENTRIES",
    1000,
    minimum=0,
    help="creator reports each web process also keeps in memory (keys carry the version); 0 = Redis only",
)
CACHES = {
    "default": _redis_cache if REDIS_URL else _file_cache,
    "throttle": _throttle_cache if REDIS_URL else _file_cache,
    # Where the throttles count while the shared cache is unreachable (a per-process limit).
    "throttle-fallback": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "throttle"},
    "local": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "versioned",
        "OPTIONS": {"MAX_ENTRIES": max(API_LOCAL_CACHE_ENTRIES, 1)},
    },
}

# --- Celery ---


def _filesystem_broker_options(folder: Path) -> dict[str, Any]:
    """kombu's file-system transport, with every folder under var/ (created here, kombu does not)."""
    for sub in ("out", "processed", "control"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(folder / "out"),
        "data_folder_out": str(folder / "out"),
        "processed_folder": str(folder / "processed"),
        # Broadcast exchanges (remote control); kombu's default is ./control in the working directory.
        "control_folder": str(folder / "control"),
        "store_processed": False,
    }


CELERY_BROKER_URL = env_str(
    "CELERY_BROKER_URL",
    REDIS_URL or "filesystem://",
    help="e.g. amqp://… for RabbitMQ",
    doc_default="REDIS_URL, else filesystem:// (folders under var/)",
)
CELERY_RESULT_BACKEND = env_str(
    "CELERY_RESULT_BACKEND", REDIS_URL or "", help="where task results are kept", doc_default="REDIS_URL, else none"
)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False, help="run tasks inline (debugging only)")
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# What a library prints in a task (a model's download or progress bar) is not a warning: Celery logs
# captured stdout/stderr at WARNING by default, which made every progress bar look like trouble.
CELERY_WORKER_REDIRECT_STDOUTS_LEVEL = "INFO"
CELERY_TASK_DEFAULT_QUEUE = "default"
# Scraping and ML get their own queues (STYLE.md) so a slow model never blocks collection.
CELERY_TASK_ROUTES = {
    # Housekeeping of the scraping app's own rows: quick, and never behind a backlog of scrapes.
    "scraping.tasks.prune_system_logs": {"queue": "default"},
    "profiles.tasks.roll_up_snapshots": {"queue": "default"},
    # A person is waiting for these: their own queue, never behind a backlog of scheduled scrapes.
    "scraping.tasks.run_lookup": {"queue": "lookups"},
    "scraping.tasks.reap_lookups": {"queue": "lookups"},
    "scraping.tasks.*": {"queue": "scraping"},
    "intelligence.tasks.*": {"queue": "ai"},
    "media.tasks.*": {"queue": "media"},
    "posts.tasks.download_*": {"queue": "media"},
    "profiles.tasks.download_*": {"queue": "media"},
}
# (soft, hard) seconds per queue, applied to every task by config.celery.Task: the soft limit raises
# SoftTimeLimitExceeded so the task can release its claims, the hard one kills the worker process.
CELERY_TASK_TIME_LIMITS = {
    "default": (10 * 60, 12 * 60),  # alerts, retention, bulk edits in batches
    # A refresh batch of 50 targets at Instagram's 4 requests/min; under scraping's 30-minute claim
    # lease, so the targets of a killed batch come due again.
    "scraping": (25 * 60, 28 * 60),
    # One target's scrape, ended as failed by LOOKUP_TIMEOUT (default 60 s) long before these.
    "lookups": (3 * 60, 4 * 60),
    "ai": (14 * 60, 15 * 60),  # one AI_PIPELINE_BATCH (its claims are renewed per chunk)
    "media": (20 * 60, 25 * 60),  # 50 files, each a download of up to 5 minutes plus an encode
}
# Redis broker: a task a dead worker took comes back after the visibility timeout, so it must outlast
# the longest task (its hard limit) or a running task would be delivered twice. Recovery from a
# killed worker does not wait for it: the reaper (intelligence.tasks.reap_batches, scraping's
# watchdog) closes the dead batch and releases its claims within AI_CLAIM_TIMEOUT.
BROKER_VISIBILITY_TIMEOUT = max(hard for _soft, hard in CELERY_TASK_TIME_LIMITS.values()) + 2 * 60
CELERY_BROKER_TRANSPORT_OPTIONS = (
    _filesystem_broker_options(VAR_DIR / "celery-broker")
    if CELERY_BROKER_URL == "filesystem://"
    else {"visibility_timeout": BROKER_VISIBILITY_TIMEOUT, "socket_connect_timeout": REDIS_SOCKET_TIMEOUT}
)
# Enqueueing while the broker is down gives up after about a second (config.celery.enqueue_on_commit
# then counts and logs it) instead of holding the request.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_SOCKET_TIMEOUT
# Code seeds the beat schedule, admin edits win after (config/beat.py explains why the stock
# DatabaseScheduler is not enough: it rewrites staff edits on every beat start).
CELERY_BEAT_SCHEDULER = "config.beat:CodeSeededDatabaseScheduler"
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- Channels ---

_channels_redis_url = env_str(
    "CHANNELS_REDIS_URL", REDIS_URL, help="Redis of the websocket channel layer", doc_default="REDIS_URL"
)
CHANNEL_LAYERS = {
    "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [_channels_redis_url]}}
    if REDIS_URL
    else {"BACKEND": "channels.layers.InMemoryChannelLayer"}
}

# --- Static files and media storage ---

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").is_dir() else []
MEDIA_URL = env_str("MEDIA_URL", "/media/", help="URL prefix of locally stored media")
MEDIA_ROOT = Path(
    env_str("MEDIA_ROOT", str(VAR_DIR / "media"), help="folder of locally stored media", doc_default="var/media")
)
MEDIA_STORAGE = env_choice(
    "MEDIA_STORAGE", "local", ("local", "s3"), help="local (folder MEDIA_ROOT) or s3 (any S3-compatible store)"
)
_s3_storage = {
    "BACKEND": "storages.backends.s3.S3Storage",
    "OPTIONS": {
        "bucket_name": env_str("AWS_STORAGE_BUCKET_NAME", help="S3 bucket"),
        "endpoint_url": env_str("AWS_S3_ENDPOINT_URL", help="R2, MinIO or other S3-compatible endpoint") or None,
        "region_name": env_str("AWS_S3_REGION_NAME", help="S3 region") or None,
        "access_key": env_str("AWS_ACCESS_KEY_ID", help="S3 access key") or None,
        "secret_key": env_str("AWS_SECRET_ACCESS_KEY", help="S3 secret key") or None,
        "querystring_auth": env_bool(
            "MEDIA_SIGNED_URLS", True, help="signed (expiring) S3 URLs instead of public ones"
        ),
        "querystring_expire": env_int("MEDIA_SIGNED_URL_EXPIRE", 3600, minimum=1, help="seconds a signed URL is valid"),
        "file_overwrite": True,  # keys are content hashes: same key, same bytes
        "default_acl": None,
        # SigV4: R2 and MinIO accept nothing else, and AWS retired SigV2 for new buckets.
        "signature_version": "s3v4",
        "addressing_style": env_choice(
            "AWS_S3_ADDRESSING_STYLE",
            "auto",
            ("auto", "path", "virtual"),
            help="path for MinIO and most self-hosted S3, virtual or auto for AWS and R2",
        ),
    },
}
_local_storage = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": str(MEDIA_ROOT), "base_url": MEDIA_URL},
}
STORAGES = {
    "default": _s3_storage if MEDIA_STORAGE == "s3" else _local_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Content-Security-Policy (django-csp; config/security.py adds 'unsafe-eval' for the admin's Alpine.js) ---

# Scripts only from our own origin (vendored htmx and Chart.js, unfold's and the API docs' bundles):
# an injected inline <script> or on*= handler does not run. Inline styles stay allowed (unfold,
# htmx indicators and Chart.js set them); images may also come from the S3 media host.
CSP_EXTRA_IMG_SOURCES = env_list(
    "CSP_EXTRA_IMG_SOURCES",
    ["https:"] if MEDIA_STORAGE == "s3" else [],
    help="extra img-src/media-src sources (e.g. https://media.example.com)",
    doc_default='"https:" with MEDIA_STORAGE=s3, else none',
)
_CSP_DIRECTIVES = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:", *CSP_EXTRA_IMG_SOURCES],
    "media-src": ["'self'", "blob:", *CSP_EXTRA_IMG_SOURCES],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "worker-src": ["'self'", "blob:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
}
CSP_REPORT_ONLY = env_bool(
    "CSP_REPORT_ONLY", False, help="send the policy as Content-Security-Policy-Report-Only (trial a change)"
)
CONTENT_SECURITY_POLICY = None if CSP_REPORT_ONLY else {"DIRECTIVES": _CSP_DIRECTIVES}
CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": _CSP_DIRECTIVES} if CSP_REPORT_ONLY else None

# --- Logging ---

# One JSON object per line on stdout (12-factor): the platform's log shipper parses it. Every line
# carries the request id (``X-Request-ID``, set by monitoring.middleware) or the Celery task id, so
# one request or task can be followed across web, worker and upstream calls.
LOG_LEVEL = env_choice(
    "LOG_LEVEL", "info", ("debug", "info", "warning", "error"), help="level of the root logger"
).upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "context": {"()": "monitoring.logcontext.ContextFilter"},
        "cache_errors": {"()": "monitoring.cache.CacheErrorFilter"},
    },
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(task_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "filters": ["context"],
            "formatter": env_choice(
                "LOG_FORMAT",
                "json" if not DEBUG else "plain",
                ("json", "plain"),
                help="json: one structured object per line on stdout",
                doc_default="json (plain under DJANGO_DEBUG)",
            ),
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # The middleware writes one structured access line per request; the servers' own access
        # lines would say the same without the request id.
        # django.server and django.request also log every 4xx ("Not Found: /x") at WARNING: with the
        # access line that was one request logged three times. 5xx tracebacks (ERROR) still come through.
        "django.server": {"level": "CRITICAL"},
        "django.request": {"level": "ERROR"},
        "uvicorn.access": {"level": "WARNING"},
        # django-axes logs every attempt and its start-up at INFO; lockouts are WARNING, and the
        # audit trail keeps sign-ins and failures.
        "axes": {"level": "WARNING"},
        # django-redis' ignored errors (DJANGO_REDIS_LOGGER): counted, and one line a minute.
        "monitoring.cache": {"filters": ["cache_errors"]},
    },
}

# --- API ---

API_PAGE_SIZE = env_int("API_PAGE_SIZE", 25, minimum=1, help="default page size of list endpoints")
# Larger pages are refused with a 400 (not clamped) so a client learns the cap.
API_MAX_PAGE_SIZE = env_int(
    "API_MAX_PAGE_SIZE", 100, minimum=1, help="largest page_size a client may ask for (more answers 400)"
)
# Cache lifetimes (seconds). Detail and analytics keys include the profile's change timestamps,
# so a re-scrape or re-analysis makes a new key; the TTL only bounds memory. Search keys include
# the newest change across all profiles; 0 turns a cache off.
API_DETAIL_CACHE_TTL = env_int(
    "API_DETAIL_CACHE_TTL", 3600, minimum=0, help="seconds a creator report / AI insights stay cached; 0 = off"
)
API_ANALYTICS_CACHE_TTL = env_int(
    "API_ANALYTICS_CACHE_TTL", 3600, minimum=0, help="seconds creator analytics stay cached; 0 = off"
)
API_SEARCH_CACHE_TTL = env_int(
    "API_SEARCH_CACHE_TTL", 300, minimum=0, help="seconds a search result stays cached; 0 = off"
)
# Creator search (API and page) counts its matches up to this many and then says "more than": an exact
# COUNT(*) of a broad filter reads every match. 0 = always count exactly (config/paging.py). 250 is ten
# pages of the API's 25: past that a search is one to narrow. The count's work grows with the cap; at
# 1M creators, 16 clients searching at once (bench/bench_scale.py --only search, 2 cores): p95 463 ms
# counting to 1,000, 360 ms to 500, 267-299 ms to 250 (docs/scaling-out.md).
SEARCH_COUNT_CAP = env_int(
    "SEARCH_COUNT_CAP",
    250,
    minimum=0,
    help="matches a creator search counts before it answers 'more than N' (count_is_exact false); 0 = exact",
)
API_DASHBOARD_CACHE_TTL = env_int(
    "API_DASHBOARD_CACHE_TTL", 60, minimum=0, help="seconds the staff dashboard figures stay cached"
)

# API tokens (django-rest-knox): stored as SHA-512 digests in accounts.ApiToken, sent as "Token <value>".
KNOX_TOKEN_MODEL = "accounts.ApiToken"
# knox's own migrations create its AuthToken table even when the model is swapped out; with none,
# that table (unused, and holding a key to the user table) is never created.
MIGRATION_MODULES = {"knox": None}
API_TOKEN_DAYS = env_int(
    "API_TOKEN_DAYS", 90, minimum=1, help="days an API token is valid after it is created (then 401; create a new one)"
)
REST_KNOX = {"TOKEN_TTL": timedelta(days=API_TOKEN_DAYS), "AUTH_HEADER_PREFIX": "Token"}

REST_FRAMEWORK = {
    # Token first: an unauthenticated call then answers 401 with "WWW-Authenticate: Token"
    # instead of the 403 DRF gives when session authentication comes first.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "config.api.pagination.PageNumberPagination",
    "PAGE_SIZE": API_PAGE_SIZE,
    "DEFAULT_THROTTLE_CLASSES": ["config.api.throttling.UserThrottle", "config.api.throttling.AnonThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "user": env_str("API_THROTTLE_USER", "1200/min", help="request rate per signed-in user (429 beyond)"),
        "anon": env_str("API_THROTTLE_ANON", "60/min", help="request rate per anonymous address (429 beyond)"),
    },
    "DEFAULT_SCHEMA_CLASS": "config.api.schema.AutoSchema",
    # The throttles' client address follows the sign-in rule: DRF's default (None) would take a
    # client-sent X-Forwarded-For as the address.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Creatorscope API",
    "DESCRIPTION": (
        "Creator search, analytics, communities, campaigns and operations. Authenticate with "
        "`Authorization: Token <key>` (POST /api/v1/auth/token/) or a session. Errors answer "
        '`{"detail": "..."}`, or for invalid input (400) one list of messages per field.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The schema and its docs are public (issue 4); everything under /api/v1/ needs a user.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    # One named enum per choice set shared by several fields and filters.
    "ENUM_NAME_OVERRIDES": {
        "ProfileReviewStatusEnum": "profiles.models.ReviewStatus",
        "CommunityReviewStatusEnum": "profiles.models.CommunityReviewStatus",
        "ContentCategoryEnum": "profiles.categories.CATEGORY_CHOICES",
        "PlatformEnum": "profiles.models.Platform",
        "CampaignStatusEnum": "campaigns.models.Campaign.Status",
        "PipelineStatusEnum": "campaigns.models.CampaignProfile.Pipeline",
        "ScraperStatusEnum": "scraping.models.Scraper.Status",
        "ScrapeRunStatusEnum": "scraping.models.ScrapeRun.Status",
        "PostAIStatusEnum": "posts.models.AIStatus",
        "ContactKindEnum": "profiles.models.Contact.Kind",
        "ContactSourceEnum": "profiles.models.Contact.Source",
        "ListKindEnum": "profiles.models.List.Kind",
        "CampaignPostSourceEnum": "campaigns.models.CampaignPost.Source",
        "WatchEventKindEnum": "watches.models.EventKind",
    },
}

# --- Campaigns and profile access ---

# Campaign value estimates: EMV = CPM x impressions / 1000 (industry-average CPM in USD).
CAMPAIGN_CPM = env_float("CAMPAIGN_CPM", 6.50, minimum=0, help="USD per 1,000 impressions, for EMV")
CAMPAIGN_FEED_REACH_RATE = env_float(
    "CAMPAIGN_FEED_REACH_RATE",
    0.2,
    minimum=0,
    help="share of followers assumed to see a feed post (reach estimate, campaigns/metrics.py)",
)
PROFILE_ACCESS_DAYS = env_int(
    "PROFILE_ACCESS_DAYS", 30, minimum=1, help="how long opening a profile's full analytics grants access"
)
PROFILE_ACCESS_MONTHLY_LIMIT = env_int(
    "PROFILE_ACCESS_MONTHLY_LIMIT",
    0,
    minimum=0,
    help="new profile accesses a user (or a team, see PROFILE_ACCESS_SCOPE) may open per month; 0 = unlimited",
)
PROFILE_ACCESS_SCOPE = env_choice(
    "PROFILE_ACCESS_SCOPE",
    "user",
    ("user", "team"),
    help="who shares a profile's 30-day access and the monthly quota: each user, or the user's current team",
)

# --- Teams (accounts/) ---

INVITATION_DAYS = env_int("INVITATION_DAYS", 7, minimum=1, help="days a team invitation link stays valid")

# --- Upstreams (scraping) ---

REDDIT_BASE_URL = env_str("REDDIT_BASE_URL", "https://www.reddit.com", help="Reddit's public JSON endpoints")
REDDIT_OAUTH_BASE_URL = env_str("REDDIT_OAUTH_BASE_URL", "https://oauth.reddit.com", help="Reddit's OAuth endpoints")
# Token endpoint for app-only OAuth (client credentials); secrets may come from *_FILE.
REDDIT_AUTH_URL = env_str(
    "REDDIT_AUTH_URL", "https://www.reddit.com/api/v1/access_token", help="token endpoint for app-only OAuth"
)
REDDIT_CLIENT_ID = env_str(
    "REDDIT_CLIENT_ID", help="app-only OAuth client id; without it the public endpoints are used"
)
REDDIT_CLIENT_SECRET = env_str("REDDIT_CLIENT_SECRET", help="app-only OAuth client secret")
# Reddit asks for "<platform>:<app id>:<version> (by /u/<username>)" and throttles generic agents.
REDDIT_USER_AGENT = env_str(
    "REDDIT_USER_AGENT", "server:creatorscope:1.0 (self-hosted analytics)", help="User-Agent of Reddit calls"
)
# Reddit allows 100 requests/min per OAuth app and about 10/min for unauthenticated JSON.
REDDIT_REQUESTS_PER_MINUTE = env_int(
    "REDDIT_REQUESTS_PER_MINUTE",
    100 if REDDIT_CLIENT_ID else 10,
    minimum=1,
    help="Reddit budget shared by all workers",
    doc_default="100 with OAuth, else 10",
)
INSTAGRAM_PROVIDER = env_choice(
    "INSTAGRAM_PROVIDER",
    "web",
    ("web", "graph"),
    help="web (Instagram's JSON through a provider) or graph (Business Discovery)",
)
INSTAGRAM_BASE_URL = env_str("INSTAGRAM_BASE_URL", "https://i.instagram.com", help="web provider base URL")
# Provider auth headers as JSON, e.g. {"x-rapidapi-key": "...", "x-rapidapi-host": "..."}.
INSTAGRAM_PROVIDER_HEADERS = env_json("INSTAGRAM_PROVIDER_HEADERS", {}, help="JSON object of provider auth headers")
# Where Instagram's JSON sits inside a provider's envelope, as a dotted path ("results.0.content"
# for Decodo-style providers); empty when the provider passes Instagram's JSON through unchanged.
INSTAGRAM_RESPONSE_ENVELOPE = env_str(
    "INSTAGRAM_RESPONSE_ENVELOPE", "", help="dotted path to Instagram's JSON inside a provider envelope"
)
INSTAGRAM_GRAPH_BASE_URL = env_str(
    "INSTAGRAM_GRAPH_BASE_URL", "https://graph.facebook.com/v21.0", help="Graph API base URL"
)
INSTAGRAM_GRAPH_ACCESS_TOKEN = env_str("INSTAGRAM_GRAPH_ACCESS_TOKEN", help="Graph API token")
# The Instagram business account (IG user id) that Business Discovery queries are made as.
INSTAGRAM_GRAPH_USER_ID = env_str(
    "INSTAGRAM_GRAPH_USER_ID", help="the IG business account Business Discovery queries are made as"
)
# --- Creator connect (audience insights through Business Login for Instagram) ---
# Without an app id and secret the feature is hidden: no connect button, no sync task work.
META_APP_ID = env_str(
    "META_APP_ID", help="Instagram app id (Business Login for Instagram); empty hides creator connect"
)
META_APP_SECRET = env_str("META_APP_SECRET", help="Instagram app secret; signs the deauthorize and deletion callbacks")
META_AUTHORIZE_URL = env_str(
    "META_AUTHORIZE_URL", "https://www.instagram.com/oauth/authorize", help="where creators grant access"
)
META_OAUTH_BASE_URL = env_str(
    "META_OAUTH_BASE_URL", "https://api.instagram.com", help="code-for-token exchange host (POST /oauth/access_token)"
)
META_GRAPH_BASE_URL = env_str(
    "META_GRAPH_BASE_URL", "https://graph.instagram.com", help="Instagram Graph host: tokens and insights"
)
META_GRAPH_VERSION = env_str("META_GRAPH_VERSION", "v22.0", help="Graph API version of the insights calls")
# Facebook Login for Business: the Page-linked path (an Instagram business account linked to a
# Facebook Page). Its own app id and secret (the Meta app's, not the Instagram app's); without both
# that path is hidden. With a configuration id the dialog asks for what the configuration names,
# otherwise for the scopes listed in scraping/instagram/meta.py (FACEBOOK_SCOPES).
META_FACEBOOK_APP_ID = env_str(
    "META_FACEBOOK_APP_ID", help="Meta app id for Facebook Login for Business (Page-linked accounts); empty hides it"
)
META_FACEBOOK_APP_SECRET = env_str(
    "META_FACEBOOK_APP_SECRET", help="Meta app secret; signs that login's deauthorize and deletion callbacks"
)
META_LOGIN_CONFIG_ID = env_str(
    "META_LOGIN_CONFIG_ID", help="Facebook Login for Business configuration id; empty asks for the scopes instead"
)
META_FACEBOOK_DIALOG_URL = env_str(
    "META_FACEBOOK_DIALOG_URL", "https://www.facebook.com/v22.0/dialog/oauth", help="Facebook Login dialog"
)
META_FACEBOOK_GRAPH_URL = env_str(
    "META_FACEBOOK_GRAPH_URL", "https://graph.facebook.com", help="Facebook Graph host: tokens, Pages, insights"
)
# Business Discovery and insights both draw from the app's Graph budget: 200 calls/hour per account.
META_REQUESTS_PER_MINUTE = env_int(
    "META_REQUESTS_PER_MINUTE", 200 // 60 + 1, minimum=1, help="creator-connect Graph calls budget, all workers"
)
META_SYNC_HOURS = env_int(
    "META_SYNC_HOURS", 24, minimum=1, help="hours between two insights reads of a connected account"
)
# Graph API Business Discovery: 200 calls/hour per user token is the published floor.
INSTAGRAM_REQUESTS_PER_MINUTE = env_int(
    "INSTAGRAM_REQUESTS_PER_MINUTE", 200 // 60 + 1, minimum=1, help="Instagram budget shared by all workers"
)
SCRAPING_PROXIES = env_list("SCRAPING_PROXIES", [], help="comma-separated proxy URLs, rotated per request")
SCRAPING_USER_AGENT = env_str(
    "SCRAPING_USER_AGENT", "Mozilla/5.0 (compatible; creatorscope/1.0)", help="User-Agent of Instagram provider calls"
)
SCRAPING_TIMEOUTS = (
    env_float("SCRAPING_CONNECT_TIMEOUT", 5.0, minimum=0.1, help="seconds to connect, every upstream call"),
    env_float("SCRAPING_READ_TIMEOUT", 30.0, minimum=0.1, help="seconds a read may wait, every upstream call"),
)
SCRAPING_MAX_ATTEMPTS = env_int(
    "SCRAPING_MAX_ATTEMPTS", 4, minimum=1, help="tries per call on transient errors (429, 5xx, timeouts, resets)"
)
SCRAPING_BACKOFF_SECONDS = env_float(
    "SCRAPING_BACKOFF_SECONDS", 1.0, minimum=0, help="base of the full-jitter exponential backoff"
)
# Waits longer than this (Retry-After, an empty budget) re-queue the task instead of blocking a worker.
SCRAPING_MAX_WAIT_SECONDS = env_float(
    "SCRAPING_MAX_WAIT_SECONDS", 60.0, minimum=0, help="longer waits re-queue the task instead of blocking a worker"
)
SCRAPING_BREAKER_FAIL_MAX = env_int(
    "SCRAPING_BREAKER_FAIL_MAX", 5, minimum=1, help="consecutive failures that open an upstream's circuit"
)
SCRAPING_BREAKER_RESET_SECONDS = env_int(
    "SCRAPING_BREAKER_RESET_SECONDS", 60, minimum=1, help="seconds an open circuit waits before one trial call"
)
SCRAPING_COMMUNITY_INTERVAL_HOURS = env_float(
    "SCRAPING_COMMUNITY_INTERVAL_HOURS", 6.0, minimum=0.01, help="how often an approved subreddit is refreshed"
)
SCRAPING_PROFILE_INTERVAL_HOURS = env_float(
    "SCRAPING_PROFILE_INTERVAL_HOURS",
    24.0,
    minimum=0.01,
    help="how often a creator is refreshed at priority 5 (priority 1: 5x as often)",
)
SCRAPING_DUE_BATCH = env_int("SCRAPING_DUE_BATCH", 50, minimum=1, help="targets picked per beat tick and scraper")
SCRAPING_POSTS_PER_TARGET = env_int(
    "SCRAPING_POSTS_PER_TARGET",
    100,
    minimum=1,
    help="posts fetched per scrape (Reddit listings stop at about 1,000 items)",
)
# Reddit in depth (issue 21): what a subreddit scrape reads beyond hot, and the comment budget.
REDDIT_TOP_POSTS_PER_PERIOD = env_int(
    "REDDIT_TOP_POSTS_PER_PERIOD",
    25,
    minimum=0,
    help="posts read from each of top of day/week/month and new per subreddit scrape (0: hot only)",
)
REDDIT_COMMENT_POSTS_PER_RUN = env_int(
    "REDDIT_COMMENT_POSTS_PER_RUN",
    10,
    minimum=0,
    help="posts per subreddit scrape whose comments are read (half best-scored, half most recent)",
)
REDDIT_COMMENTS_PER_POST = env_int(
    "REDDIT_COMMENTS_PER_POST", 100, minimum=1, help="comments asked for per post (Reddit's limit is 500)"
)
REDDIT_MORE_CALLS_PER_POST = env_int(
    "REDDIT_MORE_CALLS_PER_POST",
    2,
    minimum=0,
    help="/api/morechildren calls per post expanding 'more' stubs (up to 100 comments each)",
)
# Paid providers bill per request.
SCRAPING_COST_PER_CALL = env_json(
    "SCRAPING_COST_PER_CALL",
    {"reddit": 0, "instagram": 0.001},
    help="estimated USD per API call, per upstream, for the runs' cost",
)

# On-demand lookups (scraping/lookup.py): a person waits for these.
LOOKUP_TIMEOUT = env_int(
    "LOOKUP_TIMEOUT", 60, minimum=5, help="seconds after which an unfinished lookup ends as failed (timeout)"
)
# The source system served cached data up to one hour old.
LOOKUP_MAX_AGE = env_int(
    "LOOKUP_MAX_AGE",
    3600,
    minimum=0,
    help="seconds a stored report stays fresh enough to answer a lookup without fetching (request's max_age overrides)",
)

# --- AI ---

AI_BACKEND = env_choice(
    "AI_BACKEND", "embedded", ("embedded", "transformers", "rules"), help="which analyzers answer (docs: AI models)"
)
AI_MODELS_CACHE_DIR = env_str(
    "AI_MODELS_CACHE_DIR",
    str(VAR_DIR / "models"),
    help="folder of transformers models (org/name sub-folders or a hub cache); never downloaded into",
    doc_default="var/models",
)
AI_ARTIFACTS_DIR = env_str(
    "AI_ARTIFACTS_DIR",
    str(VAR_DIR / "ai"),
    help="trained heads and their training data, keyed by recipe version",
    doc_default="var/ai",
)
AI_BATCH_SIZE = env_int("AI_BATCH_SIZE", 32, minimum=1, help="texts per model call")
AI_DEVICE = env_choice("AI_DEVICE", "cpu", ("cpu", "cuda", "auto"), help="where torch models run")
AI_QUANTIZE = env_bool("AI_QUANTIZE", False, help="dynamic int8 quantisation of the torch models on CPU")
# 2 on a 2-core box shared with the web process and other workers.
AI_TORCH_THREADS = env_int("AI_TORCH_THREADS", 2, minimum=1, help="torch threads per worker process")
REQUIREMENTS_AI = env_bool(
    "REQUIREMENTS_AI",
    True,
    help="the MiniLM pass of subreddit requirement extraction in the worker (embedded backend; off: patterns only)",
)
AI_SENTIMENT_MODEL = env_str(
    "AI_SENTIMENT_MODEL", "cardiffnlp/twitter-roberta-base-sentiment-latest", help="transformers backend: sentiment"
)
AI_LANGUAGE_MODEL = env_str(
    "AI_LANGUAGE_MODEL", "papluca/xlm-roberta-base-language-detection", help="transformers backend: language"
)
AI_CATEGORY_MODEL = env_str(
    "AI_CATEGORY_MODEL", "facebook/bart-large-mnli", help="transformers backend: category (NLI or encoder)"
)
AI_TAG_SUGGESTION_THRESHOLD = env_float(
    "AI_TAG_SUGGESTION_THRESHOLD", 0.75, minimum=0.0, help="minimum confidence of a stored tag suggestion"
)
AI_UNCERTAIN_BELOW = env_float(
    "AI_UNCERTAIN_BELOW",
    0.6,
    minimum=0.0,
    help="pages show an AI label whose confidence is below this as uncertain, not as a fact",
)
# Chosen by cross-validation of the embedded category head (intelligence/analyzers/category_head.py):
# the lowest calibrated confidence at which 90 % of the held-out posts shown as facts were right.
# 26 categories spread the probability thinner than sentiment's three classes do.
AI_CATEGORY_UNCERTAIN_BELOW = env_float(
    "AI_CATEGORY_UNCERTAIN_BELOW",
    0.53,
    minimum=0.0,
    help="pages show an AI content category whose confidence is below this as uncertain",
)
# The analyse task re-queues itself while more posts are pending.
AI_PIPELINE_BATCH = env_int("AI_PIPELINE_BATCH", 256, minimum=1, help="posts claimed by one analyse task")
# A live worker renews its claims before every chunk of AI_BATCH_SIZE posts (seconds on CPU with the
# embedded backend, under a minute with the transformers one), so a claim this old is a dead worker's.
AI_CLAIM_TIMEOUT = env_int(
    "AI_CLAIM_TIMEOUT",
    180,
    minimum=60,
    help="seconds without renewal after which a claim is taken to be from a dead worker (the reaper releases it)",
)
AI_LOOKALIKES = env_int("AI_LOOKALIKES", 10, minimum=0, help="lookalikes kept per creator")

# --- Media pipeline ---

# Hosts (exact, or ".suffix" for a domain and its subdomains) that may resolve to loopback or
# private addresses: a MinIO on the LAN, the tests' loopback CDN. Everyone else must be public.
MEDIA_ALLOWED_HOSTS = env_list(
    "MEDIA_ALLOWED_HOSTS", [], help="hosts exempt from the private-address (SSRF) guard; .suffix for a domain"
)
# Instagram reels top out around 100 MB at 1080p/90 s; anything bigger is not a post we keep.
MEDIA_MAX_DOWNLOAD_BYTES = env_int(
    "MEDIA_MAX_DOWNLOAD_BYTES",
    100 * 1024 * 1024,
    minimum=1024,
    help="larger downloads are refused (permanent failure)",
    doc_default="104857600 (100 MiB)",
)
MEDIA_DOWNLOAD_TIMEOUT = env_float("MEDIA_DOWNLOAD_TIMEOUT", 20.0, minimum=0.1, help="seconds a socket read may wait")
MEDIA_DOWNLOAD_CONNECT_TIMEOUT = env_float(
    "MEDIA_DOWNLOAD_CONNECT_TIMEOUT", 5.0, minimum=0.1, help="seconds to open a connection"
)
MEDIA_DOWNLOAD_TOTAL_TIMEOUT = env_float(
    "MEDIA_DOWNLOAD_TOTAL_TIMEOUT", 300.0, minimum=1, help="seconds one whole download may take"
)
MEDIA_DOWNLOAD_ATTEMPTS = env_int(
    "MEDIA_DOWNLOAD_ATTEMPTS", 3, minimum=1, help="tries per download on transient errors (backoff with jitter)"
)
MEDIA_DOWNLOAD_CA_BUNDLE = env_str(
    "MEDIA_DOWNLOAD_CA_BUNDLE",
    help="PEM bundle to verify media hosts' TLS with (private CA)",
    doc_default="empty (the system's CAs)",
)
MEDIA_IMAGE_FORMAT = env_choice(
    "MEDIA_IMAGE_FORMAT", "jpeg", ("jpeg", "webp"), help="format of stored images and thumbnails"
)
MEDIA_IMAGE_MAX_SIDE = env_int(
    "MEDIA_IMAGE_MAX_SIDE", 1080, minimum=64, help="longest side of stored images, px (Instagram's own display size)"
)
MEDIA_IMAGE_MAX_PIXELS = env_int(
    "MEDIA_IMAGE_MAX_PIXELS",
    90_000_000,
    minimum=1_000_000,
    help="bigger images are refused (decompression-bomb guard)",
)
# A large PNG or WebP is decoded in a child process with this address-space limit (JPEG decodes at a
# reduced size in the worker): an 89 MP RGBA PNG peaks at ~700 MB, an 89 MP WebP at ~1.4 GB
# (bench/bench_image_memory.py); over the limit the image is refused, the worker never grows.
MEDIA_IMAGE_DECODE_MEMORY_MB = env_int(
    "MEDIA_IMAGE_DECODE_MEMORY_MB",
    1024,
    minimum=128,
    help="address space (MB) of the child process that decodes a large image; bigger decodes are refused",
)
# Byte budgets in decimal units (300 KB = 300,000 bytes), so they hold under either reading of "KB".
MEDIA_POST_IMAGE_MAX_BYTES = env_int(
    "MEDIA_POST_IMAGE_MAX_BYTES", 300_000, minimum=10_000, help="byte budget of a post image"
)
MEDIA_PROFILE_IMAGE_MAX_BYTES = env_int(
    "MEDIA_PROFILE_IMAGE_MAX_BYTES", 200_000, minimum=10_000, help="byte budget of a profile picture"
)
MEDIA_VIDEO_MAX_BYTES = env_int(
    "MEDIA_VIDEO_MAX_BYTES", 1_500_000, minimum=50_000, help="byte budget of a video (720p H.264)"
)
# x264 preset: "veryfast" needs ~40% less CPU than "medium" (bench/bench_media.py); both land at the
# byte budget, "medium" with a cleaner picture.
MEDIA_VIDEO_PRESET = env_choice(
    "MEDIA_VIDEO_PRESET",
    "veryfast",
    ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow"),
    help="x264 preset of video compression",
)
FFMPEG_BINARY = env_str("FFMPEG_BINARY", "ffmpeg", help="ffmpeg to run (ffprobe is looked up next to it)")
MEDIA_BUSY_RETRY_SECONDS = env_int(
    "MEDIA_BUSY_RETRY_SECONDS",
    60,
    minimum=1,
    help="delay before re-queuing post media whose URL another worker is fetching",
)
# Functions `manage.py media backfill` calls to retry what is missing in apps that reference
# assets (dotted paths, so the media app itself imports none of them; DESIGN.md §1).
MEDIA_BACKFILL_HANDLERS = ["posts.tasks.backfill_post_media", "profiles.tasks.backfill_avatars"]

# --- Monitoring ---

# /metrics answers only a scraper that shows METRICS_TOKEN as a bearer token or connects from one of
# METRICS_ALLOWED_NETWORKS (the socket's address, never X-Forwarded-For). Neither set: closed to all.
METRICS_TOKEN = env_str(
    "METRICS_TOKEN", help="bearer token Prometheus sends to read /metrics (Authorization: Bearer …)"
)
METRICS_ALLOWED_NETWORKS = env_list(
    "METRICS_ALLOWED_NETWORKS",
    [],
    help="comma-separated networks (CIDR) that may read /metrics without the token, e.g. 10.0.0.0/8",
)
for _network in METRICS_ALLOWED_NETWORKS:
    ipaddress.ip_network(_network, strict=False)  # a typo fails at start-up, not on the first scrape
MONITORING_ALERT_WEBHOOK = env_str("MONITORING_ALERT_WEBHOOK", help="URL alerts are POSTed to")
MONITORING_WEBHOOK_TIMEOUT = env_float(
    "MONITORING_WEBHOOK_TIMEOUT", 5.0, minimum=0.1, help="seconds to wait for the alert webhook"
)
MONITORING_PUSH_INTERVAL = env_float(
    "MONITORING_PUSH_INTERVAL",
    5.0,
    minimum=0.05,
    help="seconds between metrics messages on each live monitor (websocket, SSE)",
)
MONITORING_ALERT_INTERVAL = env_int(
    "MONITORING_ALERT_INTERVAL", 30, minimum=5, help="seconds between alert evaluations by beat"
)
MONITORING_FLUSH_SECONDS = env_float(
    "MONITORING_FLUSH_SECONDS", 1.0, minimum=0.05, help="how late buffered counters reach Redis"
)
MONITORING_QUEUES = env_list(
    "MONITORING_QUEUES",
    ["lookups", "default", "scraping", "ai", "media"],
    help="Celery queues whose depth is shown and exported",
)
MONITORING_HEARTBEAT_STALE_SECONDS = env_int(
    "MONITORING_HEARTBEAT_STALE_SECONDS",
    300,
    minimum=1,
    help="a running scraper whose heartbeat is older is stale (alert)",
)
MONITORING_LOG_RETENTION_DAYS = env_int(
    "MONITORING_LOG_RETENTION_DAYS", 30, minimum=1, help="system-log lines older than this are deleted nightly"
)
MONITORING_ALERT_RETENTION_DAYS = env_int(
    "MONITORING_ALERT_RETENTION_DAYS", 90, minimum=1, help="resolved alerts older than this are deleted nightly"
)
MONITORING_LOG_EVENT_LEVEL = env_choice(
    "MONITORING_LOG_EVENT_LEVEL",
    "error",
    ("debug", "info", "warning", "error", "critical"),
    help="system-log lines at or above this level are pushed to the live monitor",
)
MONITORING_ACCESS_LOG = env_bool("MONITORING_ACCESS_LOG", True, help="one structured access line per request")
# One answer serves all of a user's sockets in a process for this long.
MONITORING_AUTH_RECHECK_SECONDS = env_float(
    "MONITORING_AUTH_RECHECK_SECONDS",
    1.0,
    minimum=0,
    help="how long one staff re-check serves a user's monitor sockets (0: query for every message)",
)
# Alert thresholds (the product brief's), each over the last MONITORING_ALERT_WINDOW seconds.
MONITORING_ALERT_WINDOW = env_int(
    "MONITORING_ALERT_WINDOW", 300, minimum=10, help="seconds of traffic the rate and latency rules look at"
)
MONITORING_ALERT_RESPONSE_TIME = env_float(
    "MONITORING_ALERT_RESPONSE_TIME", 5.0, minimum=0, help="alert when p95 response time exceeds this many seconds"
)
MONITORING_ALERT_ERROR_RATE = env_float(
    "MONITORING_ALERT_ERROR_RATE", 0.05, minimum=0, help="alert when more than this share of requests answer 5xx"
)
MONITORING_ALERT_RESOURCE_USAGE = env_float(
    "MONITORING_ALERT_RESOURCE_USAGE", 0.85, minimum=0, help="alert when CPU, memory or disk use exceeds this share"
)
MONITORING_ALERT_AI_FAILURE_RATE = env_float(
    "MONITORING_ALERT_AI_FAILURE_RATE",
    0.10,
    minimum=0,
    help="alert when more than this share of analysed posts failed",
)
MONITORING_ALERT_CACHE_HIT_RATE = env_float(
    "MONITORING_ALERT_CACHE_HIT_RATE", 0.80, minimum=0, help="alert when the cache hit rate falls below this"
)
# Rates need a few samples before they mean anything.
MONITORING_ALERT_MIN_SAMPLES = env_int(
    "MONITORING_ALERT_MIN_SAMPLES",
    20,
    minimum=1,
    help="below this many requests, cache reads or analysed posts in the window the rate rules stay quiet",
)

# --- Admin and pages ---

ADMIN_BULK_SYNC_LIMIT = env_int(
    "ADMIN_BULK_SYNC_LIMIT",
    500,
    minimum=1,
    help="admin bulk actions on more rows than this run in the worker and are reported when done",
)
# Spreadsheet imports (admin): refused above these before any row is read; accepted ones run in the worker.
IMPORT_MAX_BYTES = env_int(
    "IMPORT_MAX_BYTES", 5 * 1024 * 1024, minimum=1, help="largest import file the admin accepts, in bytes"
)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 50_000, minimum=1, help="most data rows one admin import may hold")
IMPORT_BATCH_ROWS = env_int(
    "IMPORT_BATCH_ROWS", 500, minimum=1, help="rows the import worker writes per transaction (progress steps)"
)
# A text cell openpyxl cannot store (control characters) becomes U+FFFD instead of failing the export.
IMPORT_EXPORT_ESCAPE_ILLEGAL_CHARS_ON_EXPORT = True
PAGES_PAGE_SIZE = env_int(
    "PAGES_PAGE_SIZE", 24, minimum=1, help="result cards per page on the creator search and favorites pages"
)
UNFOLD = {
    "SITE_TITLE": "Creatorscope admin",
    "SITE_HEADER": "Creatorscope",
    "SITE_SYMBOL": "insights",
    "SHOW_HISTORY": True,
    "SHOW_VIEW_ON_SITE": True,
    # Import paths of callables (unfold resolves them per request), so static URLs get their hashes.
    "STYLES": ["config.ui.admin_css"],
    "SCRIPTS": ["config.ui.chart_js", "config.ui.charts_js"],
    "SIDEBAR": {"show_search": True, "show_all_applications": True, "navigation": "config.ui.sidebar"},
}
