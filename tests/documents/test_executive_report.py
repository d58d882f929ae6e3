"""The executive report: written by the lead officer, numbered as councils number them,
signed as a PDF and exported as a Word document."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.template.loader import render_to_string

from documents.models import DocumentKind, ExecutiveReport, SignedDocument
from documents.publishing import services
from documents.publishing.executive import (
    executive_report_context,
    executive_report_docx,
    executive_report_save,
)
from plangov.errors import Conflict, Forbidden, InvalidInput

from ..conftest import World, submitted_plan
from .test_signed_documents import adopt

TEXT = {
    "summary": "This paper introduces the new strategy.\n\nIt seeks endorsement.",
    "background": "<script>alert(1)</script> The strategy was developed with children.",
    "recommendations": [
        {"recommendation": "Endorse the strategy", "reason": "To endorse the new strategy"},
        {"recommendation": "Note the new partnership", "reason": "To strengthen leadership"},
    ],
    "glossary": [{"term": "CiC", "meaning": "Children in care"}],
    "contact_email": "lead@york.gov.uk",
}


@pytest.fixture(autouse=True)
def document_dir(settings: Any, tmp_path: Path) -> Path:
    settings.PLANGOV_DOCUMENT_DIR = tmp_path / "documents"
    return settings.PLANGOV_DOCUMENT_DIR


def test_it_saves_revisions_with_one_audit_event_each(world: World, frozen_clock: Any) -> None:
    plan = submitted_plan(world)
    report = executive_report_save(plan=plan, actor=world.lead, data=TEXT)
    assert report.revision == 1
    again = executive_report_save(plan=plan, actor=world.lead, data=TEXT)
    assert again.revision == 1  # nothing changed, nothing written
    changed = executive_report_save(plan=plan, actor=world.lead,
                                    data={**TEXT, "options": "Option 1: do nothing."})
    assert changed.revision == 2
    events = plan.audit_events.filter(action="executive_report.save")
    assert events.count() == 2
    assert events.last().after["changed"] == ["options"]


def test_it_lets_only_the_lead_officer_write_and_freezes_it_at_adoption(
    world: World, frozen_clock: Any
) -> None:
    plan = submitted_plan(world)
    with pytest.raises(Forbidden):
        executive_report_save(plan=plan, actor=world.board_secretary, data=TEXT)
    adopted = adopt(world, frozen_clock)
    with pytest.raises(Conflict, match="frozen"):
        executive_report_save(plan=adopted, actor=world.lead, data=TEXT)


def test_it_names_each_wrong_field(world: World, frozen_clock: Any) -> None:
    plan = submitted_plan(world)
    with pytest.raises(InvalidInput) as refused:
        executive_report_save(plan=plan, actor=world.lead, data={
            "recommendations": [{"recommendation": "Endorse", "reason": ""}],
            "glossary": [{"term": "CiC", "meaning": ""}],
            "contact_email": "not an address",
        })
    assert set(refused.value.errors) == {
        "recommendations[0].reason", "glossary[0].meaning", "contact_email"
    }
    assert not ExecutiveReport.objects.exists()


def test_it_numbers_paragraphs_through_the_report_and_letters_recommendations(
    world: World, frozen_clock: Any
) -> None:
    plan = submitted_plan(world)
    report = executive_report_save(plan=plan, actor=world.lead, data=TEXT)
    ctx = executive_report_context(report, plan.current_version)
    assert [p["number"] for p in ctx["summary"]] == [1, 2]
    assert ctx["recommendations"]["number"] == 3
    assert [r["letter"] for r in ctx["recommendations"]["items"]] == ["a", "b"]
    background = next(s for s in ctx["sections"] if s["id"] == "background")
    assert background["paragraphs"][0]["number"] == 4
    assert ctx["implications"][0]["paragraphs"][0]["text"] == (
        "There are no financial implications."
    )
    html = render_to_string("documents/report.html", {
        **ctx, "plan": plan, "version": plan.current_version, "organisation": "York",
        "record_key": "k", "footer_left": "f",
    })
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_it_exports_a_word_document_in_council_order(world: World, frozen_clock: Any) -> None:
    from docx import Document

    plan = submitted_plan(world)
    report = executive_report_save(plan=plan, actor=world.lead, data=TEXT)
    doc = Document(io.BytesIO(executive_report_docx(report, plan.current_version)))
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["Summary", "Recommendations", "Background", "Consultation", "Options",
                        "Analysis", "Council Plan", "Implications", "Risk Management",
                        "Contact details", "Glossary"]
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Reason: To endorse the new strategy" in text
    assert doc.core_properties.title == f"Executive report: {plan.title}"


def test_it_signs_the_report_as_a_pdf(world: World, frozen_clock: Any) -> None:
    plan = submitted_plan(world)
    executive_report_save(plan=plan, actor=world.lead, data=TEXT)
    document = services.document_request(plan=plan, actor=world.lead,
                                         kind=DocumentKind.EXECUTIVE_REPORT)
    assert document.key == f"executive-report/{plan.pk}/v1/r1"
    assert services.document_render(document_id=document.pk) == "done"
    # A later revision is a new document; the old one keeps its signed file.
    executive_report_save(plan=plan, actor=world.lead, data={**TEXT, "options": "None."})
    newer = services.document_request(plan=plan, actor=world.lead,
                                      kind=DocumentKind.EXECUTIVE_REPORT)
    assert newer.key.endswith("/r2") and SignedDocument.objects.count() == 2


def test_the_page_saves_keeps_typed_values_on_error_and_refuses_others(
    world: World, frozen_clock: Any, client: Any
) -> None:
    plan = submitted_plan(world)
    url = f"/plans/{plan.pk}/report/"
    client.force_login(world.lead)
    assert client.get(url).status_code == 200
    bad = client.post(url, {"summary": "Kept summary", "recommendation_0": "Endorse",
                            "reason_0": "", "meeting_date": "14/07/2016"})
    assert bad.status_code == 400
    assert b"Kept summary" in bad.content
    assert b"Each recommendation needs its Reason" in bad.content or b"YYYY-MM-DD" in bad.content
    bad = client.post(url, {"summary": "Kept summary", "recommendation_0": "Endorse",
                            "reason_0": ""})
    assert bad.status_code == 400 and b'href="#id_reason_0"' in bad.content
    good = client.post(url, {"summary": "A summary", "recommendation_0": "Endorse",
                             "reason_0": "Because", "meeting_date": "2016-07-14"})
    assert good.status_code == 302
    assert "Saved as revision 1" in client.get(url).content.decode()
    docx = client.get(f"/plans/{plan.pk}/report.docx")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    client.force_login(world.board_secretary)
    assert client.post(url, {"summary": "x"}).status_code == 403
