"""Session lifetime: PLANGOV_SESSION_SECONDS (default 8 hours) and ending at browser close
when the council sets PLANGOV_SESSION_AT_BROWSER_CLOSE."""

from __future__ import annotations

import importlib

import pytest
from django.test import Client

PASSWORD = "correct horse battery staple"

pytestmark = pytest.mark.django_db


def test_a_session_lasts_eight_hours_by_default(world):
    client = Client()
    assert client.post("/accounts/login/", {"username": "lead",
                                            "password": PASSWORD}).status_code == 302
    assert client.cookies["sessionid"]["max-age"] == 8 * 3600
    assert client.session.get_expiry_age() == 8 * 3600


def test_the_session_can_end_with_the_browser(world, settings):
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    client = Client()
    client.post("/accounts/login/", {"username": "lead", "password": PASSWORD})
    assert client.cookies["sessionid"]["max-age"] == ""
    assert client.session.get_expire_at_browser_close()


def test_the_lifetime_comes_from_the_environment(monkeypatch):
    from plangov.settings import base

    monkeypatch.setenv("PLANGOV_SESSION_SECONDS", "3600")
    monkeypatch.setenv("PLANGOV_SESSION_AT_BROWSER_CLOSE", "true")
    monkeypatch.setenv("PLANGOV_LOCKOUT_FAILURES", "7")
    monkeypatch.setenv("PLANGOV_LOCKOUT_MINUTES", "30")
    monkeypatch.setenv("PLANGOV_TOKEN_DAYS", "7")
    try:
        reloaded = importlib.reload(base)
        assert reloaded.SESSION_COOKIE_AGE == 3600
        assert reloaded.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
        assert reloaded.AXES_FAILURE_LIMIT == 7
        assert reloaded.PLANGOV_LOCKOUT_MINUTES == 30
        assert reloaded.PLANGOV_TOKEN_DAYS == 7
    finally:
        monkeypatch.undo()
        importlib.reload(base)
