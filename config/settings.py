"""Settings of the portal: one file, every deployment difference read from the environment.

With nothing set, the portal runs on an embedded SQLite database with Celery tasks executed
in-process, which is what ``make run`` uses. Production sets ``DATABASE_URL``,
``CELERY_BROKER_URL``, ``SECRET_KEY``, ``DEBUG=0`` and ``ALLOWED_HOSTS``.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF, UNSAFE_INLINE

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    return os.environ.get(name, default).lower() in ("1", "true", "yes", "on")


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", "1")
SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-key-change-me" if DEBUG else "")
if not SECRET_KEY:
    raise RuntimeError("SECRET_KEY must be set when DEBUG is off")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")
CSRF_FAILURE_VIEW = "config.views.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "axes",
    "simple_history",
    "accounts",
    "stations",
    "staffing",
    "services",
    "evaluation",
    "funding",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every response (CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Cache-Control: no-store on the API, downloads and signed-in pages (people's data).
    "config.cache_control.NoStoreMiddleware",
    # Writes the log of "already registered" answers after the request, even when its writes were rolled back.
    "accounts.people.DisclosureLogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The covering indexes (``Index(include=...)``) are PostgreSQL's; the embedded SQLite builds them without the extra
# columns, which only costs it speed.
SILENCED_SYSTEM_CHECKS = ["models.W040"] if DATABASES["default"]["ENGINE"].endswith("sqlite3") else []

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out username/IP pair never reaches the password check.
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.RoleBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# The client's address: REMOTE_ADDR, or with TRUSTED_PROXY_COUNT reverse proxies in front (nginx: 1), the entry
# X-Forwarded-For got from the outermost of them; never a value the client wrote itself (accounts/network.py).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

# Brute-force lockout (accounts/lockout.py): five failures for one username from one address lock that pair;
# AXES_ADDRESS_FAILURE_LIMIT failures from one address across user names (password spraying) lock the address.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_ADDRESS_FAILURE_LIMIT = int(os.environ.get("AXES_ADDRESS_FAILURE_LIMIT", "20"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "accounts.lockout.PortalAxesHandler"
AXES_CLIENT_IP_CALLABLE = "accounts.network.client_address"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = envbool("AXES_ENABLED", "1")
AXES_VERBOSE = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploaded and generated files are private: they are served only through scoped views.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
MEDIA_URL = "/media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Evidence attached to a service record (photos, sign-in sheets): the largest file accepted.
SERVICE_ATTACHMENT_MAX_BYTES = int(os.environ.get("SERVICE_ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024)))

# "Already registered" answers for a repeated ID number tell whose it is: each is logged, and one user gets at
# most this many in an hour (accounts/people.py).
DUPLICATE_ANSWERS_PER_HOUR = int(os.environ.get("DUPLICATE_ANSWERS_PER_HOUR", "10"))

API_JSON_MAX_DEPTH = 64
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an unauthenticated request then gets 401 with "WWW-Authenticate: Token".
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["accounts.permissions.RolePermission"],
    # JSON nested deeper than API_JSON_MAX_DEPTH is a 400, never a RecursionError.
    "DEFAULT_PARSER_CLASSES": [
        "config.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        # SearchFilter, and on viewsets of people the search that is no oracle (accounts/people.py).
        "accounts.people.PeopleSearchFilter",
        # OrderingFilter, never by a personal field the user is not shown whole (accounts/people.py).
        "accounts.people.PeopleOrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "config.pagination.PortalPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {
        "token": "30/min",
        # Rebuilding a report re-renders a PDF: a few a minute per user (reports/throttles.py).
        "report_rebuild": os.environ.get("REPORT_REBUILD_RATE", "3/min"),
        # Answers through a satisfaction survey's public link, per client address (a room on shared Wi-Fi fits).
        "public_survey": os.environ.get("PUBLIC_SURVEY_RATE", "30/hour"),
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # DRF's own throttles read the client's address behind the same trusted proxies as accounts.network.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
# API tokens (django-rest-knox, see accounts/tokens.py): a token lapses TOKEN_IDLE_DAYS after its last use and
# TOKEN_MAX_DAYS after the sign-in at the latest; a new password or a deactivated account revokes them all.
TOKEN_IDLE_DAYS = int(os.environ.get("TOKEN_IDLE_DAYS", "30"))
TOKEN_MAX_DAYS = int(os.environ.get("TOKEN_MAX_DAYS", "90"))
TOKEN_LIMIT_PER_USER = int(os.environ.get("TOKEN_LIMIT_PER_USER", "10"))
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=TOKEN_IDLE_DAYS),
    "AUTO_REFRESH": True,
    "AUTO_REFRESH_MAX_TTL": timedelta(days=TOKEN_MAX_DAYS),
    # Writes the new expiry at most once an hour per token, not on every request.
    "MIN_REFRESH_INTERVAL": 3600,
    "AUTH_HEADER_PREFIX": "Token",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Township Social Work Station Portal API",
    "DESCRIPTION": "社工站综合管理平台 API. Every response is filtered to the caller's scope.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "OrganizationKindEnum": "stations.choices.OrganizationKind",
        # An organisation's rating and a staffing policy's minimum operator rating are one choice set.
        "RatingEnum": "stations.choices.Rating",
        "ReportKindEnum": "reports.choices.ReportKind",
        "ReportStatusEnum": "reports.choices.ReportStatus",
        "CaseStatusEnum": "services.choices.CaseStatus",
        "FocusProblemStatusEnum": "services.choices.FocusProblemStatus",
        "ProjectStageEnum": "services.choices.ProjectStage",
        "EvaluationStageEnum": "evaluation.choices.Stage",
        "EvaluationStatusEnum": "evaluation.choices.EvaluationStatus",
        "EvidenceKindEnum": "evaluation.choices.EvidenceKind",
        "IndicatorSourceEnum": "evaluation.choices.IndicatorSource",
        "FundingSourceEnum": "funding.choices.FundingSource",
        "BudgetLineEnum": "funding.choices.BudgetLine",
        "BudgetStatusEnum": "funding.choices.BudgetStatus",
        "SplitStatusEnum": "funding.choices.SplitStatus",
    },
}

# Celery: with no broker configured, tasks run in-process (the embedded default).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
# A worker child that dies in a task (SIGKILL, the out-of-memory killer) gives its message back to the queue
# instead of acknowledging it: with acks late, the job is rendered again (reports/tasks.py keeps it to once).
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = int(os.environ.get("CELERY_TASK_TIME_LIMIT", "600"))
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 30
# WeasyPrint's memory does not shrink after a large render: a worker child is replaced after this many tasks,
# or after a task that left it above this resident size (KiB).
CELERY_WORKER_MAX_TASKS_PER_CHILD = int(os.environ.get("CELERY_WORKER_MAX_TASKS_PER_CHILD", "50"))
CELERY_WORKER_MAX_MEMORY_PER_CHILD = int(os.environ.get("CELERY_WORKER_MAX_MEMORY_PER_CHILD", str(500 * 1024)))
# Reports render on their own queue, so that a worker of the default queue (rollups, the reclaim) never waits
# behind a batch of PDFs; within it an on-demand request (priority 0, Redis' highest) is taken before the jobs of
# a batch (REPORT_BATCH_PRIORITY), so a month's batch delays it by one render per worker process at most.
CELERY_TASK_DEFAULT_QUEUE = "celery"
REPORTS_QUEUE = os.environ.get("CELERY_REPORTS_QUEUE", "reports")
CELERY_TASK_ROUTES = {
    "reports.tasks.render_report": {"queue": REPORTS_QUEUE},
    "reports.tasks.batch_fan_out": {"queue": REPORTS_QUEUE},
}
REPORT_BATCH_PRIORITY = 9
# A broker that cannot be reached is reported at once (reports answer 503) instead of retried in the request.
CELERY_BROKER_CONNECTION_TIMEOUT = float(os.environ.get("CELERY_BROKER_CONNECTION_TIMEOUT", "0.5"))
# Redis hands an unacknowledged message to another worker after the visibility timeout: it must outlast the
# longest a message stays unacknowledged (a render up to the hard limit, after a wait of up to the heartbeat's
# staleness), or a render still under way would be delivered twice. A worker lost whole is not waited for:
# its job is taken back by the heartbeat (REPORT_STALE_SECONDS), and the late redelivery then finds it done.
CELERY_VISIBILITY_TIMEOUT = int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", str(CELERY_TASK_TIME_LIMIT + 300)))
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": CELERY_BROKER_CONNECTION_TIMEOUT,
    "socket_timeout": float(os.environ.get("CELERY_BROKER_SOCKET_TIMEOUT", "5")),
    "max_retries": 0,
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    # Ten priority levels (kombu's default is four: 0, 3, 6, 9); 0 is taken first.
    "priority_steps": list(range(10)),
    # A worker sweeps for messages past the visibility timeout every 60 s (kombu's default: 100 s).
    "unacked_restore_interval": 60,
    "unacked_restore_throttle": 1,
}
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Synced into django-celery-beat's tables when beat starts; other apps add their entries to this dict.
CELERY_BEAT_SCHEDULE = {
    # Every minute: a job whose worker vanished is taken back within REPORT_STALE_SECONDS plus a minute.
    "reclaim-stuck-reports": {"task": "reports.tasks.reclaim_stuck_reports", "schedule": timedelta(minutes=1)},
    "purge-idempotency-keys": {"task": "accounts.tasks.purge_idempotency_keys", "schedule": timedelta(hours=1)},
    # The rollups (reports/rollups): the months marked by a write are recomputed every 30 seconds, and every night the last three months are recomputed from the records, any difference repaired and logged.
    "rollups-refresh": {
        "task": "reports.tasks.rollups_refresh",
        "schedule": timedelta(seconds=30),
        "options": {"expires": 25},
    },
    "rollups-repair": {
        "task": "reports.tasks.rollups_repair",
        "schedule": crontab(hour=1, minute=30),
        "kwargs": {"months": 3},
    },
    # The periodic reports (reports/batches.py): the month before at 02:00 on the 1st, the quarter before at 03:00
    # on the 1st of January, April, July and October; admins change them under Periodic tasks in the admin site.
    "monthly-reports": {
        "task": "reports.tasks.periodic_batch",
        "schedule": crontab(minute=0, hour=2, day_of_month=1),
        "kwargs": {"kind": "monthly"},
    },
    "quarterly-reports": {
        "task": "reports.tasks.periodic_batch",
        "schedule": crontab(minute=0, hour=3, day_of_month=1, month_of_year="1,4,7,10"),
        "kwargs": {"kind": "quarterly"},
    },
}
# Without a broker no beat refreshes the rollups: a write that marks a month refreshes it after its commit.
ROLLUPS_REFRESH_ON_COMMIT = os.environ.get("ROLLUPS_REFRESH_ON_COMMIT", "1" if CELERY_TASK_ALWAYS_EAGER else "0") == "1"
# A report job still unsent this long after it was asked for lost its sending: the reclaim sends it again.
REPORT_UNSENT_MINUTES = int(os.environ.get("REPORT_UNSENT_MINUTES", "5"))
# A worker rendering a report refreshes its heartbeat this often (seconds); a running job whose heartbeat is
# older than REPORT_STALE_SECONDS has lost its worker and is taken back (reports/services.py, reports_reclaim).
REPORT_HEARTBEAT_SECONDS = float(os.environ.get("REPORT_HEARTBEAT_SECONDS", "20"))
REPORT_STALE_SECONDS = float(os.environ.get("REPORT_STALE_SECONDS", "90"))
if not REPORT_HEARTBEAT_SECONDS * 2 < REPORT_STALE_SECONDS < CELERY_VISIBILITY_TIMEOUT - CELERY_TASK_TIME_LIMIT:
    raise RuntimeError(
        "Need REPORT_HEARTBEAT_SECONDS x 2 < REPORT_STALE_SECONDS < CELERY_VISIBILITY_TIMEOUT - CELERY_TASK_TIME_LIMIT"
    )
# How long the answer to a write sent with an Idempotency-Key is kept (and the key cannot be used again).
IDEMPOTENCY_KEY_HOURS = int(os.environ.get("IDEMPOTENCY_KEY_HOURS", "24"))

# PDF rendering: the font the setup prepares (see reports/fonts.py) and its complete fallback.
PDF_FONT_DIR = Path(os.environ.get("PDF_FONT_DIR", BASE_DIR / "var" / "fonts"))

# Demo seeding refuses to run on a production database unless forced.
DEMO_PASSWORD = "shegong2026"

# The officials' home lists the contracts in force that end within this many days with no contract after them.
CONTRACT_ENDING_DAYS = int(os.environ.get("CONTRACT_ENDING_DAYS", "90"))

if not DEBUG:
    SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", "1")
    CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", "1")
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # HTTPS only: browsers remember it for SECURE_HSTS_SECONDS (a year), subdomains included.
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", "1")
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "1")
    # Off only where the reverse proxy itself redirects http:// to https:// (it terminates TLS).
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "1")
    if not SECURE_SSL_REDIRECT:
        SILENCED_SYSTEM_CHECKS += ["security.W008"]

# Content Security Policy (django-csp), in every mode so the tests see it: scripts only from the portal's own
# static files (no inline script or handler, no eval). Inline style attributes stay allowed (Bootstrap's
# progress bars and ECharts set them); they cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "weasyprint": {"level": "ERROR"},
    },
}
