"""The one place plangov reads the time, so tests can travel through it.

Services call ``clock.now()`` and ``clock.today()``; tests replace ``clock.source`` (see
tests/conftest.py ``frozen_clock``) instead of patching datetime across modules."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.utils import timezone

source: Callable[[], datetime.datetime] = timezone.now


def now() -> datetime.datetime:
    return source()


def today() -> datetime.date:
    return timezone.localdate(source())
