"""`manage.py check --deploy --fail-level WARNING` under plangov.settings.production is clean
(.ci/run runs it too), and production sends HSTS and redirects to HTTPS, sparing /healthz.
Each runs in a child process: the production settings need their environment, and must not
replace the test settings of this one."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("DJANGO_", "PLANGOV_", "DATABASE_URL", "CELERY_"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "plangov.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "plangov.example.org",
        # Parsed, never connected to: the checks here need no database or broker.
        "DATABASE_URL": "postgres://plangov@127.0.0.1:5432/plangov",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
        "PLANGOV_VAR_DIR": str(tmp_path),
    })
    env.update(extra)
    return env


def manage(tmp_path: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT,
                          env=production_env(tmp_path, **extra), capture_output=True,
                          text=True, timeout=120)


def test_check_deploy_is_clean_under_production_settings(tmp_path: Path) -> None:
    result = manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_fails_when_hsts_is_turned_off(tmp_path: Path) -> None:
    # The check is not vacuous: production without HSTS warns, and the warning fails it.
    result = manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING",
                    PLANGOV_HSTS_SECONDS="0")
    assert result.returncode != 0
    assert "security.W004" in result.stdout + result.stderr


@pytest.mark.parametrize("preload", ["false", "true"])
def test_production_security_settings(tmp_path: Path, preload: str) -> None:
    script = (
        "import json; from django.conf import settings as s; print(json.dumps({k: getattr(s, k)"
        " for k in ('SECURE_SSL_REDIRECT', 'SECURE_REDIRECT_EXEMPT', 'SECURE_HSTS_SECONDS',"
        " 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_HSTS_PRELOAD', 'SESSION_COOKIE_SECURE',"
        " 'CSRF_COOKIE_SECURE', 'X_FRAME_OPTIONS', 'SECURE_REFERRER_POLICY',"
        " 'SECURE_CONTENT_TYPE_NOSNIFF', 'SILENCED_SYSTEM_CHECKS')}))"
    )
    result = manage(tmp_path, "shell", "-c", script, PLANGOV_HSTS_PRELOAD=preload)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_REDIRECT_EXEMPT"] == [r"^healthz/?$"]
    assert values["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SESSION_COOKIE_SECURE"] is True and values["CSRF_COOKIE_SECURE"] is True
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["SECURE_REFERRER_POLICY"] == "same-origin"
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    if preload == "true":
        assert values["SECURE_HSTS_PRELOAD"] is True
        assert "security.W021" not in values["SILENCED_SYSTEM_CHECKS"]
    else:
        assert values["SECURE_HSTS_PRELOAD"] is False
        assert values["SILENCED_SYSTEM_CHECKS"] == ["security.W021"]
