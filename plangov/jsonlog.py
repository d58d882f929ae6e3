"""Structured logs for production: one JSON object a line (time, level, logger, message, and
the exception's traceback when there is one), for a log collector to read without parsing
free text. Used by production.py's LOGGING and by gunicorn's access log
(deploy/gunicorn.conf.py)."""

from __future__ import annotations

import datetime
import json
import logging
from typing import Any

# Attributes every LogRecord has: anything else was passed in ``extra=`` and is kept.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC)
            .isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_") and key not in entry:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        # default=str: an extra that is not JSON (a request, a date) is written as its text.
        return json.dumps(entry, default=str, ensure_ascii=False)
