"""/healthz: is this plangov able to work? For a load balancer or a monitor, so no sign-in and
nothing about anyone: the database, the broker, a worker's heartbeat (plangov.heartbeat) and
the signing certificate's days to expiry. 200 when all are up, 503 when any is down (an
expired or unusable certificate counts as down: nothing can be adopted)."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from plangov import heartbeat

logger = logging.getLogger(__name__)
BROKER_TIMEOUT_SECONDS = 3


def check_database() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True}


def check_broker() -> dict[str, Any]:
    from plangov.celery import app

    with app.connection_for_write(connect_timeout=BROKER_TIMEOUT_SECONDS) as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0.2,
                               timeout=BROKER_TIMEOUT_SECONDS)
    return {"ok": True}


def check_worker() -> dict[str, Any]:
    since = heartbeat.seconds_since()
    return {
        "ok": since is not None and since <= heartbeat.stale_after(),
        "seconds_since_heartbeat": None if since is None else round(since),
    }


def check_signing_certificate() -> dict[str, Any]:
    from .publishing.signing import SigningUnavailable, credentials

    try:
        creds = credentials()
    except SigningUnavailable:
        # Why (a path, a passphrase) is for the administrator's logs, not a public answer.
        logger.warning("healthz: the signing certificate is unusable.", exc_info=True)
        return {"ok": False, "days_to_expiry": None}
    left = creds.not_after - datetime.datetime.now(datetime.UTC)
    return {"ok": True, "days_to_expiry": left.days}


CHECKS = {
    "database": check_database,
    "broker": check_broker,
    "worker": check_worker,
    "signing_certificate": check_signing_certificate,
}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    results: dict[str, dict[str, Any]] = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception:  # noqa: BLE001 - anything failing is "down", never a 500
            logger.warning("healthz: %s is down.", name, exc_info=True)
            results[name] = {"ok": False}
    healthy = all(result["ok"] for result in results.values())
    return JsonResponse({"status": "ok" if healthy else "down", "checks": results},
                        status=200 if healthy else 503)
