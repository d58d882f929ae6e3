"""Tampering with the audit ledger behind the application's back, and ``verify_audit``
catching it at the first broken event.

Rows are changed with raw SQL or queryset ``.update()`` (neither runs model code), the way
someone with database access would. A forger here knows the hashing scheme and recomputes the
hash of whatever they forge; the chain still breaks at the next link, and the ledger's head
row catches changes at the end of the chain.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.models import F

from governance.audit import audit_record, event_hash, verify_chain
from governance.audit_triggers import audit_triggers_lifted
from governance.models import AuditEvent, AuditHead
from governance.models import DecisionOutcome as O
from tests.conftest import World, decide, submitted_plan
from tests.factories import PartnershipFactory

# plan.create, version.create, consultation.round_create, start_consultation,
# close_consultation, consultation.summary_publish, submit, board decision
EVENTS = 8
PARKED = 1_000_000  # a seq far beyond the chain, for moving rows without unique clashes


@pytest.fixture
def ledger(world: World) -> Iterator[list[AuditEvent]]:
    """Eight events, with the database's refusal to change them lifted for the test (a forger
    with the database owner's rights could drop the triggers too; the chain still tells)."""
    plan = submitted_plan(world)
    decide(world, plan, world.board, O.APPROVED)
    events = list(AuditEvent.objects.order_by("seq"))
    assert [e.seq for e in events] == list(range(1, EVENTS + 1))
    with audit_triggers_lifted():
        yield events


def verify_audit() -> str:
    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def assert_broken_at(seq: int, *problem: str) -> str:
    """verify_audit fails naming event #seq as the first broken one (and saying ``problem``)."""
    with pytest.raises(CommandError) as caught:
        verify_audit()
    message = str(caught.value)
    assert message.startswith(f"Audit chain broken at event #{seq}:"), message
    assert f"{seq - 1} events before it verified" in message, message
    for words in problem:
        assert words in message, message
    return message


def raw(sql: str, params: list[Any]) -> int:
    """Run ``sql`` with ``{t}`` standing for the audit table; return the rows it touched."""
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql.format(t=table), params)
        return cursor.rowcount


def rehash(event: AuditEvent) -> str:
    """The hash a forger who knows the scheme computes for ``event`` as it now stands."""
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


def insert_replayed(source_seq: int, *, seq: int, prev_hash: str) -> str:
    """Insert a copy of event ``source_seq`` as event ``seq`` linked to ``prev_hash``, with a
    correctly computed hash of its own, by raw SQL. Returns that hash."""
    forged = AuditEvent.objects.get(seq=source_seq)
    forged.seq, forged.prev_hash = seq, prev_hash
    forged_hash = rehash(forged)
    columns = (
        "created_at, actor_id, actor_label, action, object_type, object_id, plan_id, before, "
        "after, reason"
    )
    inserted = raw(
        f"INSERT INTO {{t}} (seq, {columns}, prev_hash, hash) "
        f"SELECT %s, {columns}, %s, %s FROM {{t}} WHERE seq = %s",
        [seq, prev_hash, forged_hash, source_seq],
    )
    assert inserted == 1
    return forged_hash


def shift_up_from(seq: int) -> None:
    """Renumber events seq, seq+1, ... to seq+1, seq+2, ..., leaving a gap at ``seq``."""
    AuditEvent.objects.filter(seq__gte=seq).update(seq=F("seq") + PARKED)
    AuditEvent.objects.filter(seq__gte=PARKED).update(seq=F("seq") - PARKED + 1)


# An intact ledger.


def test_it_reports_an_intact_chain_and_its_length(ledger):
    assert verify_audit().strip() == f"Audit chain intact: {EVENTS} events."


def test_it_reports_an_empty_ledger_as_intact(db):
    assert not AuditEvent.objects.exists()
    assert verify_audit().strip() == "Audit chain intact: 0 events."


def test_it_does_not_mistake_a_rewrite_of_the_same_values_for_tampering(ledger):
    # Rewriting JSON with its keys in another order is no change: the hash is of canonical
    # JSON (and PostgreSQL's jsonb keeps its own key order anyway).
    event = AuditEvent.objects.get(seq=3)
    reordered = dict(reversed(list(event.after.items())))
    assert list(reordered) != list(event.after)
    AuditEvent.objects.filter(seq=3).update(after=reordered, reason=event.reason)
    assert verify_audit().strip() == f"Audit chain intact: {EVENTS} events."


# Edited rows.


def _edit_before(event: AuditEvent) -> None:
    AuditEvent.objects.filter(pk=event.pk).update(before={**event.before, "stage": "adopted"})


def _edit_after(event: AuditEvent) -> None:
    AuditEvent.objects.filter(pk=event.pk).update(after={**event.after, "closes_on": "2099-01-01"})


def _edit_reason(event: AuditEvent) -> None:
    assert raw("UPDATE {t} SET reason = %s WHERE seq = %s", ["Agreed by all.", event.seq]) == 1


def _edit_actor_label(event: AuditEvent) -> None:
    assert raw("UPDATE {t} SET actor_label = %s WHERE seq = %s", ["board_chair", event.seq]) == 1


def _edit_created_at(event: AuditEvent) -> None:
    AuditEvent.objects.filter(pk=event.pk).update(
        created_at=event.created_at - datetime.timedelta(days=1)
    )


@pytest.mark.parametrize(
    "edit",
    [_edit_before, _edit_after, _edit_reason, _edit_actor_label, _edit_created_at],
    ids=["before", "after", "reason", "actor_label", "created_at"],
)
def test_it_names_an_edited_event(ledger, edit):
    event = AuditEvent.objects.get(seq=3)
    assert event.action == "consultation.round_create"
    edit(event)
    assert AuditEvent.objects.get(seq=3).hash == event.hash  # the stored hash is untouched
    assert_broken_at(3, "consultation.round_create", "altered")


def test_it_names_an_edited_event_even_when_its_hash_was_recomputed(ledger):
    _edit_reason(AuditEvent.objects.get(seq=3))
    AuditEvent.objects.filter(seq=3).update(hash=rehash(AuditEvent.objects.get(seq=3)))
    # #3 now checks out on its own; #4 still points at the hash #3 used to have.
    assert_broken_at(4, "does not follow event #3")


def test_it_names_the_first_of_several_tampered_events(ledger):
    _edit_actor_label(AuditEvent.objects.get(seq=5))
    _edit_reason(AuditEvent.objects.get(seq=2))
    AuditEvent.objects.filter(seq=6).delete()
    assert_broken_at(2, "altered")


# Deleted rows.


def test_it_names_an_event_deleted_from_the_middle(ledger):
    assert raw("DELETE FROM {t} WHERE seq = %s", [3]) == 1
    assert_broken_at(3, "event #3 is missing", "next stored event is #4")


def test_it_names_a_deleted_middle_event_even_when_the_rest_was_renumbered(ledger):
    raw("DELETE FROM {t} WHERE seq = %s", [3])
    AuditEvent.objects.filter(seq__gt=3).update(seq=F("seq") + PARKED)
    AuditEvent.objects.filter(seq__gt=PARKED).update(seq=F("seq") - PARKED - 1)
    assert_broken_at(3, "does not follow event #2")


def test_it_names_the_newest_event_when_it_is_deleted(ledger):
    assert raw("DELETE FROM {t} WHERE seq = %s", [EVENTS]) == 1
    assert_broken_at(EVENTS, f"event #{EVENTS} is missing", f"head records #{EVENTS}")


# Inserted rows.


def test_it_names_the_event_after_one_inserted_in_the_middle(ledger):
    second = AuditEvent.objects.get(seq=2)
    shift_up_from(3)
    # A replay of the submit, slotted in as #3 and properly linked to #2 and hashed. It checks
    # out by itself; what gives it away is the event after it, still linked to #2.
    insert_replayed(EVENTS, seq=3, prev_hash=second.hash)
    assert AuditEvent.objects.count() == EVENTS + 1
    assert_broken_at(4, "does not follow event #3")


def test_it_names_an_inserted_event_whose_link_was_copied_from_its_neighbour(ledger):
    shift_up_from(3)
    # A careless forger copies the displaced event's link but computes its own hash.
    insert_replayed(EVENTS + 1, seq=3, prev_hash="f" * 64)
    assert_broken_at(3, "does not follow event #2")


def test_it_names_an_event_inserted_at_the_end(ledger):
    newest = AuditEvent.objects.get(seq=EVENTS)
    insert_replayed(4, seq=EVENTS + 1, prev_hash=newest.hash)
    # Every link checks out; only the head, which records #6 as the newest, disagrees.
    assert_broken_at(EVENTS + 1, f"event #{EVENTS + 1} was added after", f"head #{EVENTS}")


def test_it_catches_a_forger_who_rewrites_every_later_event_by_the_head(ledger):
    AuditEvent.objects.filter(seq=3).update(reason="Nobody objected.")
    prev_hash = AuditEvent.objects.get(seq=2).hash
    for seq in range(3, EVENTS + 1):
        event = AuditEvent.objects.get(seq=seq)
        event.prev_hash = prev_hash
        prev_hash = rehash(event)
        AuditEvent.objects.filter(seq=seq).update(prev_hash=event.prev_hash, hash=prev_hash)
    assert verify_chain().checked == EVENTS - 1  # the links all hold up to the head check
    assert_broken_at(EVENTS, "not the event the ledger's head recorded")


def test_it_names_the_newest_event_when_the_head_was_edited(ledger):
    AuditHead.objects.filter(pk=1).update(last_hash="0" * 64)
    assert_broken_at(EVENTS, "head")


# Reordered rows.


def test_it_names_the_first_of_two_events_whose_places_were_swapped(ledger):
    AuditEvent.objects.filter(seq=4).update(seq=PARKED)
    assert raw("UPDATE {t} SET seq = %s WHERE seq = %s", [4, 5]) == 1
    AuditEvent.objects.filter(seq=PARKED).update(seq=5)
    assert list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))[3:5] == [
        "plan.close_consultation", "plan.start_consultation",
    ]
    assert_broken_at(4, "does not follow event #3")


def test_it_names_the_first_of_two_distant_events_that_were_swapped(ledger):
    AuditEvent.objects.filter(seq=2).update(seq=PARKED)
    AuditEvent.objects.filter(seq=5).update(seq=2)
    AuditEvent.objects.filter(seq=PARKED).update(seq=5)
    assert_broken_at(2, "does not follow event #1")


# Appending outside a transaction.


@pytest.mark.django_db(transaction=True)
def test_it_refuses_to_record_an_event_outside_a_transaction():
    partnership = PartnershipFactory()
    assert not connection.in_atomic_block
    with pytest.raises(RuntimeError, match="inside the transaction of the change"):
        audit_record(actor=None, action="partnership.edit", obj=partnership,
                     before={}, after={"name": "Renamed"})
    assert not AuditEvent.objects.exists()
    with transaction.atomic():
        event = audit_record(actor=None, action="partnership.edit", obj=partnership,
                             before={}, after={"name": "Renamed"})
    assert (event.seq, event.actor_label) == (1, "system")
    assert verify_audit().strip() == "Audit chain intact: 1 events."
