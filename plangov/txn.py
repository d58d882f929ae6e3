"""One transaction per service, and database contention turned into a clear 409."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.db import IntegrityError, OperationalError, transaction

from . import steps
from .errors import Conflict

P = ParamSpec("P")
R = TypeVar("R")

_CONTENTION = ("database is locked", "deadlock detected", "could not serialize", "lock timeout")


def service(func: Callable[P, R]) -> Callable[P, R]:
    """Run ``func`` in one transaction (IMMEDIATE on SQLite, so the write lock is taken at
    BEGIN), with one step's scope (plangov.steps: what the step read, shared by what it
    calls, forgotten when the transaction ends). A unique constraint tripped by a concurrent
    writer, or a lock that could not be had in time, becomes Conflict: the caller's request
    met a concurrent change."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            with transaction.atomic(), steps.scope():
                return func(*args, **kwargs)
        except IntegrityError as exc:
            raise Conflict(
                "Someone else changed this at the same moment; reload and try again."
            ) from exc
        except OperationalError as exc:
            if any(marker in str(exc).lower() for marker in _CONTENTION):
                raise Conflict(
                    "The plan is busy with another change; try again in a moment."
                ) from exc
            raise

    return wrapper
