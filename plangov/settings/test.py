"""Test settings: the same database engine as the run (SQLite file or DATABASE_URL)."""

from .base import *  # noqa: F403
from .base import DATABASES, VAR_DIR

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# A file, not an in-memory database: the concurrency tests open one connection per thread,
# and SQLite's shared-cache memory databases answer "table is locked" instead of waiting.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-plangov.sqlite3")}
