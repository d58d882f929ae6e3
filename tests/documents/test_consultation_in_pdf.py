"""The plan PDF's consultation section and the executive report's Consultation section print
each round's real dates and, once its summary is published, its reach and "you said, we did"."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from documents.models import DocumentKind, ExecutiveReport, SignedDocument
from documents.publishing.executive import executive_report_context, executive_report_docx
from documents.publishing.pdf import html_to_pdf
from documents.publishing.services import build_html
from governance.consultation.analysis_services import statement_save
from governance.models import ConsultationRound

from ..governance.consultation_helpers import activity, audiences, closed_round, respond

pytestmark = pytest.mark.django_db

REACH = "2 pieces of work reaching 121 children and young people; 2 parent questionnaires"


def published_round(world: Any) -> ConsultationRound:
    rnd = closed_round(world)
    by = audiences(world)
    respond(rnd, audience=by["children-and-young-people"])
    respond(rnd, audience=by["parents-and-carers"])
    respond(rnd, audience=by["parents-and-carers"], channel="paper")
    activity(rnd, {by["children-and-young-people"]: 100})
    activity(rnd, {by["children-and-young-people"]: 20}, title="School council")
    statement_save(round=rnd, you_said="Young people want more places to go",
                   we_did="Added a priority on youth clubs", actor=world.lead)
    # Published as consultcore's round_publish_summary will mark it (its service is tested
    # on its branch; the documents only read these fields).
    ConsultationRound.objects.filter(pk=rnd.pk).update(
        summary_published_at=timezone.now(), summary_published_on=rnd.closed_on)
    rnd.refresh_from_db()
    return rnd


def pdf_text(plan: Any) -> str:
    from pypdf import PdfReader

    document = SignedDocument(plan=plan, version=plan.current_version, kind=DocumentKind.PLAN,
                              key=f"plan/{plan.pk}/v1")
    html, _ = build_html(document)
    data, _ = html_to_pdf(html)
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def flat(words: str) -> str:
    return " ".join(words.split())


def test_the_plan_pdf_prints_the_real_dates_reach_and_you_said_we_did(world):
    rnd = published_round(world)
    text = flat(pdf_text(rnd.plan))
    assert "9 June 2008" in text and "30 September 2008" in text
    assert f"We heard from {REACH}." in text
    assert "Young people want more places to go" in text
    assert "Added a priority on youth clubs" in text
    start = text.index("Consultation rounds")
    section = text[start:text.index("Sign-off", start)]
    today = timezone.localdate()
    assert f"{today.day} {today:%B %Y}" not in section  # not today's date for the round


def test_an_unpublished_round_shows_its_dates_and_no_summary(world):
    rnd = closed_round(world)
    statement_save(round=rnd, you_said="Draft statement", we_did="Draft", actor=world.lead)
    text = flat(pdf_text(rnd.plan))
    assert "9 June 2008" in text and "30 September 2008" in text
    assert "Summary not yet published." in text
    assert "Draft statement" not in text and "We heard from" not in text


def test_the_executive_report_says_the_same_in_its_consultation_section(world):
    from docx import Document

    rnd = published_round(world)
    report = ExecutiveReport.objects.create(plan=rnd.plan)
    ctx = executive_report_context(report, rnd.plan.current_version)
    assert ctx["consultation"] == [
        "Consultation round 1, Have your say, ran from 9 June 2008 to 30 September 2008. "
        f"We heard from {REACH}.",
        "You said: Young people want more places to go We did: Added a priority on youth "
        "clubs",
    ]
    html = render_to_string("documents/report.html", {**ctx, "version": rnd.plan.current_version})
    assert f"We heard from {REACH}." in html
    doc = Document(io.BytesIO(executive_report_docx(report, rnd.plan.current_version)))
    paragraphs = [p.text for p in doc.paragraphs]
    at = paragraphs.index("Consultation")
    assert ctx["consultation"][0] in paragraphs[at:]
    ConsultationRound.objects.filter(pk=rnd.pk).update(summary_published_at=None)
    ctx = executive_report_context(report, rnd.plan.current_version)
    assert ctx["consultation"] == [
        "Consultation round 1, Have your say, ran from 9 June 2008 to 30 September 2008. "
        "Its summary is not yet published."]
