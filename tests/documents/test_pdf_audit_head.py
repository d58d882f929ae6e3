"""Each signed PDF carries the audit ledger's head at signing (in its signed reason and its
colophon, and on its record), so a PDF shows a later rewrite of the ledger."""

from __future__ import annotations

import io
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from documents.publishing import services
from governance.audit_triggers import audit_triggers_lifted
from governance.models import AuditEvent, AuditHead

from ..conftest import World
from .test_signed_documents import signed


@pytest.fixture(autouse=True)
def document_dir(settings: Any, tmp_path: Path) -> Path:
    settings.PLANGOV_DOCUMENT_DIR = tmp_path / "documents"
    return settings.PLANGOV_DOCUMENT_DIR


def test_the_pdf_and_its_record_carry_the_head_at_signing(world: World, frozen_clock: Any):
    plan, document, data = signed(world, frozen_clock)
    # The signing is recorded after the PDF is made: the head printed is the event before it.
    sign_event = AuditEvent.objects.get(action="document.sign")
    before = AuditEvent.objects.get(seq=sign_event.seq - 1)
    assert (document.audit_head_seq, document.audit_head_hash) == (before.seq, before.hash)
    assert AuditHead.objects.get().last_seq == sign_event.seq
    words = " ".join(PdfReader(io.BytesIO(data)).pages[-1].extract_text().split())
    assert f"Audit ledger at signing: event {before.seq}, hash" in words
    assert before.hash[:12] in words.replace(" ", "")
    result = services.document_verify(data=data)
    assert result["verdict"] == "valid"
    assert result["audit_head"] == {"seq": before.seq, "hash": before.hash, "in_ledger": True}
    assert f"Audit head: #{before.seq} {before.hash}" in (
        result["signature"]["reason"])


def test_a_rewritten_ledger_shows_against_the_pdf(world: World, frozen_clock: Any,
                                                  tmp_path: Path):
    _, document, data = signed(world, frozen_clock)
    seq = document.audit_head_seq
    with audit_triggers_lifted():
        AuditEvent.objects.filter(seq=seq).update(hash="f" * 64)
    result = services.document_verify(data=data)
    assert result["audit_head"]["in_ledger"] is False
    assert any("ledger was rewritten" in p for p in result["problems"])
    assert "rewritten after it was signed" in result["summary"]
    path = tmp_path / "plan.pdf"
    path.write_bytes(data)
    out = StringIO()
    with pytest.raises(SystemExit):
        call_command("verify_pdf", str(path), stdout=out)
    assert f"Audit head at signing:  #{seq}" in out.getvalue()
    assert "NO: the ledger was rewritten after signing" in out.getvalue()
