"""verify_chain reads raw rows, not model instances: every kind of value an event can hold
must hash exactly as ``audit_record`` hashed it (timestamps without microseconds, text beyond
ASCII, nested and numeric JSON), across more than one page of rows, and an altered value in
a later page is still named."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from governance import audit
from governance.audit import GENESIS, _jsonable, audit_record, event_hash, verify_chain
from governance.audit_triggers import audit_triggers_lifted
from governance.models import AuditEvent, AuditHead


def append(count: int, *, start: datetime.datetime) -> None:
    head = AuditHead.objects.filter(pk=1).first()
    seq, prev = (head.last_seq, head.last_hash) if head else (0, GENESIS)
    rows = []
    for i in range(count):
        seq += 1
        created_at = start + datetime.timedelta(seconds=i, microseconds=0 if i % 2 else 1 + i)
        fields: dict[str, Any] = dict(
            seq=seq, created_at=created_at, actor_id=None, actor_label="système",
            action="plan.update", object_type="documents.plan", object_id=str(i),
            plan_id=None,
            before=_jsonable({"title": "Café ✓ \u00a0plan", "n": i, "share": i / 3}),
            after=_jsonable({"z": [1, {"b": None, "a": True}], "on": datetime.date(2026, 1, 2),
                             "amount": 1.5e-7, "big": 2**53 + i}),
            reason="naïve reason" if i % 3 else "", prev_hash=prev,
        )
        digest = event_hash(**{**fields, "created_at": created_at.isoformat()})
        rows.append(AuditEvent(**fields, hash=digest))
        prev = digest
    AuditEvent.objects.bulk_create(rows)
    AuditHead.objects.update_or_create(pk=1, defaults={"last_seq": seq, "last_hash": prev})


def test_every_kind_of_value_verifies_across_pages(monkeypatch: pytest.MonkeyPatch,
                                                   world: Any) -> None:
    monkeypatch.setattr(audit, "_CHUNK", 7)  # several pages, and a last page that is full
    with audit_triggers_lifted():  # the database refuses to delete events otherwise
        AuditEvent.objects.all().delete()
    AuditHead.objects.all().delete()
    audit_record(actor=world.lead, action="test.real", obj=world.lead,
                 before={"a": 1}, after={"é": "✓"})
    start = AuditEvent.objects.get(seq=1).created_at.replace(microsecond=0)
    append(20, start=start)  # 21 events: 3 full pages of 7
    report = verify_chain()
    assert report.ok, report.problem
    assert report.checked == 21

    with audit_triggers_lifted():
        AuditEvent.objects.filter(seq=17).update(reason="changed")
    report = verify_chain()
    assert report.broken_seq == 17
    assert "was altered" in report.problem
    assert report.checked == 16
