"""Test settings: the same database engine as the run (SQLite file or DATABASE_URL)."""

import os

from .base import *  # noqa: F403
from .base import DATABASES, VAR_DIR

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True

# PLANGOV_TEST_DB_NAME lets two test runs share a machine without sharing a database.
_test_name = os.environ.get("PLANGOV_TEST_DB_NAME", "").strip()
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not an in-memory database: the concurrency tests open one connection per
    # thread, and SQLite's shared-cache memory databases answer "table is locked" at once
    # instead of waiting for the busy timeout.
    DATABASES["default"]["TEST"] = {
        "NAME": str(VAR_DIR / f"{_test_name or 'test-plangov'}.sqlite3")
    }
elif _test_name:
    DATABASES["default"]["TEST"] = {"NAME": _test_name}

# The tests' own CA and signing certificate, made once by tests/conftest.py.
_signing = VAR_DIR / f"{_test_name or 'test'}-signing"
PLANGOV_SIGNING_P12 = str(_signing / "demo-signer.p12")
PLANGOV_SIGNING_TRUST_ROOTS = [str(_signing / "demo-ca.pem")]
PLANGOV_DOCUMENT_DIR = VAR_DIR / f"{_test_name or 'test'}-documents"

# The API reads JSON bodies only; the test client sends JSON unless told otherwise.
REST_FRAMEWORK = {**REST_FRAMEWORK, "TEST_REQUEST_DEFAULT_FORMAT": "json"}  # noqa: F405
PLANGOV_IMPORT_DIR = VAR_DIR / f"{_test_name or 'test'}-imports"
# Doors (issue 13): no API rate limit unless a test sets one (a limit's cache reads would
# add statements to every query count); two-factor off as in base.
PLANGOV_API_RATE_USER = None
PLANGOV_API_RATE_ANON = None
