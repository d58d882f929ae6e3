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
import pickle
import random
from datetime import UTC, datetime
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import connections, router, transaction
from django.utils.timezone import now as tz_now

CULL_EVERY = 200


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

import logging  # noqa: E402

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache  # noqa: E402

log = logging.getLogger(__name__)


def _redis_errors() -> tuple[type[BaseException], ...]:
    try:
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError
    except ImportError:  # redis not installed: nothing of ours uses this class then
        return (ConnectionError, TimeoutError)
    return (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError)


class RedisCache(DjangoRedisCache):
    def _down(self, what: str) -> None:
        log.warning("The cache (Redis) is unreachable: %s skipped.", what, exc_info=True)

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        try:
            return super().get(key, default, version)
        except _redis_errors():
            self._down("get")
            return default

    def get_many(self, keys: Any, version: Any = None) -> dict[Any, Any]:
        try:
            return super().get_many(keys, version)
        except _redis_errors():
            self._down("get_many")
            return {}

    def has_key(self, key: Any, version: Any = None) -> bool:
        try:
            return super().has_key(key, version)
        except _redis_errors():
            self._down("has_key")
            return False

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT,
            version: Any = None) -> bool:
        try:
            return super().add(key, value, timeout, version)
        except _redis_errors():
            self._down("add")
            return True

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT,
            version: Any = None) -> None:
        try:
            super().set(key, value, timeout, version)
        except _redis_errors():
            self._down("set")

    def set_many(self, data: Any, timeout: Any = DEFAULT_TIMEOUT,
                 version: Any = None) -> list[Any]:
        try:
            return super().set_many(data, timeout, version)
        except _redis_errors():
            self._down("set_many")
            return list(data)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        try:
            return super().touch(key, timeout, version)
        except _redis_errors():
            self._down("touch")
            return False

    def delete(self, key: Any, version: Any = None) -> bool:
        try:
            return super().delete(key, version)
        except _redis_errors():
            self._down("delete")
            return False

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> int:
        try:
            return super().incr(key, delta, version)
        except _redis_errors() as exc:
            self._down("incr")
            raise ValueError("The cache is unreachable; count from the start.") from exc
