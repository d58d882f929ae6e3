"""Read settings from the environment, failing loudly on values that make no sense.

A council's operator who mistypes ``DEBUG=ture`` or ``DATABASE_URL=postgress://`` must find
out at start-up, not when the first plan is submitted.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None:
        if default is None:
            raise ImproperlyConfigured(f"The environment variable {name} must be set.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a boolean; use one of {sorted(_TRUE | _FALSE - {''})}."
    )


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from exc
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} must be at least {minimum}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def sqlite_database(path: Path) -> dict[str, Any]:
    """The embedded default: WAL so readers never block the writer, IMMEDIATE transactions
    so a writer takes the lock at BEGIN (no upgrade deadlocks), and a busy timeout so
    concurrent writers queue instead of failing with "database is locked"."""
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA foreign_keys=ON;"
            ),
        },
    }


def database_from_url(url: str) -> dict[str, Any]:
    """Parse ``postgres://user:pass@host:port/name?opt=v`` or ``sqlite:///path``."""
    parts = urlsplit(url)
    if parts.scheme in {"postgres", "postgresql", "pgsql"}:
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise ImproperlyConfigured(f"DATABASE_URL {url!r} names no database.")
        try:
            port = parts.port
        except ValueError as exc:
            raise ImproperlyConfigured(f"DATABASE_URL {url!r} has a bad port.") from exc
        options: dict[str, Any] = dict(parse_qsl(parts.query))
        threshold = options.pop("prepare_threshold", None)
        if threshold is not None and not threshold.isdigit():
            raise ImproperlyConfigured(
                f"DATABASE_URL's prepare_threshold must be a whole number, not {threshold!r}.")
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(port or ""),
            "OPTIONS": {
                # plangov.prepared's statements are kept prepared on the server once one has
                # run this many times on a connection (psycopg's prepare_threshold; Django's
                # own queries bind on the client and are never prepared). Set
                # DATABASE_PREPARED_STATEMENTS=false behind a pooler that cannot keep them
                # (PgBouncer in transaction mode before 1.21).
                "prepare_threshold": (
                    (int(threshold) if threshold is not None else 2)
                    if env_bool("DATABASE_PREPARED_STATEMENTS", True) else None),
                **options,
            },
            # Seconds a web worker keeps its connection (0: one per request); with a
            # connection pooler in front, keep 0.
            "CONN_MAX_AGE": env_int("DATABASE_CONN_MAX_AGE", 0, minimum=0),
            "CONN_HEALTH_CHECKS": True,
        }
    if parts.scheme == "sqlite":
        # As SQLAlchemy: sqlite:///relative/path and sqlite:////absolute/path.
        path = unquote(parts.path)[1:]
        if not path:
            raise ImproperlyConfigured(f"DATABASE_URL {url!r} names no SQLite file.")
        return sqlite_database(Path(path))
    raise ImproperlyConfigured(
        f"DATABASE_URL scheme {parts.scheme!r} is not supported; use postgres:// or sqlite:///."
    )
