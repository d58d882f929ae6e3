"""What every benchmark shares: a throwaway database, Django set up on it, and a clock each
thread can move on its own. Nothing here touches a development or test database."""

from __future__ import annotations

import argparse
import datetime
import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
START = datetime.datetime(2016, 7, 14, 10, tzinfo=datetime.UTC)  # a Thursday


# The throwaway database.


@contextmanager
def postgres_database(url: str, name: str) -> Iterator[str]:
    """Create database ``name`` on the server of ``url``; yield a URL for it; drop it."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    maintenance = urlunsplit(parts._replace(path="/postgres", query=""))
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    with psycopg.connect(maintenance, autocommit=True) as admin:
        admin.execute(drop)
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(maintenance, autocommit=True) as admin:
            admin.execute(drop)


@contextmanager
def throwaway_database(args: argparse.Namespace) -> Iterator[str]:
    """Point plangov's settings at a fresh database; yield a description of it."""
    var_dir = Path(tempfile.mkdtemp(prefix="plangov-bench-"))
    os.environ["PLANGOV_VAR_DIR"] = str(var_dir)  # the SQLite file and Celery's broker file
    url = os.environ.get("DATABASE_URL", "").strip()
    try:
        if url and urlsplit(url).scheme.startswith(("postgres", "pgsql")):
            with postgres_database(url, args.db_name) as bench_url:
                os.environ["DATABASE_URL"] = bench_url
                yield f"PostgreSQL, database {args.db_name} on {urlsplit(url).hostname}"
        elif url:
            raise SystemExit("DATABASE_URL must be a postgres:// URL (or unset for SQLite).")
        else:
            yield f"SQLite, {var_dir / 'plangov.sqlite3'}"
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


def setup_django(settings: str = "plangov.settings.test") -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = settings
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def demo_signing() -> None:
    """Make the demo signing certificate where the settings look for it (under the throwaway
    PLANGOV_VAR_DIR), as ``load_demo`` does: adoption refuses to run without one."""
    from pathlib import Path

    from django.conf import settings

    from documents.publishing.signing import make_demo_credentials

    make_demo_credentials(Path(settings.PLANGOV_SIGNING_P12).parent)


def analyze() -> None:
    """After a bulk load, refresh PostgreSQL's planner statistics, as autovacuum would soon
    after; a no-op on SQLite."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


# The clock: each thread travels in time on its own.


class ThreadClock:
    """A stand-in for plangov.clock.source whose time is per thread."""

    def __init__(self) -> None:
        self._local = threading.local()

    def __call__(self) -> datetime.datetime:
        return getattr(self._local, "now", START)

    def set(self, moment: datetime.datetime) -> None:
        self._local.now = moment
