"""Production: PostgreSQL and Redis are required; nothing falls back silently."""

from plangov.env import database_from_url, env_bool, env_list, env_str

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
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
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
# Doors (issue 13): two-factor for password sign-in by secretaries, executive members,
# auditors and staff (single sign-on brings the council's own).
PLANGOV_REQUIRE_2FA_ROLES = env_bool("PLANGOV_REQUIRE_2FA_ROLES", True)
