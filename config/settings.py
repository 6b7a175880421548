"""Creatorscope settings: one module, driven by the environment.

With no environment at all the app runs on the embedded default (SQLite, file cache, a file-system
Celery broker, the in-memory channel layer, media on local disk). ``DATABASE_URL``, ``REDIS_URL``
and the storage variables switch to PostgreSQL, Redis and S3. Every variable read here is listed
in README's configuration table.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import dj_database_url

from config.env import env_bool, env_choice, env_float, env_int, env_json, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("CREATORSCOPE_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

# --- Core ---

DEBUG = env_bool("DJANGO_DEBUG", False)


def _secret_key() -> str:
    """Take the key from the environment, else keep a random one in var/ so sessions survive restarts."""
    key = env_str("DJANGO_SECRET_KEY")
    if key:
        return key
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

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
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "channels",
    "django_prometheus",
    "import_export",
    "media",
    "profiles",
    "posts",
    "campaigns",
    "intelligence",
    "scraping",
    "monitoring",
    "config",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
            ],
        },
    },
]

# --- Database ---

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'creatorscope.sqlite3'}"),
        # Persistent connections: BENCHMARKS.md measured 1,240 req/s with them vs 294 without.
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=True,
    )
}
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
if IS_POSTGRES and env_bool("DATABASE_PREPARED_STATEMENTS", True):
    # Server-side parameters, and a statement prepared the fifth time a connection runs it: PostgreSQL
    # then stops re-planning the hot lookups (token, creator report), which halved the database CPU
    # per API request in bench/bench_api.py (0.26 → 0.17 ms hello-world, 0.56 → 0.28 ms report).
    # Django leaves both off by default for PgBouncer in transaction mode before 1.21: set
    # DATABASE_PREPARED_STATEMENTS=0 there.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"server_side_binding": True, "prepare_threshold": 5})
if not IS_POSTGRES:
    # SQLite is the embedded default, shared by the web process, the worker's threads and beat. WAL lets
    # readers run beside the writer; IMMEDIATE takes the write lock when a transaction begins, so the
    # busy timeout applies instead of an instant "database is locked" on a read-to-write upgrade.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, broker, channel layer ---

REDIS_URL = env_str("REDIS_URL")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "cs"),
            "TIMEOUT": env_int("CACHE_DEFAULT_TIMEOUT", 300, minimum=0),
            "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
        }
    }
else:
    # A file cache rather than local memory, so the web process, the worker and beat see one cache.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
            "TIMEOUT": env_int("CACHE_DEFAULT_TIMEOUT", 300, minimum=0),
        }
    }

# Entries whose key carries a version (creator reports) never change, so each process keeps the
# most recently used ones in memory too and skips the Redis round trip (config.api.caching.versioned_get).
API_LOCAL_CACHE_ENTRIES = env_int("API_LOCAL_CACHE_ENTRIES", 1000, minimum=0)
CACHES["local"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "versioned",
    "OPTIONS": {"MAX_ENTRIES": max(API_LOCAL_CACHE_ENTRIES, 1)},
}

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL or "filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    _broker_dir = VAR_DIR / "celery-broker"
    for _sub in ("out", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        # Broadcast exchanges (remote control); kombu's default is ./control in the working directory.
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", REDIS_URL or "")
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
# Scraping and ML get their own queues (STYLE.md) so a slow model never blocks collection.
CELERY_TASK_ROUTES = {
    "scraping.tasks.*": {"queue": "scraping"},
    "intelligence.tasks.*": {"queue": "ai"},
    "media.tasks.*": {"queue": "media"},
    "posts.tasks.download_*": {"queue": "media"},
    "profiles.tasks.download_*": {"queue": "media"},
}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [env_str("CHANNELS_REDIS_URL", REDIS_URL)]},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- Auth, i18n ---

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and media storage ---

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").is_dir() else []
MEDIA_URL = env_str("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))

MEDIA_STORAGE = env_choice("MEDIA_STORAGE", "local", ("local", "s3"))
if MEDIA_STORAGE == "s3":
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,
            "region_name": env_str("AWS_S3_REGION_NAME") or None,
            "access_key": env_str("AWS_ACCESS_KEY_ID") or None,
            "secret_key": env_str("AWS_SECRET_ACCESS_KEY") or None,
            "querystring_auth": env_bool("MEDIA_SIGNED_URLS", True),
            "querystring_expire": env_int("MEDIA_SIGNED_URL_EXPIRE", 3600, minimum=1),
            "file_overwrite": True,  # keys are content hashes: same key, same bytes
            "default_acl": None,
            # SigV4: R2 and MinIO accept nothing else, and AWS retired SigV2 for new buckets.
            "signature_version": "s3v4",
            "addressing_style": env_choice("AWS_S3_ADDRESSING_STYLE", "auto", ("auto", "path", "virtual")),
        },
    }
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT), "base_url": MEDIA_URL},
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Security (production defaults; `make run` sets DJANGO_DEBUG=1 for local use) ---

SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("DJANGO_BEHIND_PROXY", False) else None
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# --- Logging ---

# One JSON object per line on stdout (12-factor): the platform's log shipper parses it. Every line
# carries the request id (``X-Request-ID``, set by monitoring.middleware) or the Celery task id, so
# one request or task can be followed across web, worker and upstream calls.
LOG_LEVEL = env_choice("LOG_LEVEL", "info", ("debug", "info", "warning", "error")).upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "monitoring.logcontext.ContextFilter"}},
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
            "formatter": env_choice("LOG_FORMAT", "json" if not DEBUG else "plain", ("json", "plain")),
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # The middleware writes one structured access line per request; the servers' own access
        # lines would say the same without the request id.
        "django.server": {"level": "WARNING"},
        "uvicorn.access": {"level": "WARNING"},
    },
}

# --- API ---

API_PAGE_SIZE = env_int("API_PAGE_SIZE", 25, minimum=1)
# Larger pages are refused with a 400 (not clamped) so a client learns the cap.
API_MAX_PAGE_SIZE = env_int("API_MAX_PAGE_SIZE", 100, minimum=1)
# Cache lifetimes (seconds). Detail and analytics keys include the profile's change timestamps,
# so a re-scrape or re-analysis makes a new key; the TTL only bounds memory. Search keys include
# the newest change across all profiles; 0 turns a cache off.
API_DETAIL_CACHE_TTL = env_int("API_DETAIL_CACHE_TTL", 3600, minimum=0)
API_ANALYTICS_CACHE_TTL = env_int("API_ANALYTICS_CACHE_TTL", 3600, minimum=0)
API_SEARCH_CACHE_TTL = env_int("API_SEARCH_CACHE_TTL", 300, minimum=0)
API_DASHBOARD_CACHE_TTL = env_int("API_DASHBOARD_CACHE_TTL", 60, minimum=0)

REST_FRAMEWORK = {
    # Token first: an unauthenticated call then answers 401 with "WWW-Authenticate: Token"
    # instead of the 403 DRF gives when session authentication comes first.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "config.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "config.api.pagination.PageNumberPagination",
    "PAGE_SIZE": API_PAGE_SIZE,
    "DEFAULT_THROTTLE_CLASSES": ["config.api.throttling.UserThrottle", "config.api.throttling.AnonThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "user": env_str("API_THROTTLE_USER", "1200/min"),
        "anon": env_str("API_THROTTLE_ANON", "60/min"),
    },
    "DEFAULT_SCHEMA_CLASS": "config.api.schema.AutoSchema",
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
    },
}
# Campaign value estimates: EMV = CPM x impressions / 1000 (industry-average CPM in USD).
CAMPAIGN_CPM = env_float("CAMPAIGN_CPM", 6.50, minimum=0)
# Share of followers assumed to see a feed post (reach estimate; campaigns/metrics.py).
CAMPAIGN_FEED_REACH_RATE = env_float("CAMPAIGN_FEED_REACH_RATE", 0.2, minimum=0)
PROFILE_ACCESS_DAYS = env_int("PROFILE_ACCESS_DAYS", 30, minimum=1)
PROFILE_ACCESS_MONTHLY_LIMIT = env_int("PROFILE_ACCESS_MONTHLY_LIMIT", 0, minimum=0)  # 0 = unlimited

# --- Scraping ---

REDDIT_BASE_URL = env_str("REDDIT_BASE_URL", "https://www.reddit.com")
REDDIT_OAUTH_BASE_URL = env_str("REDDIT_OAUTH_BASE_URL", "https://oauth.reddit.com")
REDDIT_CLIENT_ID = env_str("REDDIT_CLIENT_ID")
REDDIT_CLIENT_SECRET = env_str("REDDIT_CLIENT_SECRET")
# Reddit allows 100 requests/min per OAuth app and about 10/min for unauthenticated JSON.
REDDIT_REQUESTS_PER_MINUTE = env_int("REDDIT_REQUESTS_PER_MINUTE", 100 if REDDIT_CLIENT_ID else 10, minimum=1)
INSTAGRAM_PROVIDER = env_choice("INSTAGRAM_PROVIDER", "web", ("web", "graph"))
INSTAGRAM_BASE_URL = env_str("INSTAGRAM_BASE_URL", "https://i.instagram.com")
INSTAGRAM_GRAPH_BASE_URL = env_str("INSTAGRAM_GRAPH_BASE_URL", "https://graph.facebook.com/v21.0")
INSTAGRAM_GRAPH_ACCESS_TOKEN = env_str("INSTAGRAM_GRAPH_ACCESS_TOKEN")
# Graph API Business Discovery: 200 calls/hour per user token is the published floor.
INSTAGRAM_REQUESTS_PER_MINUTE = env_int("INSTAGRAM_REQUESTS_PER_MINUTE", 200 // 60 + 1, minimum=1)
SCRAPING_PROXIES = env_list("SCRAPING_PROXIES", [])
# Token endpoint for app-only OAuth (client credentials); secrets may come from *_FILE.
REDDIT_AUTH_URL = env_str("REDDIT_AUTH_URL", "https://www.reddit.com/api/v1/access_token")
# Reddit asks for "<platform>:<app id>:<version> (by /u/<username>)" and throttles generic agents.
REDDIT_USER_AGENT = env_str("REDDIT_USER_AGENT", "server:creatorscope:1.0 (self-hosted analytics)")
# Provider auth headers as JSON, e.g. {"x-rapidapi-key": "...", "x-rapidapi-host": "..."}.
INSTAGRAM_PROVIDER_HEADERS = env_json("INSTAGRAM_PROVIDER_HEADERS", {})
# Where Instagram's JSON sits inside a provider's envelope, as a dotted path ("results.0.content"
# for Decodo-style providers); empty when the provider passes Instagram's JSON through unchanged.
INSTAGRAM_RESPONSE_ENVELOPE = env_str("INSTAGRAM_RESPONSE_ENVELOPE", "")
# The Instagram business account (IG user id) that Business Discovery queries are made as.
INSTAGRAM_GRAPH_USER_ID = env_str("INSTAGRAM_GRAPH_USER_ID")
SCRAPING_USER_AGENT = env_str("SCRAPING_USER_AGENT", "Mozilla/5.0 (compatible; creatorscope/1.0)")
# Connect and read timeouts of every upstream call, in seconds.
SCRAPING_TIMEOUTS = (
    env_float("SCRAPING_CONNECT_TIMEOUT", 5.0, minimum=0.1),
    env_float("SCRAPING_READ_TIMEOUT", 30.0, minimum=0.1),
)
SCRAPING_MAX_ATTEMPTS = env_int("SCRAPING_MAX_ATTEMPTS", 4, minimum=1)
SCRAPING_BACKOFF_SECONDS = env_float("SCRAPING_BACKOFF_SECONDS", 1.0, minimum=0)
# Waits longer than this (Retry-After, an empty budget) re-queue the task instead of blocking a worker.
SCRAPING_MAX_WAIT_SECONDS = env_float("SCRAPING_MAX_WAIT_SECONDS", 60.0, minimum=0)
SCRAPING_BREAKER_FAIL_MAX = env_int("SCRAPING_BREAKER_FAIL_MAX", 5, minimum=1)
SCRAPING_BREAKER_RESET_SECONDS = env_int("SCRAPING_BREAKER_RESET_SECONDS", 60, minimum=1)
# How often approved targets are refreshed, and how many are picked per beat tick.
SCRAPING_COMMUNITY_INTERVAL_HOURS = env_float("SCRAPING_COMMUNITY_INTERVAL_HOURS", 6.0, minimum=0.01)
SCRAPING_PROFILE_INTERVAL_HOURS = env_float("SCRAPING_PROFILE_INTERVAL_HOURS", 24.0, minimum=0.01)
SCRAPING_DUE_BATCH = env_int("SCRAPING_DUE_BATCH", 50, minimum=1)
# Posts fetched per target and scrape (Reddit listings stop at about 1,000 items anyway).
SCRAPING_POSTS_PER_TARGET = env_int("SCRAPING_POSTS_PER_TARGET", 100, minimum=1)
# Estimated cost per API call in USD, per upstream (paid providers bill per request).
SCRAPING_COST_PER_CALL = env_json("SCRAPING_COST_PER_CALL", {"reddit": 0, "instagram": 0.001})

# --- Intelligence ---

AI_BACKEND = env_choice("AI_BACKEND", "embedded", ("embedded", "transformers", "rules"))
# Folder of transformers models (``org/name`` sub-folders or a hub cache); never downloaded into.
AI_MODELS_CACHE_DIR = env_str("AI_MODELS_CACHE_DIR", str(VAR_DIR / "models"))
# Trained heads and their training data, keyed by recipe version (intelligence/analyzers/sentiment_head.py).
AI_ARTIFACTS_DIR = env_str("AI_ARTIFACTS_DIR", str(VAR_DIR / "ai"))
AI_BATCH_SIZE = env_int("AI_BATCH_SIZE", 32, minimum=1)
AI_DEVICE = env_choice("AI_DEVICE", "cpu", ("cpu", "cuda", "auto"))
AI_QUANTIZE = env_bool("AI_QUANTIZE", False)
# torch threads per worker process: 2 on a 2-core box shared with the web process and other workers.
AI_TORCH_THREADS = env_int("AI_TORCH_THREADS", 2, minimum=1)
AI_SENTIMENT_MODEL = env_str("AI_SENTIMENT_MODEL", "cardiffnlp/twitter-roberta-base-sentiment-latest")
AI_LANGUAGE_MODEL = env_str("AI_LANGUAGE_MODEL", "papluca/xlm-roberta-base-language-detection")
AI_CATEGORY_MODEL = env_str("AI_CATEGORY_MODEL", "facebook/bart-large-mnli")
AI_TAG_SUGGESTION_THRESHOLD = env_float("AI_TAG_SUGGESTION_THRESHOLD", 0.75, minimum=0.0)
# Posts claimed by one analyse task; the task re-queues itself while more are pending.
AI_PIPELINE_BATCH = env_int("AI_PIPELINE_BATCH", 256, minimum=1)
# A claim older than this is taken to be from a dead worker and may be claimed again.
AI_CLAIM_TIMEOUT = env_int("AI_CLAIM_TIMEOUT", 900, minimum=60)
AI_LOOKALIKES = env_int("AI_LOOKALIKES", 10, minimum=0)

# --- Media ---

# Hosts (exact, or ".suffix" for a domain and its subdomains) that may resolve to loopback or
# private addresses: a MinIO on the LAN, the tests' loopback CDN. Everyone else must be public.
MEDIA_ALLOWED_HOSTS = env_list("MEDIA_ALLOWED_HOSTS", [])
# Instagram reels top out around 100 MB at 1080p/90 s; anything bigger is not a post we keep.
MEDIA_MAX_DOWNLOAD_BYTES = env_int("MEDIA_MAX_DOWNLOAD_BYTES", 100 * 1024 * 1024, minimum=1024)
MEDIA_DOWNLOAD_TIMEOUT = env_float("MEDIA_DOWNLOAD_TIMEOUT", 20.0, minimum=0.1)  # per socket read
MEDIA_DOWNLOAD_CONNECT_TIMEOUT = env_float("MEDIA_DOWNLOAD_CONNECT_TIMEOUT", 5.0, minimum=0.1)
MEDIA_DOWNLOAD_TOTAL_TIMEOUT = env_float("MEDIA_DOWNLOAD_TOTAL_TIMEOUT", 300.0, minimum=1)
MEDIA_DOWNLOAD_ATTEMPTS = env_int("MEDIA_DOWNLOAD_ATTEMPTS", 3, minimum=1)
MEDIA_DOWNLOAD_CA_BUNDLE = env_str("MEDIA_DOWNLOAD_CA_BUNDLE")  # PEM file; empty = the system's CAs
MEDIA_IMAGE_FORMAT = env_choice("MEDIA_IMAGE_FORMAT", "jpeg", ("jpeg", "webp"))
MEDIA_IMAGE_MAX_SIDE = env_int("MEDIA_IMAGE_MAX_SIDE", 1080, minimum=64)  # Instagram's own display size
MEDIA_IMAGE_MAX_PIXELS = env_int("MEDIA_IMAGE_MAX_PIXELS", 90_000_000, minimum=1_000_000)  # bomb guard
# Byte budgets in decimal units (300 KB = 300,000 bytes), so they hold under either reading of "KB".
MEDIA_POST_IMAGE_MAX_BYTES = env_int("MEDIA_POST_IMAGE_MAX_BYTES", 300_000, minimum=10_000)
MEDIA_PROFILE_IMAGE_MAX_BYTES = env_int("MEDIA_PROFILE_IMAGE_MAX_BYTES", 200_000, minimum=10_000)
MEDIA_VIDEO_MAX_BYTES = env_int("MEDIA_VIDEO_MAX_BYTES", 1_500_000, minimum=50_000)
# x264 preset: "veryfast" needs ~40% less CPU than "medium" (6.4 vs 10.0 CPU-seconds per 10 s
# 1080p clip, bench/bench_media.py); both land at the byte budget, "medium" with a cleaner picture.
MEDIA_VIDEO_PRESET = env_choice(
    "MEDIA_VIDEO_PRESET", "veryfast", ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow")
)
FFMPEG_BINARY = env_str("FFMPEG_BINARY", "ffmpeg")
# A post-media task whose URL another worker is fetching re-queues itself this much later.
MEDIA_BUSY_RETRY_SECONDS = env_int("MEDIA_BUSY_RETRY_SECONDS", 60, minimum=1)
# Functions `manage.py media backfill` calls to retry what is missing in apps that reference
# assets (dotted paths, so the media app itself imports none of them; DESIGN.md §1).
MEDIA_BACKFILL_HANDLERS = ["posts.tasks.backfill_post_media", "profiles.tasks.backfill_avatars"]

# --- Monitoring ---

MONITORING_ALERT_WEBHOOK = env_str("MONITORING_ALERT_WEBHOOK")
MONITORING_WEBHOOK_TIMEOUT = env_float("MONITORING_WEBHOOK_TIMEOUT", 5.0, minimum=0.1)
# How often each live monitor (websocket, SSE) receives a `metrics` message.
MONITORING_PUSH_INTERVAL = env_float("MONITORING_PUSH_INTERVAL", 5.0, minimum=0.05)
# How often beat evaluates the alert rules (monitoring.tasks.evaluate_alerts).
MONITORING_ALERT_INTERVAL = env_int("MONITORING_ALERT_INTERVAL", 30, minimum=5)
# Buffered counters reach Redis at most this late (monitoring/store.py).
MONITORING_FLUSH_SECONDS = env_float("MONITORING_FLUSH_SECONDS", 1.0, minimum=0.05)
MONITORING_QUEUES = env_list("MONITORING_QUEUES", ["default", "scraping", "ai", "media"])
MONITORING_HEARTBEAT_STALE_SECONDS = env_int("MONITORING_HEARTBEAT_STALE_SECONDS", 300, minimum=1)
MONITORING_LOG_RETENTION_DAYS = env_int("MONITORING_LOG_RETENTION_DAYS", 30, minimum=1)
MONITORING_ALERT_RETENTION_DAYS = env_int("MONITORING_ALERT_RETENTION_DAYS", 90, minimum=1)
# System log lines at or above this level are pushed to the live monitor as `log` events.
MONITORING_LOG_EVENT_LEVEL = env_choice(
    "MONITORING_LOG_EVENT_LEVEL", "error", ("debug", "info", "warning", "error", "critical")
)
MONITORING_ACCESS_LOG = env_bool("MONITORING_ACCESS_LOG", True)
# The monitor re-checks the viewer before every message; one answer serves all of a user's sockets
# in a process for this long (0: query for every message of every socket).
MONITORING_AUTH_RECHECK_SECONDS = env_float("MONITORING_AUTH_RECHECK_SECONDS", 1.0, minimum=0)
# Alert thresholds (the product brief's): p95 response time, 5xx share, CPU/memory/disk use,
# AI failure share, cache hit rate; each over the last MONITORING_ALERT_WINDOW seconds.
MONITORING_ALERT_WINDOW = env_int("MONITORING_ALERT_WINDOW", 300, minimum=10)
MONITORING_ALERT_RESPONSE_TIME = env_float("MONITORING_ALERT_RESPONSE_TIME", 5.0, minimum=0)
MONITORING_ALERT_ERROR_RATE = env_float("MONITORING_ALERT_ERROR_RATE", 0.05, minimum=0)
MONITORING_ALERT_RESOURCE_USAGE = env_float("MONITORING_ALERT_RESOURCE_USAGE", 0.85, minimum=0)
MONITORING_ALERT_AI_FAILURE_RATE = env_float("MONITORING_ALERT_AI_FAILURE_RATE", 0.10, minimum=0)
MONITORING_ALERT_CACHE_HIT_RATE = env_float("MONITORING_ALERT_CACHE_HIT_RATE", 0.80, minimum=0)
# Rates need a few samples before they mean anything: below this many requests/lookups/posts in the
# window, the error-rate, cache and AI rules stay quiet.
MONITORING_ALERT_MIN_SAMPLES = env_int("MONITORING_ALERT_MIN_SAMPLES", 20, minimum=1)

# Request ids, access log and request metrics for every request (outermost, so it times the rest).
MIDDLEWARE.insert(0, "monitoring.middleware.RequestMonitorMiddleware")
# Count cache hits and misses for the monitor: the same backends, with a counting get().
CACHES["default"]["BACKEND"] = {
    "django_redis.cache.RedisCache": "monitoring.cache.RedisCache",
    "django.core.cache.backends.filebased.FileBasedCache": "monitoring.cache.FileBasedCache",
}.get(CACHES["default"]["BACKEND"], CACHES["default"]["BACKEND"])

# --- Analyst experience ---

# Code seeds the beat schedule, admin edits win after (config/beat.py explains why the stock
# DatabaseScheduler is not enough: it rewrites staff edits on every beat start).
CELERY_BEAT_SCHEDULER = "config.beat:CodeSeededDatabaseScheduler"
# Admin bulk actions on more rows than this run in a background task and report when done.
ADMIN_BULK_SYNC_LIMIT = env_int("ADMIN_BULK_SYNC_LIMIT", 500, minimum=1)
PAGES_PAGE_SIZE = env_int("PAGES_PAGE_SIZE", 24, minimum=1)
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
