"""Redis or the worker down (issue 13): pages still serve, /healthz says what is down, and
nothing queued is lost. No Redis is needed: the broker is a loopback port nobody listens at.

Queued work is a pending row first; publishing the task after commit is a nudge
(plangov.queue.enqueue_on_commit) whose failure is logged, and the beat scans
(documents_due(), deadlines_scan(), imports_due()) re-queue what is still pending. A task is
acknowledged late and rejected back onto the queue when its worker dies."""

from __future__ import annotations

import contextlib
import logging
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings as django_settings

from documents.models import DocumentKind, DocumentStatus, SignedDocument
from documents.publishing import services
from documents.tasks import scan_documents
from plangov.celery import app

from ..documents.test_signed_documents import adopt, document_dir  # noqa: F401 - fixture
from .test_health import beat_ago, health


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def publishing_to_a_dead_broker() -> Iterator[str]:
    """Celery publishing for real (not eagerly) to a Redis nobody runs; put back afterwards."""
    url = f"redis://127.0.0.1:{closed_port()}/0"
    # With CELERY_BROKER_URL in the environment (CI's Redis run), Celery reads the write
    # and read URLs from it, not from broker_url: all three point at the dead broker.
    keys = ("task_always_eager", "broker_url", "broker_write_url", "broker_read_url")
    saved = ({key: app.conf[key] for key in keys}, app._pool, app.amqp._producer_pool)
    app.conf.update(task_always_eager=False, broker_url=url, broker_write_url=url,
                    broker_read_url=url)
    # The app's cached connection and producer pools were made for the real broker URL.
    app._pool = app.amqp._producer_pool = None
    try:
        yield url
    finally:
        app.conf.update(saved[0])
        app._pool, app.amqp._producer_pool = saved[1], saved[2]


@pytest.fixture
def broker_down() -> Iterator[str]:
    with publishing_to_a_dead_broker() as url:
        yield url


@pytest.mark.django_db(transaction=True)
def test_a_page_that_queues_work_answers_with_the_broker_down_and_nothing_is_lost(
    world: Any, frozen_clock: Any, client: Any, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    plan = adopt(world, frozen_clock)
    decision = plan.decisions.order_by("pk").first()
    client.force_login(world.lead)
    beat_ago(monkeypatch, 1)  # the worker is up; only the broker is down

    with publishing_to_a_dead_broker():
        with caplog.at_level(logging.ERROR, logger="plangov.queue"):
            asked = client.post(f"/plans/{plan.pk}/documents/",
                                {"kind": "decision_notice", "decision": str(decision.pk)})
        # The request committed and answered: no 500 for a broker that cannot be reached.
        assert asked.status_code == 302
        notice = SignedDocument.objects.get(kind=DocumentKind.DECISION_NOTICE)
        assert asked["Location"] == f"/documents/{notice.pk}/"
        assert notice.status == DocumentStatus.PENDING
        assert any("Could not queue documents.tasks.render_document" in r.getMessage()
                   for r in caplog.records)
        # Its page serves too, and /healthz names the broker as what is down.
        assert client.get(f"/documents/{notice.pk}/").status_code == 200
        body = health(client, 503)
        assert body["status"] == "down"
        assert body["checks"]["broker"] == {"ok": False}
        assert body["checks"]["database"]["ok"] is True
        assert body["checks"]["worker"]["ok"] is True
        # Still waiting for a worker: the beat scan will queue it.
        assert notice.pk in services.documents_due()

    # The broker back (eager again: the "worker" runs the task here): the next beat scan
    # queues the pending document and it is made; nothing was lost.
    assert scan_documents() >= 1
    notice.refresh_from_db()
    assert notice.status == DocumentStatus.DONE
    assert notice.pk not in services.documents_due()


@pytest.mark.django_db
def test_a_failed_publish_is_logged_not_raised(
    broker_down: str, caplog: pytest.LogCaptureFixture, django_capture_on_commit_callbacks: Any,
) -> None:
    from plangov.queue import enqueue_on_commit
    from plangov.tasks import heartbeat

    with caplog.at_level(logging.ERROR, logger="plangov.queue"):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            enqueue_on_commit(heartbeat)
    assert len(callbacks) == 1
    assert any("Could not queue plangov.tasks.heartbeat" in r.getMessage()
               for r in caplog.records)


def test_a_killed_worker_s_task_is_redelivered() -> None:
    """acks late: acknowledged after it ran; reject on worker lost: a task whose worker
    process died goes back on the queue; prefetch 1: a worker holds no unstarted tasks; and
    Redis's visibility timeout (after which a delivered, unacknowledged task is redelivered)
    is longer than any task runs, so a task still running is not delivered twice."""
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    from plangov.settings.base import broker_transport_options

    assert app.conf.broker_transport_options == django_settings.CELERY_BROKER_TRANSPORT_OPTIONS
    # The default SQLite broker takes no such option (create_engine would refuse it).
    assert broker_transport_options("sqla+sqlite:///x.sqlite") == {}
    visibility = broker_transport_options("redis://127.0.0.1:6379/0")["visibility_timeout"]
    assert visibility > django_settings.PLANGOV_RENDER_HARD_SECONDS
    assert visibility > django_settings.PLANGOV_IMPORT_LEASE_SECONDS
    assert visibility > django_settings.PLANGOV_NOTIFICATION_LEASE_SECONDS
