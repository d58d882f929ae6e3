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
