"""The audit export (JSON Lines with a signed checkpoint) and its offline verification:
``export_audit`` writes it, ``verify_audit --export`` checks it with no database and names the
first edited, deleted, inserted or reordered line."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from governance.audit import audit_record
from governance.audit_export import canonical, payload_hash, verify_export
from governance.models import AuditEvent, AuditHead
from governance.models import DecisionOutcome as O
from tests.conftest import World, decide, submitted_plan
from tests.factories import PartnershipFactory

EVENTS = 8


@pytest.fixture
def plan(world: World):
    plan = submitted_plan(world)
    decide(world, plan, world.board, O.APPROVED)
    assert AuditEvent.objects.count() == EVENTS
    return plan


def export(tmp_path: Path, *args: str) -> Path:
    path = tmp_path / "audit.jsonl"
    out = StringIO()
    call_command("export_audit", str(path), *args, stdout=out)
    assert "signed checkpoint" in out.getvalue()
    return path


def lines_of(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def write(path: Path, lines: list[str]) -> None:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")


def verify(path: Path, *roots: str) -> str:
    out = StringIO()
    args = [a for root in roots for a in ("--trust-root", root)]
    call_command("verify_audit", "--export", str(path), *args, stdout=out)
    return out.getvalue()


def broken(path: Path, line: int, kind: str, *words: str) -> str:
    with pytest.raises(CommandError) as caught:
        verify(path)
    message = str(caught.value)
    assert message.startswith(f"Audit export broken at line {line} ({kind}):"), message
    for word in words:
        assert word in message, message
    return message


def forge(line: str, **changes: object) -> str:
    """The line with ``changes``, its hash recomputed the way a forger who knows it would."""
    event = {**json.loads(line), **changes}
    event.pop("hash")
    return canonical({**event, "hash": payload_hash(event)})


@pytest.mark.django_db
def test_a_whole_chain_export_verifies_offline(plan, tmp_path, django_assert_num_queries):
    path = export(tmp_path)
    lines = lines_of(path)
    assert len(lines) == EVENTS + 1
    first = json.loads(lines[0])
    event = AuditEvent.objects.get(seq=1)
    assert first["hash"] == event.hash and first["action"] == event.action
    checkpoint = json.loads(lines[-1])["checkpoint"]
    head = AuditHead.objects.get()
    assert checkpoint["scope"] == "chain"
    assert (checkpoint["head_seq"], checkpoint["head_hash"]) == (head.last_seq, head.last_hash)
    assert checkpoint["count"] == EVENTS and checkpoint["exported_at"]
    with django_assert_num_queries(0):
        message = verify(path)
    assert f"Audit export intact: {EVENTS} events, the whole chain, head event #{EVENTS}" in (
        message)
    assert "signed by" in message and "demonstration" in message


@pytest.mark.django_db
def test_an_edited_line_is_named(plan, tmp_path):
    path = export(tmp_path)
    lines = lines_of(path)
    lines[3] = lines[3].replace('"reason":""', '"reason":"Nobody objected."')
    assert '"reason":"Nobody objected."' in lines[3]
    write(path, lines)
    broken(path, 4, "edited", "event #4", "no longer matches its hash")


@pytest.mark.django_db
def test_an_edited_line_with_its_hash_recomputed_is_named(plan, tmp_path):
    path = export(tmp_path)
    lines = lines_of(path)
    lines[2] = forge(lines[2], reason="rewritten")
    write(path, lines)
    broken(path, 3, "edited", "event #3", "hash recomputed")


@pytest.mark.django_db
def test_the_newest_line_edited_with_its_hash_recomputed_is_caught_by_the_signed_head(
        plan, tmp_path):
    path = export(tmp_path)
    lines = lines_of(path)
    lines[EVENTS - 1] = forge(lines[EVENTS - 1], reason="rewritten")
    write(path, lines)
    broken(path, EVENTS, "edited", "signed checkpoint names as the head")


@pytest.mark.django_db
def test_a_deleted_line_is_named(plan, tmp_path):
    path = export(tmp_path)
    lines = lines_of(path)
    del lines[4]
    write(path, lines)
    broken(path, 5, "deleted", "event #5 was deleted")


@pytest.mark.django_db
def test_the_newest_line_deleted_is_named(plan, tmp_path):
    path = export(tmp_path)
    lines = lines_of(path)
    del lines[EVENTS - 1]
    write(path, lines)
    broken(path, EVENTS, "deleted", f"event #{EVENTS} was deleted")


@pytest.mark.django_db
def test_a_repeated_line_is_named_as_inserted(plan, tmp_path):
    path = export(tmp_path)
    lines = lines_of(path)
    lines.insert(3, lines[1])
    write(path, lines)
    broken(path, 4, "inserted", "repeats line 2")


@pytest.mark.django_db
def test_a_line_added_after_the_head_is_named(plan, tmp_path):
    path = export(tmp_path)
    lines = lines_of(path)
    extra = forge(lines[EVENTS - 1], seq=EVENTS + 1,
                  prev_hash=json.loads(lines[EVENTS - 1])["hash"])
    lines.insert(EVENTS, extra)
    write(path, lines)
    broken(path, EVENTS + 1, "inserted", "added after the signed head")


@pytest.mark.django_db
def test_swapped_lines_are_named_as_reordered(plan, tmp_path):
    path = export(tmp_path)
    lines = lines_of(path)
    lines[2], lines[5] = lines[5], lines[2]
    write(path, lines)
    broken(path, 3, "reordered", "event #3, which belongs here, is at line 6")


@pytest.mark.django_db
def test_a_missing_checkpoint_is_named(plan, tmp_path):
    path = export(tmp_path)
    write(path, lines_of(path)[:-1])
    broken(path, EVENTS + 1, "deleted", "checkpoint line is missing")


@pytest.mark.django_db
def test_an_edited_checkpoint_fails_its_signature(plan, tmp_path):
    path = export(tmp_path)
    lines = lines_of(path)
    record = json.loads(lines[-1])
    record["checkpoint"]["count"] = EVENTS - 1
    lines[-1] = canonical(record)
    write(path, lines[:-2] + [lines[-1]])
    broken(path, EVENTS, "checkpoint", "its signature does not match")


@pytest.mark.django_db
def test_a_signature_from_an_untrusted_certificate_is_refused(plan, tmp_path):
    from documents.publishing.signing import make_demo_credentials

    other_ca, _ = make_demo_credentials(tmp_path / "other", organisation="Another council")
    path = export(tmp_path)
    with pytest.raises(CommandError) as caught:
        verify(path, str(other_ca))
    assert "not issued by a trusted root" in str(caught.value)
    assert f"line {EVENTS + 1} (checkpoint)" in str(caught.value)


@pytest.mark.django_db
def test_a_plan_export_holds_only_its_events_and_is_verified(plan, tmp_path):
    with transaction.atomic():  # an event of no plan stays out of the plan's export
        audit_record(actor=None, action="partnership.update", obj=PartnershipFactory(),
                     before={}, after={})
    path = export(tmp_path, "--plan", str(plan.pk))
    lines = lines_of(path)
    events = list(AuditEvent.objects.filter(plan=plan).order_by("seq"))
    assert [json.loads(x)["seq"] for x in lines[:-1]] == [e.seq for e in events]
    checkpoint = json.loads(lines[-1])["checkpoint"]
    assert checkpoint["scope"] == "plan" and checkpoint["plan_id"] == plan.pk
    assert checkpoint["events"] == [[e.seq, e.hash] for e in events]
    assert len(events) == EVENTS and AuditEvent.objects.count() == EVENTS + 1
    assert "one plan's events" in verify(path)


@pytest.mark.django_db
@pytest.mark.parametrize(("change", "line", "kind"), [
    ("delete", 2, "deleted"), ("swap", 2, "reordered"), ("rehash", 3, "edited"),
])
def test_a_plan_export_names_the_changed_line(plan, tmp_path, change, line, kind):
    path = export(tmp_path, "--plan", str(plan.pk))
    lines = lines_of(path)
    if change == "delete":
        del lines[1]
    elif change == "swap":
        lines[1], lines[3] = lines[3], lines[1]
    else:
        lines[2] = forge(lines[2], reason="rewritten")
    write(path, lines)
    broken(path, line, kind)


@pytest.mark.django_db
def test_a_file_that_is_no_export_is_refused_plainly(tmp_path):
    path = tmp_path / "junk.jsonl"
    path.write_bytes(b"not json\n")
    broken(path, 2, "deleted", "checkpoint line is missing")
    assert not verify_export(path, trust_roots=[]).ok
