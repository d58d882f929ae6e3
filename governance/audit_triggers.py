"""The database refuses to change or remove audit events.

Triggers on ``governance_auditevent`` abort every UPDATE and DELETE (and, on PostgreSQL,
TRUNCATE), whoever runs them: the application, an administrator's SQL console, a careless
migration. The ledger's head row (``AuditHead``) is not an audit row and stays writable: every
append moves it. Nothing in plangov updates or deletes events (retention never needs to: the
chain holds hashes and labels, not personal data or draft text).

``audit_triggers_lifted()`` drops them for the span of a ``with`` block and puts them back;
only the test suite's tampering tests and its database flush use it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection as default_connection

TABLE = "governance_auditevent"
REFUSAL = "Audit events are append-only: plangov refuses to change or delete them."

_SQLITE_CREATE = [
    f"CREATE TRIGGER IF NOT EXISTS plangov_audit_no_update BEFORE UPDATE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END",
    f"CREATE TRIGGER IF NOT EXISTS plangov_audit_no_delete BEFORE DELETE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END",
]
_SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS plangov_audit_no_update",
    "DROP TRIGGER IF EXISTS plangov_audit_no_delete",
]
_PG_CREATE = [
    f"""CREATE OR REPLACE FUNCTION plangov_audit_refuse() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '{REFUSAL}' USING ERRCODE = 'insufficient_privilege';
        END;
        $$""",
    f"DROP TRIGGER IF EXISTS plangov_audit_no_change ON {TABLE}",
    f"CREATE TRIGGER plangov_audit_no_change BEFORE UPDATE OR DELETE ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION plangov_audit_refuse()",
    f"DROP TRIGGER IF EXISTS plangov_audit_no_truncate ON {TABLE}",
    f"CREATE TRIGGER plangov_audit_no_truncate BEFORE TRUNCATE ON {TABLE} "
    "FOR EACH STATEMENT EXECUTE FUNCTION plangov_audit_refuse()",
]
_PG_DROP = [
    f"DROP TRIGGER IF EXISTS plangov_audit_no_change ON {TABLE}",
    f"DROP TRIGGER IF EXISTS plangov_audit_no_truncate ON {TABLE}",
]


def create_sql(vendor: str) -> list[str]:
    return {"sqlite": _SQLITE_CREATE, "postgresql": _PG_CREATE}.get(vendor, [])


def drop_sql(vendor: str) -> list[str]:
    return {"sqlite": _SQLITE_DROP, "postgresql": _PG_DROP}.get(vendor, [])


def _run(connection: Any, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def install(connection: Any = None) -> None:
    connection = connection or default_connection
    _run(connection, create_sql(connection.vendor))


def remove(connection: Any = None) -> None:
    connection = connection or default_connection
    _run(connection, drop_sql(connection.vendor))


def installed(connection: Any = None) -> bool:
    connection = connection or default_connection
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND "
                           "name LIKE 'plangov_audit_%%'")
        elif connection.vendor == "postgresql":
            cursor.execute("SELECT COUNT(*) FROM pg_trigger WHERE tgname LIKE "
                           "'plangov_audit_%%' AND NOT tgisinternal")
        else:
            return False
        return cursor.fetchone()[0] == 2


@contextmanager
def audit_triggers_lifted(connection: Any = None) -> Iterator[None]:
    """Drop the refusing triggers for the block, then put them back (tests only)."""
    connection = connection or default_connection
    remove(connection)
    try:
        yield
    finally:
        install(connection)
