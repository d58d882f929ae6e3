"""The worker's heartbeat: a beat task every PLANGOV_HEARTBEAT_SECONDS (run by a worker) writes
the time to the shared cache, and a worker writes it once when it starts. /healthz and the
signed document page read it to say whether any worker is running.

Wall-clock time (not plangov.clock): it says when a process last ran, not a governed date."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.cache import cache

KEY = "plangov:worker-heartbeat"
logger = logging.getLogger(__name__)


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def record() -> datetime.datetime:
    """A worker is alive now. Kept far longer than it is fresh, so a stale one is still read
    (and said to be stale) rather than missing."""
    now = _now()
    cache.set(KEY, now.timestamp(), timeout=30 * 24 * 3600)
    return now


def last_seen() -> datetime.datetime | None:
    """When a worker last beat, or None when none ever has (or the cache was cleared).
    Raises whatever the cache raises when it is down: the caller reports that."""
    value = cache.get(KEY)
    if value is None:
        return None
    return datetime.datetime.fromtimestamp(float(value), datetime.UTC)


def seconds_since() -> float | None:
    seen = last_seen()
    return None if seen is None else max(0.0, (_now() - seen).total_seconds())


def stale_after() -> int:
    """Seconds without a heartbeat after which no worker counts as running."""
    return settings.PLANGOV_WORKER_STALE_SECONDS
