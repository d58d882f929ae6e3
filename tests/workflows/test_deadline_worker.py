"""A worker killed in the middle of sending a reminder: the message is redelivered, and the
reminder is sent exactly once. A real prefork worker runs in a subprocess over the configured
broker (SQLAlchemy over SQLite by default, Redis when CELERY_BROKER_URL says so), on the test
database; its child is killed with SIGKILL while it holds the message."""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from email import message_from_string, policy
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from plangov.celery import app
from tests.conftest import build_world, submitted_plan
from workflows import deadlines
from workflows.models import Notification, NotificationStatus
from workflows.tasks import send_notification

ROOT = Path(__file__).resolve().parents[2]
REMINDER_DAY = datetime.date(2016, 7, 26)  # two working days before the tasks fall due


def database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def wait_for(what: str, check: Callable[[], object], seconds: float = 45) -> object:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"Timed out waiting for {what}.")


class Worker:
    def __init__(self, tmp: Path, stall_at: str):
        self.queue = f"plangov-test-{uuid.uuid4().hex[:8]}"
        self.stalls = tmp / "stalls"
        self.mail = tmp / "mail"
        self.log = tmp / "worker.log"
        self.stalls.mkdir()
        self.mail.mkdir()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "plangov.settings.base",
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "DJANGO_EMAIL_FILE_PATH": str(self.mail),
            "STALL_DIR": str(self.stalls),
            "STALL_AT": stall_at,
            "QUEUE": self.queue,
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.workflows.stalling_worker"], cwd=ROOT, env=env,
            stdout=self.log.open("w"), stderr=subprocess.STDOUT,
        )

    def send(self, notification_id: int) -> None:
        send_notification.apply_async(args=[notification_id], queue=self.queue)

    def kill_stalled_child(self, notification_id: int) -> None:
        marker = self.stalls / str(notification_id)
        wait_for("the worker's child to stall", marker.exists)
        os.kill(int(marker.read_text()), signal.SIGKILL)

    def logged(self, text: str) -> bool:
        return text in self.log.read_text()

    def mails(self) -> list[str]:
        subjects = []
        for path in self.mail.iterdir():
            for chunk in path.read_text().split("-" * 79):
                if chunk.strip():
                    subjects.append(
                        str(message_from_string(chunk.strip(), policy=policy.default)["Subject"]))
        return subjects

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture
def worker_factory(tmp_path: Path) -> Iterator[Callable[[str], Worker]]:
    workers: list[Worker] = []
    app.conf.task_always_eager = False
    app.conf.broker_connection_timeout = 5

    def start(stall_at: str) -> Worker:
        workers.append(Worker(tmp_path, stall_at))
        return workers[-1]

    try:
        yield start
    finally:
        app.conf.task_always_eager = True
        for worker in workers:
            worker.stop()


def reminders(frozen_clock) -> list[int]:  # type: ignore[no-untyped-def]
    world = build_world()
    submitted_plan(world)
    frozen_clock.set(REMINDER_DAY)
    return deadlines.deadlines_scan()


def status(notification_id: int) -> str:
    return Notification.objects.get(pk=notification_id).status


@pytest.mark.django_db(transaction=True)
def test_it_sends_once_when_the_worker_dies_before_claiming(worker_factory, frozen_clock):
    first, _ = reminders(frozen_clock)
    worker = worker_factory("before_claim")
    worker.send(first)
    worker.kill_stalled_child(first)
    # Celery rejects the lost message back to the queue; a fresh child sends it.
    wait_for("the redelivered send", lambda: status(first) == NotificationStatus.SENT)
    wait_for("the mail file", worker.mails)
    note = Notification.objects.get(pk=first)
    assert worker.mails() == [note.subject]
    assert worker.logged("WorkerLostError") or worker.logged("SIGKILL")
    worker.send(first)  # a duplicated message
    wait_for("the duplicate to be ignored", lambda: worker.logged("'nothing to do'"))
    assert worker.mails() == [note.subject]


@pytest.mark.django_db(transaction=True)
def test_it_sends_once_when_the_worker_dies_after_claiming(worker_factory, frozen_clock):
    first, second = reminders(frozen_clock)
    worker = worker_factory("after_claim")
    worker.send(first)
    worker.kill_stalled_child(first)
    # The redelivered message finds the notification claimed and leaves it alone...
    wait_for("the redelivered message", lambda: worker.logged("'nothing to do'"))
    assert status(first) == NotificationStatus.SENDING
    assert worker.mails() == []
    # ...until the lease runs out and the beat scan puts it back in the queue.
    assert deadlines.deadlines_scan(today=REMINDER_DAY) == [second]
    frozen_clock.current = datetime.datetime.now(datetime.UTC) + datetime.timedelta(
        seconds=settings.PLANGOV_NOTIFICATION_LEASE_SECONDS + 1)
    assert deadlines.deadlines_scan(today=REMINDER_DAY) == [first, second]
    worker.send(first)
    wait_for("the re-queued send", lambda: status(first) == NotificationStatus.SENT)
    assert worker.mails() == [Notification.objects.get(pk=first).subject]
