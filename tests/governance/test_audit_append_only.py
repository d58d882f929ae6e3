"""The database itself refuses to change or remove audit events (governance.audit_triggers),
while appends, and the head row every append moves, go on as before."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from governance.audit import audit_record, verify_chain
from governance.audit_triggers import REFUSAL, audit_triggers_lifted, installed
from governance.models import AuditEvent, AuditHead
from tests.factories import PartnershipFactory

TABLE = AuditEvent._meta.db_table


def _events(n: int) -> None:
    partnership = PartnershipFactory()
    for i in range(n):
        with transaction.atomic():
            audit_record(actor=None, action="test.event", obj=partnership,
                         before={}, after={"i": i})


def _refused(sql: str) -> str:
    with pytest.raises(DatabaseError) as caught, transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql.format(t=connection.ops.quote_name(TABLE)))
    return str(caught.value)


@pytest.mark.django_db
def test_the_migration_installs_the_triggers():
    assert installed()


@pytest.mark.django_db
def test_update_and_delete_of_an_audit_row_are_refused():
    _events(3)
    assert REFUSAL in _refused("UPDATE {t} SET reason = 'rewritten' WHERE seq = 2")
    assert REFUSAL in _refused("DELETE FROM {t} WHERE seq = 3")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(seq=1).update(action="other")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.count() == 3
    assert AuditEvent.objects.get(seq=2).reason == ""
    assert verify_chain().ok


@pytest.mark.django_db
def test_appends_still_move_the_head():
    _events(2)
    _events(1)
    assert AuditHead.objects.get().last_seq == 3
    assert verify_chain().checked == 3


@pytest.mark.django_db
def test_truncate_is_refused_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no TRUNCATE; DELETE is refused instead.")
    _events(1)
    with connection.cursor() as cursor:  # no deferred checks pending, or TRUNCATE says so
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert REFUSAL in _refused("TRUNCATE {t}")
    assert AuditEvent.objects.count() == 1


@pytest.mark.django_db
def test_lifting_the_triggers_lasts_only_for_the_block():
    _events(2)
    with audit_triggers_lifted():
        assert not installed()
        AuditEvent.objects.filter(seq=2).update(reason="edited")
    assert installed()
    assert REFUSAL in _refused("DELETE FROM {t}")
    assert not verify_chain().ok


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_flushes_the_ledger_and_keeps_the_triggers():
    """The flush after this test empties the table despite the triggers (tests/conftest.py);
    the next test finds them in place."""
    _events(2)
    assert installed()


@pytest.mark.django_db(transaction=True)
def test_after_a_flush_the_triggers_are_still_there():
    assert installed()
    assert AuditEvent.objects.count() == 0
    _events(1)
    assert REFUSAL in _refused("DELETE FROM {t}")
