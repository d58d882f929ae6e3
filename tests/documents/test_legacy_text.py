"""The second line behind plangov.text's policy: text already stored with characters the
policy refuses (legacy data, or written straight through the ORM) never stops a plan, a
decision notice or an executive report being published, as a signed PDF or a Word file."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from django.db import connection

from documents.models import DocumentKind, ExecutiveReport, Plan, SignedDocument
from documents.publishing import services, storage
from documents.publishing.executive import executive_report_docx
from governance.models import Body, Partnership
from plangov import text

from .test_signed_documents import adopt

pytestmark = pytest.mark.django_db

# Shift+Enter from Word, NUL, a C1 control, a non-character, an escape: whatever the database
# would store (PostgreSQL cannot store NUL in text at all, so it is left out there).
BAD = "\x0b\x00\x85\ufffe\x1b" if connection.vendor != "postgresql" else "\x0b\x85\ufffe\x1b"


@pytest.fixture(autouse=True)
def document_dir(settings: Any, tmp_path: Path) -> Path:
    settings.PLANGOV_DOCUMENT_DIR = tmp_path / "documents"
    return settings.PLANGOV_DOCUMENT_DIR


def _store_legacy_text(plan: Plan) -> None:
    """What a legacy import or a script through the ORM could have left, past every door."""
    Partnership.objects.filter(pk=plan.partnership_id).update(
        name=f"YorOK{BAD} Children's Trust")
    Plan.objects.filter(pk=plan.pk).update(title=f"Early\x0bHelp{BAD} Strategy")
    Body.objects.filter(pk=plan.executive_body_id).update(name=f"Executive{BAD}")


def _render(document: SignedDocument) -> bytes:
    assert services.document_render(document_id=document.pk) == "done"
    document.refresh_from_db()
    return storage.read(document.file_sha256)


def test_an_adopted_plan_with_controls_in_its_title_and_partnership_still_publishes(
    world: Any, frozen_clock: Any
) -> None:
    plan = adopt(world, frozen_clock)
    _store_legacy_text(plan)
    document = SignedDocument.objects.get(plan=plan, kind=DocumentKind.PLAN)
    data = _render(document)
    result = services.document_verify(data=data)
    assert result["verdict"] == "valid" and result["matches_record"] is True
    with pikepdf.open(io.BytesIO(data)) as pdf:
        meta = pdf.open_metadata()
        assert " ".join(meta.get("dc:title").split()).startswith("Early Help Strategy")
        assert not text.FORBIDDEN.search(str(pdf.docinfo.get("/Author")))
        assert " ".join(str(pdf.docinfo["/Author"]).split()) == "YorOK Children's Trust"
        reason = next(str(f.V.Reason) for f in pdf.Root.AcroForm.Fields if "/V" in f)
        assert "YorOK Children's Trust" in " ".join(reason.split())
        assert not text.FORBIDDEN.search(reason)


def test_a_decision_notice_and_executive_report_with_stored_controls_still_publish(
    world: Any, frozen_clock: Any
) -> None:
    plan = adopt(world, frozen_clock)
    _store_legacy_text(plan)
    decision = plan.decisions.get(body=plan.executive_body)
    notice = services.document_request(plan=plan, actor=world.lead, kind="decision_notice",
                                       decision_id=decision.pk)
    assert services.document_verify(data=_render(notice))["verdict"] == "valid"


def test_the_word_report_drops_stored_controls(world: Any, frozen_clock: Any) -> None:
    import docx

    plan = adopt(world, frozen_clock)
    _store_legacy_text(plan)
    plan.refresh_from_db()
    report = ExecutiveReport.objects.create(
        plan=plan, revision=1, summary=f"First{BAD} paragraph.", report_of=f"Director{BAD}",
        recommendations=[{"recommendation": f"Approve{BAD}", "reason": "Because\x0b."}],
        glossary=[{"term": f"CYPP{BAD}", "meaning": "Plan"}],
    )
    data = executive_report_docx(report, plan.current_version)
    document = docx.Document(io.BytesIO(data))
    everything = "\n".join(p.text for p in document.paragraphs)
    assert "Early Help Strategy" in " ".join(everything.split())
    assert "Approve" in everything and not text.FORBIDDEN.search(everything)
    assert " ".join(document.core_properties.author.split()) == "YorOK Children's Trust"
    assert " ".join(document.core_properties.title.split()).startswith(
        "Executive report: Early Help Strategy")
