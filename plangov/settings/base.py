"""Settings shared by every environment. Values that differ come from the environment."""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from plangov.env import (
    database_from_url,
    env_bool,
    env_int,
    env_list,
    env_str,
    sqlite_database,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("PLANGOV_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = env_str("DJANGO_SECRET_KEY", "plangov-development-key-not-for-production")
DEBUG = env_bool("DJANGO_DEBUG", True)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "csp",
    # plangov itself: its static files (GOV.UK Frontend, our scripts) and template tags.
    "plangov",
    "rest_framework",
    "drf_spectacular",
    # Doors (issue 13): sign-in lockout and TOTP two-factor.
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # Redoc and Swagger UI's files, served from our own static files (no CDN).
    "drf_spectacular_sidecar",
    "viewflow",
    "viewflow.workflow",
    "governance",
    "documents",
    "workflows",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Headers (issue 13): Content-Security-Policy and Permissions-Policy on every response.
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    # Static files (GOV.UK Frontend, our scripts) from the same process, in every setting.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "plangov.middleware.QueryTextPolicyMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Doors (issue 13): the OTP device of the session, then the two-factor door
    # (governance.twofactor), then axes turning a lockout into its page or problem.
    "django_otp.middleware.OTPMiddleware",
    "governance.twofactor.TwoFactorMiddleware",
    "axes.middleware.AxesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "plangov.urls"
WSGI_APPLICATION = "plangov.wsgi.application"

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
                "plangov.context_processors.organisation",
                "workflows.context_processors.task_counts",
            ],
        },
    },
]

_database_url = os.environ.get("DATABASE_URL", "").strip()
DATABASES = {
    "default": (
        database_from_url(_database_url)
        if _database_url
        else sqlite_database(VAR_DIR / "plangov.sqlite3")
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise looks there first (empty until collectstatic)
# plangov/static: GOV.UK Frontend's compiled CSS and JS (scripts/vendor-frontend) and our
# own scripts, found as an app's static files. Served by WhiteNoise; outside production
# straight from the apps (no collectstatic), in production from STATIC_ROOT with hashed
# names (production.py).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", True)

# The council's name in every page's header (the service is "plangov").
PLANGOV_ORGANISATION_NAME = env_str("PLANGOV_ORGANISATION_NAME", "plangov demo council")

# Messages (the success banner after an action) live in the session: signing in as someone
# else starts a new session, so nobody sees the banner meant for the last person.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# Single sign-on by OpenID Connect (issue 13, oidc; governance.sso, docs/single-sign-on.md).
# On when OIDC_RP_CLIENT_ID is set; password sign-in stays for the embedded demo.
AUTHENTICATION_BACKENDS = [
    # Doors (issue 13): first, so a locked-out username and address is refused before any
    # password is checked (plangov.lockout).
    "plangov.lockout.RequestAxesBackend",
    "django.contrib.auth.backends.ModelBackend",
    "governance.sso.backend.PlangovOIDCBackend",
]
OIDC_RP_CLIENT_ID = env_str("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = env_str("OIDC_RP_CLIENT_SECRET", "")
OIDC_RP_SIGN_ALGO = env_str("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = env_str("OIDC_RP_SCOPES", "openid email profile")
OIDC_OP_ISSUER = env_str("OIDC_OP_ISSUER", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = env_str("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = env_str("OIDC_OP_USER_ENDPOINT", "")  # optional: the ID token suffices
OIDC_OP_JWKS_ENDPOINT = env_str("OIDC_OP_JWKS_ENDPOINT", "") or None
OIDC_USE_PKCE = True
OIDC_CREATE_USER = False
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT", 10, minimum=1)
# Which verified claim finds an imported person on first sign-in, and which of their fields
# it is compared with: "email" needs email_verified; Entra ID: preferred_username (the UPN).
PLANGOV_OIDC_MATCH_CLAIM = env_str("PLANGOV_OIDC_MATCH_CLAIM", "email")
PLANGOV_OIDC_MATCH_FIELD = env_str("PLANGOV_OIDC_MATCH_FIELD", "email")
if PLANGOV_OIDC_MATCH_FIELD not in ("email", "username"):
    raise ImproperlyConfigured("PLANGOV_OIDC_MATCH_FIELD must be email or username.")
if OIDC_RP_CLIENT_ID:
    _oidc_missing = [
        name for name in ("OIDC_RP_CLIENT_SECRET", "OIDC_OP_ISSUER",
                          "OIDC_OP_AUTHORIZATION_ENDPOINT", "OIDC_OP_TOKEN_ENDPOINT",
                          "OIDC_OP_JWKS_ENDPOINT")
        if not globals()[name]
    ]
    if _oidc_missing:
        raise ImproperlyConfigured(
            "Single sign-on needs " + ", ".join(_oidc_missing) + " (OIDC_RP_CLIENT_ID is set)."
        )

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Doors (issue 13): expiring, revocable tokens (governance.tokens).
        "governance.tokens.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "plangov.openapi.AutoSchema",
    # JSON only, through the text policy (plangov.text); the one file upload (documents'
    # verify) names its own multipart parser.
    "DEFAULT_PARSER_CLASSES": ["plangov.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "EXCEPTION_HANDLER": "plangov.problems.problem_exception_handler",
    "DEFAULT_PAGINATION_CLASS": "plangov.pagination.Pagination",
    "PAGE_SIZE": 50,
    # Doors (issue 13): per user and per anonymous client, counted in the shared cache;
    # the rates are read from PLANGOV_API_RATE_* at each request (plangov.throttles).
    "DEFAULT_THROTTLE_CLASSES": ["plangov.throttles.UserThrottle",
                                 "plangov.throttles.AnonThrottle"],
}

SPECTACULAR_SETTINGS = {
    "TITLE": "plangov API",
    "DESCRIPTION": (
        "Workflow and approval engine for local-authority partnership plans. "
        "Errors are RFC 9457 application/problem+json documents."
    ),
    "VERSION": "1",
    "LICENSE": {"name": "AGPL-3.0-or-later"},
    "COMPONENT_SPLIT_REQUEST": True,
    # The schema documents the API, not itself.
    "SERVE_INCLUDE_SCHEMA": False,
    # Plans, bodies and content actions each have a "kind"; name the plan's one.
    # Redoc from our own static files (drf-spectacular-sidecar), never a CDN.
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "PlanKindEnum": "documents.models.PlanKind",
        "DocumentKindEnum": "documents.models.DocumentKind",
        "DecisionOutcomeEnum": "governance.models.DecisionOutcome",
        "CallInOutcomeKindEnum": "governance.models.CallInOutcomeKind",
        "MilestoneKindEnum": "workflows.timetable.models.MilestoneKind",
        "MilestoneStatusEnum": "workflows.timetable.record.STATUS_CHOICES",
        "TimetableFlagEnum": "workflows.timetable.record.FLAG_CHOICES",
        "ResponseImportStatusEnum": "governance.consultation.models.ResponseImportStatus",
        "ActionStatusEnum": "documents.monitoring.models.ActionStatus",
        "ReviewKindEnum": "documents.reviews.models.ReviewKind",
        "ReviewStageEnum": "documents.reviews.models.ReviewStage",
        "StageEnum": "documents.models.Stage",
        "TaskKindEnum": "workflows.models.TaskKind",
        "TrendEnum": "documents.monitoring.trends.TREND_CHOICES",
        "RagEnum": "documents.monitoring.trends.RAG_CHOICES",
    },
}

# One cache shared by every web worker (the public form's rate limits count in it): a table in
# the database on the embedded default (created by a governance migration; `manage.py
# createcachetable` is idempotent), Redis in production (production.py).
CACHES = {
    "default": {
        "BACKEND": "plangov.cache.DatabaseCache",
        "LOCATION": "plangov_cache",
        "TIMEOUT": 3600,
        "OPTIONS": {"MAX_ENTRIES": 200_000, "CULL_FREQUENCY": 4},
    }
}

# The public consultation form (governance.consultation.limits): a form token is issued with
# each page and lasts this long; one token may post this many times per window (seconds);
# one address this many times an hour (generous: a school class shares one address).
PLANGOV_FORM_TOKEN_MAX_AGE = env_int("PLANGOV_FORM_TOKEN_MAX_AGE", 3 * 24 * 3600, minimum=60)
PLANGOV_RESPONSES_PER_TOKEN = env_int("PLANGOV_RESPONSES_PER_TOKEN", 20, minimum=1)
PLANGOV_RESPONSES_TOKEN_WINDOW = env_int("PLANGOV_RESPONSES_TOKEN_WINDOW", 600, minimum=1)
PLANGOV_RESPONSES_PER_ADDRESS_HOUR = env_int("PLANGOV_RESPONSES_PER_ADDRESS_HOUR", 300,
                                             minimum=1)
# How many reverse proxies in front of plangov add to X-Forwarded-For (0: none; the client
# address is REMOTE_ADDR).
PLANGOV_TRUSTED_PROXIES = env_int("PLANGOV_TRUSTED_PROXIES", 0, minimum=0)

# Celery. The default run needs no broker server: kombu's SQLAlchemy transport over a local
# SQLite file. Production sets CELERY_BROKER_URL=redis://...
CELERY_BROKER_URL = env_str(
    "CELERY_BROKER_URL", f"sqla+sqlite:///{VAR_DIR / 'celery-broker.sqlite'}"
)
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Broker down or worker killed (issue 13, sso-browser): nothing queued is lost.
# - acks late + reject on worker lost (above): a task is acknowledged only once it has run;
#   one whose worker process died is put back on the queue, not dropped.
# - Redis (production) redelivers a task that was delivered but never acknowledged (its
#   worker machine gone) after the visibility timeout. Set explicitly, and longer than any
#   task may run (a render's hard limit, an import's lease), or a task still running would be
#   delivered twice; tasks are idempotent, so that would cost time, not correctness. Not set for
#   the default SQLite broker.
# - Publishing after commit never fails a request (plangov.queue.enqueue_on_commit): the work
#   is a pending row first, and the beat scans re-queue pending rows.
PLANGOV_BROKER_VISIBILITY_SECONDS = env_int("PLANGOV_BROKER_VISIBILITY_SECONDS", 3600,
                                            minimum=600)


def broker_transport_options(url: str) -> dict[str, int]:
    """Only Redis redelivers by a visibility timeout; kombu's SQLAlchemy transport hands its
    options to create_engine, which refuses an unknown one."""
    if url.startswith(("redis://", "rediss://")):
        return {"visibility_timeout": PLANGOV_BROKER_VISIBILITY_SECONDS}
    return {}


CELERY_BROKER_TRANSPORT_OPTIONS = broker_transport_options(CELERY_BROKER_URL)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCAN_SECONDS = env_int("PLANGOV_BEAT_SCAN_SECONDS", 120, minimum=5)
# Topology (issue 13): beat has a worker write a heartbeat this often (plangov.heartbeat); with
# none for PLANGOV_WORKER_STALE_SECONDS, /healthz says the worker is down and the signed
# document page says no worker has picked up work.
PLANGOV_HEARTBEAT_SECONDS = env_int("PLANGOV_HEARTBEAT_SECONDS", 60, minimum=1)
PLANGOV_WORKER_STALE_SECONDS = env_int("PLANGOV_WORKER_STALE_SECONDS", 300, minimum=2)

# Governance rules a council may set.
PLANGOV_CALL_IN_WORKING_DAYS = env_int("PLANGOV_CALL_IN_WORKING_DAYS", 5, minimum=0)
# Bank holidays follow each partnership's nation, by the rules of the `holidays` package, in
# any year. They count as confirmed up to this year (0: the last year govuk-bank-holidays'
# bundled copy of GOV.UK's list holds); a period ending later is flagged provisional.
PLANGOV_CALENDAR_CONFIRMED_UNTIL = env_int("PLANGOV_CALENDAR_CONFIRMED_UNTIL", 0, minimum=0)
# The call-in period counts from the executive decision's day ("decision") or from the day its
# decision notice is published ("publication"; until then the period has not started).
PLANGOV_CALL_IN_STARTS = env_str("PLANGOV_CALL_IN_STARTS", "decision")
if PLANGOV_CALL_IN_STARTS not in ("decision", "publication"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("PLANGOV_CALL_IN_STARTS must be decision or publication.")

# Task deadlines: a decision is due at the body's next meeting, or after this many working
# days; a redraft after this many; reminders go this many working days before the due date.
PLANGOV_TASK_DUE_WORKING_DAYS = env_int("PLANGOV_TASK_DUE_WORKING_DAYS", 10, minimum=1)
PLANGOV_REDRAFT_WORKING_DAYS = env_int("PLANGOV_REDRAFT_WORKING_DAYS", 20, minimum=1)
# The review process (workflows.reviews): a priority lead's progress report, and the lead
# officer's compiling (or redrafting) of the review, are due after these working days.
PLANGOV_PROGRESS_REPORT_DAYS = env_int("PLANGOV_PROGRESS_REPORT_DAYS", 15, minimum=1)
PLANGOV_REVIEW_COMPILE_DAYS = env_int("PLANGOV_REVIEW_COMPILE_DAYS", 20, minimum=1)
PLANGOV_REMINDER_WORKING_DAYS = env_int("PLANGOV_REMINDER_WORKING_DAYS", 2, minimum=0)
# The lead officer is prompted (a task and an email) to start a plan's successor this many
# months before the plan's period ends (workflows.successor).
PLANGOV_SUCCESSOR_PROMPT_MONTHS = env_int("PLANGOV_SUCCESSOR_PROMPT_MONTHS", 6, minimum=0)
# A notification claimed by a worker that died before sending it goes back to the queue
# after this long (the beat scan puts it back); see workflows.deadlines.
PLANGOV_NOTIFICATION_LEASE_SECONDS = env_int("PLANGOV_NOTIFICATION_LEASE_SECONDS", 600,
                                             minimum=10)
# Links in emails point here.
PLANGOV_SITE_URL = env_str("PLANGOV_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Signed documents. Every published PDF is signed (PAdES) with the organisation's certificate:
# a PKCS#12 file and its passphrase. Verification trusts the CA certificates listed in
# PLANGOV_SIGNING_TRUST_ROOTS (PEM or DER files). Outside production the demo set-up
# (load_demo) makes its own CA and certificate at these default paths.
PLANGOV_SIGNING_P12 = env_str("PLANGOV_SIGNING_P12", str(VAR_DIR / "signing" / "demo-signer.p12"))
PLANGOV_SIGNING_PASSPHRASE = env_str("PLANGOV_SIGNING_PASSPHRASE", "plangov-demo")
PLANGOV_SIGNING_TRUST_ROOTS = env_list(
    "PLANGOV_SIGNING_TRUST_ROOTS", [str(VAR_DIR / "signing" / "demo-ca.pem")]
)
# PAdES B-T when set: the signature carries a timestamp from this RFC 3161 authority.
PLANGOV_TSA_URL = env_str("PLANGOV_TSA_URL", "")
# Where signed documents are stored, each under its own SHA-256; never overwritten.
PLANGOV_DOCUMENT_DIR = Path(env_str("PLANGOV_DOCUMENT_DIR", str(VAR_DIR / "documents")))
# Rendering: a render past the soft limit stops and is marked failed; the hard limit kills
# the worker's child. A render claimed by a worker that died is retried after the lease.
PLANGOV_RENDER_SOFT_SECONDS = env_int("PLANGOV_RENDER_SOFT_SECONDS", 120, minimum=5)
PLANGOV_RENDER_HARD_SECONDS = env_int("PLANGOV_RENDER_HARD_SECONDS", 150, minimum=10)
PLANGOV_RENDER_LEASE_SECONDS = env_int("PLANGOV_RENDER_LEASE_SECONDS", 300, minimum=30)
if PLANGOV_RENDER_HARD_SECONDS <= PLANGOV_RENDER_SOFT_SECONDS:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "PLANGOV_RENDER_HARD_SECONDS must be longer than PLANGOV_RENDER_SOFT_SECONDS."
    )
if PLANGOV_RENDER_LEASE_SECONDS <= PLANGOV_RENDER_HARD_SECONDS:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "PLANGOV_RENDER_LEASE_SECONDS must be longer than PLANGOV_RENDER_HARD_SECONDS, or a "
        "render still running would be handed to a second worker."
    )
# Uploads to the public verification page and API above this size are refused (400).
PLANGOV_VERIFY_MAX_BYTES = env_int("PLANGOV_VERIFY_MAX_BYTES", 50 * 1024 * 1024, minimum=1024)

# Offline consultation responses (CSV, XLSX): the uploaded file is kept here, by its SHA-256,
# until its import finishes; rows are written in batches of PLANGOV_IMPORT_BATCH_ROWS, one
# transaction each; a worker that has not reported for PLANGOV_IMPORT_LEASE_SECONDS is taken
# for dead and its import resumed by the next attempt.
PLANGOV_IMPORT_DIR = Path(env_str("PLANGOV_IMPORT_DIR", str(VAR_DIR / "imports")))
PLANGOV_IMPORT_MAX_BYTES = env_int("PLANGOV_IMPORT_MAX_BYTES", 50 * 1024 * 1024, minimum=1024)
PLANGOV_IMPORT_BATCH_ROWS = env_int("PLANGOV_IMPORT_BATCH_ROWS", 1000, minimum=1)
PLANGOV_IMPORT_LEASE_SECONDS = env_int("PLANGOV_IMPORT_LEASE_SECONDS", 300, minimum=30)
PLANGOV_IMPORT_REPORT_LIMIT = env_int("PLANGOV_IMPORT_REPORT_LIMIT", 1000, minimum=10)
# An invalid file is kept this long for "import only the valid rows", then deleted.
PLANGOV_IMPORT_KEEP_INVALID_DAYS = env_int("PLANGOV_IMPORT_KEEP_INVALID_DAYS", 7, minimum=1)

# Told of incidents (a signed document that failed for a fault of ours): a comma-separated
# list of email addresses.
ADMINS = [(address, address) for address in env_list("DJANGO_ADMINS", [])]
EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "plangov@localhost")
# Only read by django.core.mail.backends.filebased.EmailBackend.
EMAIL_FILE_PATH = env_str("DJANGO_EMAIL_FILE_PATH", str(VAR_DIR / "mail"))

# Headers (issue 13). A Content-Security-Policy on every page: scripts, styles, images and
# fonts from our own origin only, no inline script or style (our own CSS and JS are static
# files: plangov/static/plangov), no plugins, no framing, forms post only here. Only the API
# docs page (Redoc, plangov.views.api_docs) loosens it, for itself. PLANGOV_CSP_FORM_ACTION
# adds origins a form may post (or redirect) to, e.g. a council's identity provider.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'", *env_list("PLANGOV_CSP_FORM_ACTION", [])],
    },
}
# Permissions-Policy: plangov uses none of these browser features; no page, and nothing a
# page embeds, may ask for them.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer", "autoplay", "bluetooth", "camera", "display-capture",
        "encrypted-media", "fullscreen", "geolocation", "gyroscope", "hid", "idle-detection",
        "magnetometer", "microphone", "midi", "payment", "picture-in-picture",
        "publickey-credentials-get", "screen-wake-lock", "serial", "usb", "web-share",
        "xr-spatial-tracking",
    )
}
# Sent everywhere (SecurityMiddleware, XFrameOptionsMiddleware); production.py adds HSTS and
# the HTTPS redirect.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    # WeasyPrint reports every layout step at INFO; its warnings (a refused URL) still show.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

# --- Doors (issue 13): lockout, throttling, tokens, two-factor, session lifetime ---------
# AUTHENTICATION_BACKENDS (above, with single sign-on's) start with plangov.lockout's
# RequestAxesBackend, so a locked-out username and address is refused before any password
# is checked.
# django-axes: this many failed sign-ins for one username from one address locks that pair
# out (sign-in page, admin, API token endpoint) for PLANGOV_LOCKOUT_MINUTES; the count
# restarts after a success. Attempts live in the database (shared by every web worker).
AXES_ENABLED = env_bool("PLANGOV_LOCKOUT_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("PLANGOV_LOCKOUT_FAILURES", 5, minimum=1)
AXES_COOLOFF_TIME = "plangov.lockout.cool_off"
PLANGOV_LOCKOUT_MINUTES = env_int("PLANGOV_LOCKOUT_MINUTES", 15, minimum=1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "plangov.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "plangov.lockout.client_ip"
AXES_DISABLE_ACCESS_LOG = True  # no record of every successful sign-in's address
AXES_VERBOSE = False
# DRF throttling (plangov.throttles): requests per user (signed in) and per address
# (anonymous), e.g. "600/min"; empty: no limit. Counted in CACHES["default"].
PLANGOV_API_RATE_USER = env_str("PLANGOV_API_RATE_USER", "1200/hour") or None
PLANGOV_API_RATE_ANON = env_str("PLANGOV_API_RATE_ANON", "120/hour") or None
# API tokens (governance.tokens) expire this many days after they are made.
PLANGOV_TOKEN_DAYS = env_int("PLANGOV_TOKEN_DAYS", 30, minimum=1)
# Two-factor (governance.twofactor): when on, secretaries, executive members, auditors and
# staff who sign in with a password verify a TOTP code before any other page. Single
# sign-on sessions (session key "plangov_sso", set by the OIDC sign-in) skip it.
PLANGOV_REQUIRE_2FA_ROLES = env_bool("PLANGOV_REQUIRE_2FA_ROLES", False)
OTP_TOTP_ISSUER = env_str("PLANGOV_ORGANISATION_NAME", "plangov demo council")
# A session lasts this long (seconds, default 8 hours), and ends when the browser closes
# if the council sets PLANGOV_SESSION_AT_BROWSER_CLOSE.
SESSION_COOKIE_AGE = env_int("PLANGOV_SESSION_SECONDS", 8 * 3600, minimum=300)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("PLANGOV_SESSION_AT_BROWSER_CLOSE", False)
