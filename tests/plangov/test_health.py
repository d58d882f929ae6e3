"""/healthz, the worker heartbeat, the document page's no-worker warning and the JSON logs
(issue 13, item 5)."""

from __future__ import annotations

import datetime
import io
import json
import logging
from pathlib import Path
from typing import Any

import pytest
from django.db import OperationalError

from documents.models import DocumentKind, SignedDocument
from plangov import heartbeat
from plangov.celery import app
from plangov.jsonlog import JsonFormatter
from plangov.tasks import heartbeat as heartbeat_task

from ..documents.test_signed_documents import adopt

pytestmark = pytest.mark.django_db


def beat_ago(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    """Record a heartbeat as if a worker had beaten ``seconds`` ago."""
    real = datetime.datetime.now(datetime.UTC)
    monkeypatch.setattr(heartbeat, "_now", lambda: real - datetime.timedelta(seconds=seconds))
    heartbeat.record()
    monkeypatch.setattr(heartbeat, "_now", lambda: datetime.datetime.now(datetime.UTC))


def health(client: Any, status: int) -> dict[str, Any]:
    response = client.get("/healthz")
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    return response.json()


def test_it_reports_everything_up_without_sign_in(client, monkeypatch):
    beat_ago(monkeypatch, 30)
    body = health(client, 200)
    assert body["status"] == "ok"
    checks = body["checks"]
    assert set(checks) == {"database", "broker", "worker", "signing_certificate"}
    assert checks["database"] == {"ok": True} and checks["broker"] == {"ok": True}
    assert checks["worker"]["ok"] is True
    assert 29 <= checks["worker"]["seconds_since_heartbeat"] <= 60
    # The tests' certificate is made for five years.
    assert checks["signing_certificate"]["ok"] is True
    assert 4 * 365 < checks["signing_certificate"]["days_to_expiry"] <= 5 * 365


def test_it_says_the_worker_is_down_when_no_heartbeat_is_fresh(client, monkeypatch, settings):
    settings.PLANGOV_WORKER_STALE_SECONDS = 300
    body = health(client, 503)  # no worker ever seen
    assert body["status"] == "down"
    assert body["checks"]["worker"] == {"ok": False, "seconds_since_heartbeat": None}
    assert body["checks"]["database"]["ok"] is True
    beat_ago(monkeypatch, 301)
    worker = health(client, 503)["checks"]["worker"]
    assert worker["ok"] is False and worker["seconds_since_heartbeat"] >= 301
    beat_ago(monkeypatch, 299)
    assert health(client, 200)["checks"]["worker"]["ok"] is True


def test_it_says_the_database_is_down(client, monkeypatch):
    beat_ago(monkeypatch, 1)
    from documents import health as module

    def refused() -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr(module, "check_database", refused)
    monkeypatch.setitem(module.CHECKS, "database", refused)
    body = health(client, 503)
    assert body["checks"]["database"] == {"ok": False}
    assert body["checks"]["broker"]["ok"] is True


def test_it_says_the_broker_is_down(client, monkeypatch):
    beat_ago(monkeypatch, 1)
    from kombu import Connection

    # A broker nobody listens at (port 1).
    monkeypatch.setattr(app, "connection_for_write",
                        lambda **kwargs: Connection("redis://127.0.0.1:1/0", **kwargs))
    body = health(client, 503)
    assert body["checks"]["broker"] == {"ok": False}
    assert body["checks"]["database"]["ok"] is True


def test_it_says_the_certificate_is_down_when_expired_or_missing(
    client, monkeypatch, settings, tmp_path: Path
):
    from documents.publishing.signing import make_demo_credentials

    beat_ago(monkeypatch, 1)
    ca, p12 = make_demo_credentials(tmp_path / "expired", valid_days=0)
    settings.PLANGOV_SIGNING_P12 = str(p12)
    settings.PLANGOV_SIGNING_TRUST_ROOTS = [str(ca)]
    body = health(client, 503)
    assert body["checks"]["signing_certificate"] == {"ok": False, "days_to_expiry": None}
    settings.PLANGOV_SIGNING_P12 = ""
    assert health(client, 503)["checks"]["signing_certificate"]["ok"] is False
    ca, p12 = make_demo_credentials(tmp_path / "short", valid_days=31)
    settings.PLANGOV_SIGNING_P12 = str(p12)
    settings.PLANGOV_SIGNING_TRUST_ROOTS = [str(ca)]
    certificate = health(client, 200)["checks"]["signing_certificate"]
    assert certificate == {"ok": True, "days_to_expiry": 29}  # made valid from yesterday


def test_it_names_no_one_and_no_file(client, monkeypatch, settings, world):
    beat_ago(monkeypatch, 1)
    settings.PLANGOV_SIGNING_P12 = "/nonexistent/secret-signer.p12"
    text = client.get("/healthz").content.decode()
    assert "secret-signer" not in text and "nonexistent" not in text
    assert world.lead.username not in text


def test_it_answers_only_get(client):
    assert client.post("/healthz").status_code == 405


def test_the_heartbeat_task_and_schedule(monkeypatch):
    assert heartbeat.last_seen() is None
    heartbeat_task.delay()  # eager in tests
    assert heartbeat.seconds_since() < 5
    app.finalize()
    names = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "plangov.tasks.heartbeat" in names


def test_the_document_page_says_when_no_worker_has_been_seen(
    world, frozen_clock, client, monkeypatch, settings
):
    settings.PLANGOV_WORKER_STALE_SECONDS = 300
    plan = adopt(world, frozen_clock)
    document = SignedDocument.objects.get(plan=plan, kind=DocumentKind.PLAN)
    client.force_login(world.lead)
    beat_ago(monkeypatch, 17 * 60 + 5)
    page = client.get(f"/documents/{document.pk}/").content.decode()
    assert ("No worker has picked up work for 17 minutes; the PDF will be made when one runs. "
            "Tell your administrator.") in page
    status = client.get(f"/documents/{document.pk}/status/").json()
    assert status["working"] is True
    assert status["message"] == ("No worker has picked up work for 17 minutes; the PDF will be "
                                 "made when one runs. Tell your administrator.")
    beat_ago(monkeypatch, 10)
    page = client.get(f"/documents/{document.pk}/").content.decode()
    assert "No worker has picked up work" not in page
    assert "Waiting for a worker" in page
    status = client.get(f"/documents/{document.pk}/status/").json()
    assert status["message"].startswith("Waiting for a worker: ")


def test_the_document_page_counts_from_the_request_when_no_worker_was_ever_seen(
    world, frozen_clock, client, settings
):
    settings.PLANGOV_WORKER_STALE_SECONDS = 300
    plan = adopt(world, frozen_clock)
    document = SignedDocument.objects.get(plan=plan, kind=DocumentKind.PLAN)
    asked = frozen_clock() - datetime.timedelta(minutes=42, seconds=3)
    SignedDocument.objects.filter(pk=document.pk).update(requested_at=asked)
    client.force_login(world.lead)
    page = client.get(f"/documents/{document.pk}/").content.decode()
    assert "No worker has picked up work for 42 minutes" in page


def test_the_json_formatter_writes_one_object_a_line():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("plangov.test-jsonlog")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning('a "quoted"\nmessage %s', 1, extra={"document_id": 7})
        try:
            raise ValueError("boom")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first["message"] == 'a "quoted"\nmessage 1' and first["level"] == "WARNING"
    assert first["logger"] == "plangov.test-jsonlog" and first["document_id"] == 7
    assert datetime.datetime.fromisoformat(first["time"]).tzinfo is not None
    assert second["level"] == "ERROR" and "ValueError: boom" in second["exception"]


def test_production_settings_log_json_and_exempt_the_health_check():
    import importlib
    import os

    env = {"DJANGO_SECRET_KEY": "x" * 50, "DATABASE_URL": "postgres://u@127.0.0.1/db",
           "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0"}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        production = importlib.import_module("plangov.settings.production")
        production = importlib.reload(production)
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    assert production.LOGGING["formatters"]["json"]["()"] == "plangov.jsonlog.JsonFormatter"
    assert production.LOGGING["root"]["handlers"] == ["console"]
    assert production.LOGGING["handlers"]["console"]["formatter"] == "json"
    import re

    assert any(re.search(rule, "healthz") for rule in production.SECURE_REDIRECT_EXEMPT)
    assert not any(re.search(rule, "plans/") for rule in production.SECURE_REDIRECT_EXEMPT)
