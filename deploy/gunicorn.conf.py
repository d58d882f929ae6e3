"""gunicorn's configuration for plangov in production:

    gunicorn -c deploy/gunicorn.conf.py plangov.wsgi

Behind a reverse proxy that terminates TLS and sends X-Forwarded-Proto (production settings
trust it: SECURE_PROXY_SSL_HEADER). Every value comes from the environment:

    PLANGOV_BIND              address to listen on (default 127.0.0.1:8000)
    PLANGOV_WEB_WORKERS       worker processes (default 2 × CPUs + 1)
    PLANGOV_WEB_TIMEOUT       seconds a request may take before its worker is restarted (60)
    PLANGOV_GRACEFUL_TIMEOUT  seconds workers get to finish requests on a restart or stop (30)

Access and error logs go to standard output/error as JSON lines (plangov.jsonlog), like the
application's own logs under production settings."""

import datetime
import gc
import json
import multiprocessing
import os

from gunicorn.glogging import Logger

wsgi_app = "plangov.wsgi:application"
bind = os.environ.get("PLANGOV_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("PLANGOV_WEB_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = int(os.environ.get("PLANGOV_WEB_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("PLANGOV_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# A worker is replaced after this many requests (jittered), bounding any slow leak.
max_requests = 2000
max_requests_jitter = 200
# The proxy in front sets X-Forwarded-*; trust it only from these addresses.
forwarded_allow_ips = os.environ.get("PLANGOV_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("PLANGOV_WEB_LOG_LEVEL", "info")
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "plangov.jsonlog.JsonFormatter"},
        # The access line is JSON already.
        "access": {"format": "%(message)s"},
    },
    "handlers": {
        "error": {"class": "logging.StreamHandler", "formatter": "json",
                  "stream": "ext://sys.stderr"},
        "access": {"class": "logging.StreamHandler", "formatter": "access",
                   "stream": "ext://sys.stdout"},
    },
    "root": {"handlers": ["error"], "level": "INFO"},
    "loggers": {
        "gunicorn.error": {"handlers": ["error"], "level": loglevel.upper(), "propagate": False},
        "gunicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
    },
}


class JsonAccessLogger(Logger):
    """The access log as one JSON object a line, built with json.dumps (a path with a quote
    in it stays valid JSON). No query string (it may hold what a person typed) and no user
    agent: the method, path, status, size and duration."""

    def access(self, resp, req, environ, request_time):  # noqa: ANN001 - gunicorn's hook
        if not self.cfg.accesslog:
            return
        status = str(resp.status).split(" ", 1)[0]
        entry = {
            "time": datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds"),
            "level": "INFO",
            "logger": "gunicorn.access",
            "method": environ.get("REQUEST_METHOD"),
            "path": environ.get("PATH_INFO"),
            "status": int(status) if status.isdigit() else status,
            "bytes": getattr(resp, "sent", None),
            "duration_ms": round(request_time.total_seconds() * 1000, 1),
            "remote": environ.get("REMOTE_ADDR"),
            "request_id": environ.get("HTTP_X_REQUEST_ID"),
        }
        try:
            self.access_log.info(json.dumps(entry, ensure_ascii=False))
        except Exception:  # noqa: BLE001 - a log line must never fail a request
            self.exception("Could not write the access log line.")


logger_class = JsonAccessLogger


def post_worker_init(worker):  # noqa: ANN001, ARG001 - gunicorn's hook
    """The worker has loaded Django and plangov: what is alive now lives as long as the worker,
    so move it out of the garbage collector's sight (gc.freeze). Otherwise each full
    collection walks all of it again (some 180,000 objects), and the inbox benchmark saw one
    request in thirty take four times as long as the rest."""
    gc.collect()
    gc.freeze()
