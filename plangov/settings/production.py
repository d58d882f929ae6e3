"""Production: PostgreSQL and Redis are required; nothing falls back silently."""

from plangov.env import database_from_url, env_bool, env_int, env_list, env_str

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", [])
DATABASES = {"default": database_from_url(env_str("DATABASE_URL"))}
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
# The shared cache (the public form's rate limits) in Redis: PLANGOV_CACHE_URL, or the broker
# when that is Redis.
CACHES = {
    "default": {
        # Django's Redis cache that reads an unreachable Redis as a miss (plangov.cache).
        "BACKEND": "plangov.cache.RedisCache",
        "LOCATION": env_str("PLANGOV_CACHE_URL", CELERY_BROKER_URL),
        "TIMEOUT": 3600,
    }
}
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# No demo certificate in production: an unset or wrong certificate refuses adoption.
PLANGOV_SIGNING_P12 = env_str("PLANGOV_SIGNING_P12", "")
PLANGOV_SIGNING_PASSPHRASE = env_str("PLANGOV_SIGNING_PASSPHRASE", "")
PLANGOV_SIGNING_TRUST_ROOTS = env_list("PLANGOV_SIGNING_TRUST_ROOTS", [])
# Static files: collected into STATIC_ROOT (manage.py collectstatic) with hashed, compressed
# copies; WhiteNoise serves them with far-future caching and never looks at the source dirs.
STORAGES = {
    **STORAGES,  # noqa: F405
    # WhiteNoise's CompressedManifestStaticFilesStorage, tolerating third-party CSS that
    # names files its package does not ship (plangov.storage).
    "staticfiles": {"BACKEND": "plangov.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = False

# Headers (issue 13): HTTPS only. Behind the proxy that ends TLS (SECURE_PROXY_SSL_HEADER),
# plain HTTP is redirected, except the health check (a load balancer probes it over HTTP).
# HSTS for a year by default, subdomains included; preloading (a browser-built-in list) is the
# council's decision for its domain, so it is off unless PLANGOV_HSTS_PRELOAD is set, and then
# `check --deploy`'s reminder about it (security.W021) is silenced. `manage.py check --deploy
# --fail-level WARNING` under these settings is clean (.ci/run, tests/test_deploy_check.py).
SECURE_SSL_REDIRECT = env_bool("PLANGOV_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz/?$"]
SECURE_HSTS_SECONDS = env_int("PLANGOV_HSTS_SECONDS", 365 * 24 * 3600, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("PLANGOV_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("PLANGOV_HSTS_PRELOAD", False)
if not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS = [*globals().get("SILENCED_SYSTEM_CHECKS", []), "security.W021"]
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
# Topology (issue 13). Logs are JSON lines on standard error (plangov.jsonlog), for django,
# celery and plangov's own loggers alike; gunicorn's access log is JSON too
# (deploy/gunicorn.conf.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "plangov.jsonlog.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"level": env_str("DJANGO_LOG_LEVEL", "INFO")},
        "celery": {"level": env_str("DJANGO_LOG_LEVEL", "INFO")},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
# Celery keeps Django's logging (the JSON lines above) instead of installing its own handlers.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# viewflow's own UI files (49 MB) are never served: collectstatic leaves them out, and
# leaves source maps (read only by a developer's browser tools) uncompressed.
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "plangov.staticfinders.AppDirectoriesFinder",
]
from whitenoise.compress import Compressor as _Compressor  # noqa: E402

WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*_Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]

# Doors (issue 13): two-factor for password sign-in by secretaries, executive members,
# auditors and staff (single sign-on brings the council's own).
PLANGOV_REQUIRE_2FA_ROLES = env_bool("PLANGOV_REQUIRE_2FA_ROLES", True)
