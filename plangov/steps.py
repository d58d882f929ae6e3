"""What one step (one service transaction) has already read, for the rest of that step.

A service locks the plan and reads it once; the flow's gateways and callbacks, the lifecycle's
guards and the routing helpers it calls in the same transaction ask here first instead of
reading the same rows again. The scope opens with the outermost service's transaction
(``plangov.txn.service``) and closes with it, committed or rolled back, so nothing remembered
here outlives the step: the next step reads afresh. Outside a service nothing is remembered.

Keys are tuples naming what is kept, e.g. ``("plan", 7)``. Whoever writes what a key stands
for in the same step updates or forgets the key (workflows.lifecycle.state does so for the
decisions it keeps)."""

from __future__ import annotations

import contextlib
from collections.abc import Hashable, Iterator
from contextvars import ContextVar
from typing import Any

_scope: ContextVar[dict[Hashable, Any] | None] = ContextVar("plangov_step", default=None)


@contextlib.contextmanager
def scope() -> Iterator[None]:
    """Open a step's scope, unless one is open already (a service called by a service shares
    its caller's step and transaction)."""
    if _scope.get() is not None:
        yield
        return
    token = _scope.set({})
    try:
        yield
    finally:
        _scope.reset(token)


def remember(key: Hashable, value: Any) -> Any:
    """Keep ``value`` for the rest of the step (nothing outside a step); returns it."""
    kept = _scope.get()
    if kept is not None:
        kept[key] = value
    return value


def recall(key: Hashable) -> Any:
    """What the step kept under ``key``, or None."""
    kept = _scope.get()
    return None if kept is None else kept.get(key)


def forget(key: Hashable) -> None:
    kept = _scope.get()
    if kept is not None:
        kept.pop(key, None)
