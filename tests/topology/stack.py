"""Start plangov's production topology for a test: PostgreSQL (a database of its own), Redis
(a db number of its own), gunicorn with deploy/gunicorn.conf.py, a Celery worker and Celery
beat, all under plangov.settings.production, with a throwaway CA and signing certificate.

Every process writes to its own log file; ``Stack.logs()`` gives their tails for a failure
message. ``Stack.close()`` stops every process and drops the database, whatever happened."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent.parent
PASSPHRASE = "topology-test"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_server_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "").strip()
    return url if urlsplit(url).scheme.startswith(("postgres", "pgsql")) else None


def redis_url(db: int) -> str | None:
    url = os.environ.get("CELERY_BROKER_URL", "").strip()
    if not url.startswith("redis://"):
        return None
    return urlunsplit(urlsplit(url)._replace(path=f"/{db}"))


def wait_for(what: str, check: Callable[[], bool], timeout: float, stack: Stack) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stack.check_alive()
        with suppress(Exception):
            if check():
                return
        time.sleep(0.5)
    raise AssertionError(f"Timed out after {timeout:.0f} s waiting for {what}.\n{stack.logs()}")


class Stack:
    def __init__(self, *, server_url: str, db_name: str, broker_url: str) -> None:
        self.server_url = server_url
        self.db_name = db_name
        self.broker_url = broker_url
        self.dir = Path(tempfile.mkdtemp(prefix="plangov-topology-"))
        self.database_url = urlunsplit(urlsplit(server_url)._replace(path=f"/{db_name}"))
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.log_files: dict[str, Path] = {}
        self.env = self._environment()

    # Set-up.

    def _environment(self) -> dict[str, str]:
        from documents.publishing.signing import make_demo_credentials

        ca, p12 = make_demo_credentials(self.dir / "signing", organisation="Topology council",
                                        passphrase=PASSPHRASE, valid_days=30)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("PLANGOV_", "DJANGO_", "CELERY_", "DATABASE_"))}
        env.update({
            "DJANGO_SETTINGS_MODULE": "plangov.settings.production",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": self.database_url,
            "CELERY_BROKER_URL": self.broker_url,
            "PLANGOV_VAR_DIR": str(self.dir / "var"),
            "PLANGOV_DOCUMENT_DIR": str(self.dir / "documents"),
            "PLANGOV_SIGNING_P12": str(p12),
            "PLANGOV_SIGNING_PASSPHRASE": PASSPHRASE,
            "PLANGOV_SIGNING_TRUST_ROOTS": str(ca),
            "PLANGOV_SITE_URL": self.base,
            # Beat scans (call-in periods, documents) and the heartbeat every few seconds.
            "PLANGOV_BEAT_SCAN_SECONDS": "5",
            "PLANGOV_HEARTBEAT_SECONDS": "5",
            # Short, so the test sees a stopped worker reported within seconds.
            "PLANGOV_WORKER_STALE_SECONDS": "15",
            "PLANGOV_BIND": f"127.0.0.1:{self.port}",
            "PLANGOV_WEB_WORKERS": "2",
            "PLANGOV_GRACEFUL_TIMEOUT": "5",
            "PYTHONUNBUFFERED": "1",
        })
        return env

    def create_database(self) -> None:
        import psycopg
        from psycopg import sql

        with psycopg.connect(self._maintenance(), autocommit=True) as admin:
            admin.execute(self._drop())
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.db_name)))

    def flush_redis(self) -> None:
        import redis

        redis.Redis.from_url(self.broker_url).flushdb()

    def manage(self, *args: str, timeout: float = 300) -> str:
        """Run manage.py under the production settings; its output, or a failure with it."""
        result = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True,
            text=True, timeout=timeout,
        )
        if result.returncode != 0:
            raise AssertionError(f"manage.py {' '.join(args[:1])} failed ({result.returncode}):"
                                 f"\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
        return result.stdout

    def start(self, name: str, *command: str) -> None:
        path = self.dir / f"{name}.log"
        self.log_files[name] = path
        with open(path, "wb") as log:
            self.processes[name] = subprocess.Popen(
                [sys.executable, "-m", *command], cwd=ROOT, env=self.env, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True,
            )

    def start_all(self) -> None:
        self.start("web", "gunicorn", "-c", "deploy/gunicorn.conf.py", "plangov.wsgi")
        self.start("worker", "celery", "-A", "plangov", "worker", "--loglevel=INFO",
                   "--concurrency=1", "--hostname=topology@%h", "--without-mingle",
                   "--without-gossip")
        self.start("beat", "celery", "-A", "plangov", "beat", "--loglevel=INFO",
                   f"--schedule={self.dir / 'celerybeat-schedule'}")

    def stop(self, name: str) -> None:
        """Stop one process (SIGTERM, as a service manager would) and wait for it."""
        process = self.processes.pop(name)
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)

    # While running.

    def check_alive(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                raise AssertionError(f"The {name} process exited with status "
                                     f"{process.returncode}.\n{self.logs()}")

    def logs(self, lines: int = 60) -> str:
        parts = []
        for name, path in self.log_files.items():
            with suppress(OSError):
                tail = path.read_text(errors="replace").splitlines()[-lines:]
                parts.append(f"---- {name} (last {len(tail)} lines of {path.name})\n"
                             + "\n".join(tail))
        return "\n".join(parts)

    def log_lines(self, name: str) -> list[str]:
        return self.log_files[name].read_text(errors="replace").splitlines()

    # Tear-down: every process, the database, the Redis db, the files.

    def close(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                with suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for process in self.processes.values():
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(5)
        errors: list[str] = []
        try:
            import psycopg

            with psycopg.connect(self._maintenance(), autocommit=True) as admin:
                admin.execute(self._drop())
        except Exception as exc:  # noqa: BLE001 - reported below, after the rest is cleaned
            errors.append(f"dropping {self.db_name}: {exc}")
        with suppress(Exception):
            self.flush_redis()
        shutil.rmtree(self.dir, ignore_errors=True)
        if errors:
            raise AssertionError("; ".join(errors))

    def _maintenance(self) -> str:
        return urlunsplit(urlsplit(self.server_url)._replace(path="/postgres", query=""))

    def _drop(self) -> Any:
        from psycopg import sql

        return sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(self.db_name))
