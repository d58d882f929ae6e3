"""The audit ledger: an append-only hash chain of every change.

Each event stores the hash of the one before it, and its own hash covers its sequence number,
so an edited, deleted, inserted or reordered row breaks the chain at that row. Appends lock
the single ``AuditHead`` row (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite's IMMEDIATE
transactions already admit one writer at a time), so concurrent writers queue and never fork
the chain. The head also records the last sequence and hash, so deleting the newest event is
noticed too.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction

from plangov import clock
from plangov.prepared import Prepared, PreparedUpdate

from .models import AuditEvent, AuditHead

GENESIS = "0" * 64

# One encoder for every hash: ``json.dumps`` with these options builds a new encoder per call.
# The output is the same bytes.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def event_hash(
    *,
    seq: int,
    created_at: str,
    actor_id: int | None,
    actor_label: str,
    action: str,
    object_type: str,
    object_id: str,
    plan_id: int | None,
    before: Any,
    after: Any,
    reason: str,
    prev_hash: str,
) -> str:
    payload = {
        "seq": seq,
        "created_at": created_at,
        "actor_id": actor_id,
        "actor_label": actor_label,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "plan_id": plan_id,
        "before": before,
        "after": after,
        "reason": reason,
        "prev_hash": prev_hash,
    }
    return hashlib.sha256(_CANONICAL.encode(payload).encode("utf-8")).hexdigest()


def _hash_of(event: AuditEvent) -> str:
    return event_hash(
        seq=event.seq,
        created_at=event.created_at.isoformat(),
        actor_id=event.actor_id,
        actor_label=event.actor_label,
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        plan_id=event.plan_id,
        before=event.before,
        after=event.after,
        reason=event.reason,
        prev_hash=event.prev_hash,
    )


# The head's read under its lock and its move: the same two statements for every event,
# compiled once (plangov.prepared).
_HEAD = Prepared(lambda head: AuditHead.objects.select_for_update().filter(pk=head), head=int)
_HEAD_MOVE = PreparedUpdate(lambda head, seq, digest: (
    AuditHead.objects.filter(pk=head), {"last_seq": seq, "last_hash": digest}),
    head=int, seq=int, digest=str)


def _locked_head() -> AuditHead:
    """The head row, locked. Migrations create it; a flushed database (tests) may not have it,
    so make it here. Two first writers racing on PostgreSQL: the loser's insert waits for the
    winner and then fails inside its savepoint, and it goes on to lock the winner's row."""
    head = _HEAD.first(head=1)
    if head is None:
        try:
            with transaction.atomic():
                AuditHead.objects.create(pk=1, last_seq=0, last_hash=GENESIS)
        except IntegrityError:
            pass
        head = AuditHead.objects.select_for_update().get(pk=1)
    return head


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model,
    before: dict[str, Any],
    after: dict[str, Any],
    reason: str = "",
    plan_id: int | None = None,
) -> AuditEvent:
    """Append one event. Must run inside the transaction that makes the change it records."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must run inside the transaction of the change.")
    head = _locked_head()
    created_at = clock.now().astimezone(UTC)
    event = AuditEvent(
        seq=head.last_seq + 1,
        created_at=created_at,
        actor=actor,
        actor_label=actor.get_username() if actor is not None else "system",
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        plan_id=plan_id,
        before=_jsonable(before),
        after=_jsonable(after),
        reason=reason,
        prev_hash=head.last_hash,
    )
    event.hash = _hash_of(event)
    event.save(force_insert=True)
    _HEAD_MOVE.update(head=1, seq=event.seq, digest=event.hash)
    return event


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_seq: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


# What verification reads of each event, in hash order.
_VERIFY_FIELDS = (
    "seq", "created_at", "actor_id", "actor_label", "action", "object_type", "object_id",
    "plan_id", "before", "after", "reason", "prev_hash", "hash",
)
_CHUNK = 5000


def _events() -> Iterator[tuple[Any, ...]]:
    """Every event as a tuple of _VERIFY_FIELDS, in ``seq`` order, with ``created_at`` as
    ``event_hash`` takes it (ISO text) and ``before``/``after`` decoded: the values a model
    instance would hold, without building one (a ledger of 100,000 events is read in a couple
    of seconds). Read in pages of ``seq > last`` on the unique index, so memory stays flat
    on both databases (a plain cursor on PostgreSQL would fetch the whole result at once)."""
    connection = transaction.get_connection()
    events = AuditEvent.objects.order_by("seq").values_list(*_VERIFY_FIELDS)
    page = events[:_CHUNK]  # the first page from the lowest seq, whatever it is (even 0)
    while True:
        sql, params = page.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        for row in rows:
            yield _decoded(row)
        if len(rows) < _CHUNK:
            return
        page = events.filter(seq__gt=rows[-1][0])[:_CHUNK]


def _decoded(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """A raw row as the ORM would convert it (JSONField.from_db_value, the backends'
    datetime conversion: UTC, aware), with ``created_at`` in ISO form."""
    (seq, created_at, actor_id, actor_label, action, object_type, object_id, plan_id,
     before, after, reason, prev_hash, stored_hash) = row
    if isinstance(created_at, str):
        created_at = datetime.datetime.fromisoformat(created_at)
    if created_at.tzinfo is None:
        created_at = created_at.replace(tzinfo=UTC)
    if isinstance(before, str | bytes):
        before = json.loads(before)
    if isinstance(after, str | bytes):
        after = json.loads(after)
    return (seq, created_at.isoformat(), actor_id, actor_label, action, object_type,
            object_id, plan_id, before, after, reason, prev_hash, stored_hash)


def verify_chain() -> ChainReport:
    """Recompute the chain from the first event and name the first broken link."""
    expected_seq = 1
    prev_hash = GENESIS
    checked = 0
    for (seq, created_at, actor_id, actor_label, action, object_type, object_id, plan_id,
         before, after, reason, stored_prev, stored_hash) in _events():
        if seq != expected_seq:
            if seq > expected_seq:
                problem = f"event #{expected_seq} is missing (the next stored event is #{seq})"
            else:
                problem = f"event #{seq} is out of sequence (expected #{expected_seq})"
            return ChainReport(checked, expected_seq, problem)
        if stored_prev != prev_hash:
            return ChainReport(
                checked,
                seq,
                f"event #{seq} does not follow event #{seq - 1}: its link to the "
                "previous hash is wrong (an event was inserted, removed or reordered)",
            )
        digest = event_hash(
            seq=seq, created_at=created_at, actor_id=actor_id,
            actor_label=actor_label, action=action, object_type=object_type,
            object_id=object_id, plan_id=plan_id, before=before, after=after, reason=reason,
            prev_hash=stored_prev,
        )
        if digest != stored_hash:
            return ChainReport(
                checked,
                seq,
                f"event #{seq} ({action}) was altered: its content no longer "
                "matches its hash",
            )
        prev_hash = stored_hash
        expected_seq += 1
        checked += 1
    head = AuditHead.objects.filter(pk=1).first() or AuditHead(last_seq=0, last_hash=GENESIS)
    last_seq = expected_seq - 1
    if head.last_seq != last_seq or head.last_hash != prev_hash:
        # As above, ``checked`` counts the events verified before the broken one.
        if head.last_seq > last_seq:
            problem = (
                f"event #{last_seq + 1} is missing: the ledger's head records "
                f"#{head.last_seq} as the newest event"
            )
            return ChainReport(checked, last_seq + 1, problem)
        if head.last_seq == last_seq:
            return ChainReport(
                max(last_seq - 1, 0),
                last_seq,
                f"event #{last_seq} is not the event the ledger's head recorded (replaced)",
            )
        return ChainReport(
            head.last_seq,
            head.last_seq + 1,
            f"event #{head.last_seq + 1} was added after the ledger's recorded head "
            f"#{head.last_seq}",
        )
    return ChainReport(checked)
