"""Serve plangov for a single machine: the web server, a Celery worker and Celery beat.

The default broker is kombu's SQLAlchemy transport over a local SQLite file, so this needs no
broker server; set CELERY_BROKER_URL=redis://... to use Redis. Ctrl-C stops all three."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the web server, a Celery worker and Celery beat together (for one machine)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--addr", default="127.0.0.1:8000", help="host:port for the web")

    def handle(self, *args: Any, addr: str, **options: Any) -> None:
        python = sys.executable
        var = settings.VAR_DIR
        commands = {
            "web": [python, "manage.py", "runserver", addr, "--noreload"],
            "worker": [python, "-m", "celery", "-A", "plangov", "worker", "--loglevel=INFO",
                       "--concurrency=2", "--hostname=plangov@%h"],
            "beat": [python, "-m", "celery", "-A", "plangov", "beat", "--loglevel=INFO",
                     f"--schedule={var / 'celerybeat-schedule'}"],
        }
        children = {name: subprocess.Popen(cmd) for name, cmd in commands.items()}
        self.stdout.write(self.style.SUCCESS(
            f"plangov is serving on http://{addr.replace('127.0.0.1', 'localhost')}/ "
            "with a Celery worker and beat. Ctrl-C stops them."
        ))

        def stop(*_: Any) -> None:
            for child in children.values():
                if child.poll() is None:
                    child.terminate()
            deadline = time.monotonic() + 15
            for child in children.values():
                try:
                    child.wait(max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    child.kill()
            raise SystemExit(0)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        # If any one of the three dies, stop the others: a web server without its worker
        # would silently never send a reminder or adopt a plan.
        while True:
            for name, child in children.items():
                if child.poll() is not None:
                    self.stderr.write(f"{name} exited with status {child.returncode}; stopping.")
                    stop()
            time.sleep(1)
