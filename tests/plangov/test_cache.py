"""The shared database cache: add is once-only and respects expiry; incr keeps the expiry."""

from __future__ import annotations

import time

import pytest
from django.core.cache import cache, caches

from plangov.cache import DatabaseCache

pytestmark = pytest.mark.django_db


def test_the_default_cache_is_the_database_one():
    assert isinstance(caches["default"], DatabaseCache)


def test_add_wins_once_and_get_reads_it_back():
    assert cache.add("k", {"a": 1}, timeout=60) is True
    assert cache.add("k", "other", timeout=60) is False
    assert cache.get("k") == {"a": 1}


def test_an_expired_key_can_be_added_again(monkeypatch):
    assert cache.add("gone", 1, timeout=1)
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 5)
    from django.utils import timezone

    later = timezone.now() + __import__("datetime").timedelta(seconds=5)
    monkeypatch.setattr("plangov.cache.tz_now", lambda: later)
    assert cache.add("gone", 2, timeout=60) is True
    monkeypatch.undo()
    assert cache.get("gone") == 2


def test_incr_counts_and_keeps_the_expiry():
    cache.add("n", 0, timeout=60)
    assert [cache.incr("n") for _ in range(3)] == [1, 2, 3]
    assert cache.incr("n", 10) == 13
    with pytest.raises(ValueError):
        cache.incr("missing")
