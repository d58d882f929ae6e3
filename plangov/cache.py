"""The database cache, made fit for counters that several web workers share.

- ``incr`` is atomic. Django's DatabaseCache increments by reading the value and writing it
  back, so two workers counting at once can lose a hit. Here the read and the write run in one
  transaction that holds the cache row: ``SELECT ... FOR UPDATE`` on PostgreSQL, and on SQLite
  the IMMEDIATE transaction plangov's databases use takes the write lock at BEGIN. The row's
  expiry is kept (Django's ``incr`` would reset it to the default timeout).
- ``add`` is one ``INSERT ... ON CONFLICT DO NOTHING`` (after removing an expired row of the
  same key), atomic too: of two workers adding one key, one wins. Django's counts the whole
  table on every write to decide whether to cull, which grows slow as the rate-limit keys pile
  up; here expired rows are deleted now and then instead (one add in ``CULL_EVERY``), so the
  table holds little more than live keys."""

from __future__ import annotations

import base64
import logging
import pickle
import random
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.db import connections, router, transaction
from django.utils.timezone import now as tz_now

CULL_EVERY = 200

log = logging.getLogger(__name__)


class DatabaseCache(DjangoDatabaseCache):
    def _connection(self) -> tuple[str, Any, str]:
        alias = router.db_for_write(self.cache_model_class)
        connection = connections[alias]
        return alias, connection, connection.ops.quote_name(self._table)

    @staticmethod
    def _pickled(value: Any) -> str:
        return base64.b64encode(pickle.dumps(value, pickle.HIGHEST_PROTOCOL)).decode("latin1")

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT,
            version: int | None = None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        seconds = self.get_backend_timeout(timeout)
        expires = datetime.max.replace(tzinfo=UTC) if seconds is None else \
            datetime.fromtimestamp(seconds, tz=UTC)
        alias, connection, table = self._connection()
        now = tz_now().replace(microsecond=0)
        adapt = connection.ops.adapt_datetimefield_value
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            if random.randrange(CULL_EVERY) == 0:  # noqa: S311 - not for secrecy
                cursor.execute(f"DELETE FROM {table} WHERE expires < %s", [adapt(now)])
            else:
                cursor.execute(f"DELETE FROM {table} WHERE cache_key = %s AND expires < %s",
                               [key, adapt(now)])
            cursor.execute(
                f"INSERT INTO {table} (cache_key, value, expires) VALUES (%s, %s, %s) "
                "ON CONFLICT (cache_key) DO NOTHING",
                [key, self._pickled(value), adapt(expires.replace(microsecond=0))],
            )
            return cursor.rowcount == 1

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        key = self.make_and_validate_key(key, version=version)
        alias, connection, table = self._connection()
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            cursor.execute(f"SELECT value FROM {table} WHERE cache_key = %s{lock}", [key])
            row = cursor.fetchone()
            if row is None:
                raise ValueError(f"Key '{key}' not found")
            value = pickle.loads(base64.b64decode(row[0].encode())) + delta  # noqa: S301 - our own rows
            cursor.execute(f"UPDATE {table} SET value = %s WHERE cache_key = %s",
                           [self._pickled(value), key])
        return value


# Production's Redis cache, kept serving when Redis is down (issue 13: "Redis or the worker
# down: pages still serve"). The cache only ever holds what can be lost: rate-limit counters,
# the public form's single-use marks, rendered scorecard rows, the worker heartbeat. So an
# unreachable Redis reads as a miss and a write is dropped, logged once per call, and never
# raises into a page:
# - get/get_many miss, so the scorecard renders its rows afresh;
# - add answers True (fail open): the rate limit counts from 1 again and a form token is
#   taken, so the public can still answer a consultation while Redis is away;
# - incr raises ValueError, as for a missing key, which plangov.ratelimit treats as a first
#   hit;
# - set, delete and touch do nothing. /healthz reports the broker (the same Redis) as down.



def _redis_errors() -> tuple[type[BaseException], ...]:
    try:
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError
    except ImportError:  # redis not installed: nothing of ours uses this class then
        return (ConnectionError, TimeoutError)
    return (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError)


class RedisCache(DjangoRedisCache):
    def _guarded(self, what: str, fallback: Any, call: Callable[[], Any]) -> Any:
        """``call()``, or ``fallback`` (logged) when Redis cannot be reached."""
        try:
            return call()
        except _redis_errors():
            log.warning("The cache (Redis) is unreachable: %s skipped.", what, exc_info=True)
            return fallback

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        return self._guarded("get", default, lambda: super(RedisCache, self).get(
            key, default, version))

    def get_many(self, keys: Any, version: Any = None) -> dict[Any, Any]:
        return self._guarded("get_many", {}, lambda: super(RedisCache, self).get_many(
            keys, version))

    def has_key(self, key: Any, version: Any = None) -> bool:
        return self._guarded("has_key", False, lambda: super(RedisCache, self).has_key(
            key, version))

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT,
            version: Any = None) -> bool:
        return self._guarded("add", True, lambda: super(RedisCache, self).add(
            key, value, timeout, version))

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT,
            version: Any = None) -> None:
        self._guarded("set", None, lambda: super(RedisCache, self).set(
            key, value, timeout, version))

    def set_many(self, data: Any, timeout: Any = DEFAULT_TIMEOUT,
                 version: Any = None) -> list[Any]:
        return self._guarded("set_many", list(data), lambda: super(RedisCache, self).set_many(
            data, timeout, version))

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        return self._guarded("touch", False, lambda: super(RedisCache, self).touch(
            key, timeout, version))

    def delete(self, key: Any, version: Any = None) -> bool:
        return self._guarded("delete", False, lambda: super(RedisCache, self).delete(
            key, version))

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> int:
        try:
            return super().incr(key, delta, version)
        except _redis_errors() as exc:
            log.warning("The cache (Redis) is unreachable: incr skipped.", exc_info=True)
            raise ValueError("The cache is unreachable; count from the start.") from exc
