"""The report to the Executive, in the council format: the coordinator's text, the plan's own
data, one context for the signed PDF and the Word document alike, so both say the same."""

from __future__ import annotations

import io
import string
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from documents.models import ExecutiveReport, Plan, PlanVersion, Stage
from documents.services import lock_plan
from governance import policy
from governance.audit import audit_record
from governance.models import Decision
from plangov import clock, text
from plangov.errors import Conflict, Forbidden, InvalidInput
from plangov.txn import service

from .context import consultation_rounds

# The council's sections, in order: (field, heading).
SECTIONS = (
    ("summary", "Summary"),
    ("background", "Background"),
    ("consultation", "Consultation"),
    ("options", "Options"),
    ("analysis", "Analysis"),
    ("council_plan", "Council Plan"),
)
TEXT_FIELDS = [f for f, _ in SECTIONS] + [f for f, _ in ExecutiveReport.IMPLICATIONS] + [
    "risk_management"
]
SHORT_FIELDS = ["report_of", "portfolio_of", "contact_name", "contact_job_title",
                "contact_department", "contact_phone", "contact_email"]
FROZEN = {Stage.ADOPTED, Stage.SUPERSEDED, Stage.WITHDRAWN}


def _clean(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}

    def policed(value: Any, key: str) -> str:
        """The text through plangov.text's policy; a refused one is an error on its field."""
        try:
            return text.clean_text(str(value or "")).strip()
        except text.TextRefused as exc:
            errors.setdefault(key, []).append(exc.message)
            return ""

    for name in TEXT_FIELDS:
        clean[name] = policed(data.get(name), name)
        if len(clean[name]) > 50000:
            errors[name] = ["Keep this section under 50,000 characters."]
    for name in SHORT_FIELDS:
        clean[name] = policed(data.get(name), name)
        limit = ExecutiveReport._meta.get_field(name).max_length or 200
        if len(clean[name]) > limit:
            errors[name] = [f"Keep this under {limit} characters."]
    if clean["contact_email"] and "contact_email" not in errors:
        try:
            validate_email(clean["contact_email"])
        except ValidationError:
            errors["contact_email"] = ["Enter an email address like name@council.gov.uk."]
    clean["meeting_date"] = data.get("meeting_date") or None
    recommendations = []
    for index, item in enumerate(data.get("recommendations") or []):
        said = policed(item.get("recommendation"), f"recommendations[{index}].recommendation")
        reason = policed(item.get("reason"), f"recommendations[{index}].reason")
        if not said and not reason:
            continue
        if not said:
            errors.setdefault(f"recommendations[{index}].recommendation",
                              ["Say what is recommended."])
        if not reason:
            errors.setdefault(f"recommendations[{index}].reason", [
                "Each recommendation needs its Reason."])
        recommendations.append({"recommendation": said, "reason": reason})
    glossary = []
    for index, item in enumerate(data.get("glossary") or []):
        term = policed(item.get("term"), f"glossary[{index}].term")
        meaning = policed(item.get("meaning"), f"glossary[{index}].meaning")
        if not term and not meaning:
            continue
        if (not term or not meaning) and not any(
                k.startswith(f"glossary[{index}].") for k in errors):
            errors[f"glossary[{index}].{'term' if not term else 'meaning'}"] = [
                "A glossary entry needs both the term and its meaning."
            ]
        glossary.append({"term": term, "meaning": meaning})
    clean["recommendations"] = recommendations
    clean["glossary"] = glossary
    return clean, errors


def executive_report_check(plan: Plan, actor: Any) -> None:
    """Who may write the report, and until when: raises Forbidden or Conflict. The page asks
    this before reading its form, so a refusal never depends on what was typed."""
    verdict = policy.can_lead(plan, actor)
    if not verdict:
        raise Forbidden(verdict.reason)
    if plan.stage in FROZEN:
        raise Conflict(f"The executive report is frozen once the plan is "
                       f"{plan.get_stage_display().lower()}.")


@service
def executive_report_save(*, plan: Plan, actor: Any, data: dict[str, Any]) -> ExecutiveReport:
    """Save the coordinator's text. Each change is a new revision with one audit event; a
    save that changes nothing makes neither."""
    plan = lock_plan(plan.pk)
    executive_report_check(plan, actor)
    clean, errors = _clean(data)
    if errors:
        raise InvalidInput(errors)
    report = ExecutiveReport.objects.select_for_update().filter(plan=plan).first()
    created = report is None
    report = report or ExecutiveReport(plan=plan, revision=0)
    changed = sorted(k for k, v in clean.items() if getattr(report, k) != v)
    if not created and not changed:
        return report
    before = {"revision": report.revision}
    for key, value in clean.items():
        setattr(report, key, value)
    report.revision += 1
    report.updated_by, report.updated_at = actor, clock.now()
    report.save()
    audit_record(actor=actor, action="executive_report.save", obj=report, plan_id=plan.pk,
                 before=before, after={"revision": report.revision, "changed": changed})
    return report


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]


def executive_report_context(report: ExecutiveReport, version: PlanVersion) -> dict[str, Any]:
    """Paragraphs are numbered through the whole report, as council reports are."""
    plan = report.plan
    number = 0

    def numbered(text: str, fallback: str = "") -> list[dict[str, Any]]:
        nonlocal number
        out = []
        for paragraph in _paragraphs(text) or ([fallback] if fallback else []):
            number += 1
            out.append({"number": number, "text": paragraph})
        return out

    summary = numbered(report.summary, f"This report asks the Executive to approve {plan.title}.")
    number += 1
    recommendations = {
        "number": number,
        "items": [
            {"letter": string.ascii_lowercase[i % 26], **item}
            for i, item in enumerate(report.recommendations)
        ],
    }
    decisions = list(Decision.objects.filter(plan=plan, version=version)
                     .select_related("body").order_by("pk"))
    sections = [{"id": "summary", "heading": "Summary", "paragraphs": summary}]
    for field, heading in SECTIONS[1:]:
        sections.append({"id": field, "heading": heading,
                         "paragraphs": numbered(getattr(report, field))})
    implications = [
        {"heading": label, "paragraphs": numbered(
            getattr(report, field), f"There are no {label.split(' (')[0].lower()} implications."
        )}
        for field, label in ExecutiveReport.IMPLICATIONS
    ]
    risk = numbered(report.risk_management, "There are no risks beyond those in the plan.")
    rounds = consultation_rounds(plan)
    return {
        "document_title": f"Executive report: {plan.title}",
        "report": report,
        "summary": summary,
        "recommendations": recommendations,
        "sections": sections[1:],
        "implications": implications,
        "risk": risk,
        "decisions": decisions,
        "outcomes": [o["title"] for o in version.content.get("outcomes", [])],
        "rounds": rounds,
        "consultation": consultation_lines(rounds),
        "glossary": report.glossary,
    }


def _day(value: Any) -> str:
    return f"{value.day} {value:%B %Y}"


def consultation_lines(rounds: list[dict[str, Any]]) -> list[str]:
    """The Consultation section's account of each round, for the PDF and the Word file alike:
    its real dates, and for a published summary the reach and "you said, we did"."""
    lines: list[str] = []
    for r in rounds:
        when = (f"ran from {_day(r['opens_on'])} to {_day(r['closes_on'])}"
                if r["closed"] and r["closes_on"] else
                f"opened on {_day(r['opens_on'])}" if r["status"] != "draft" else
                "has not yet opened")
        head = f"Consultation round {r['number']}, {r['title']}, {when}."
        summary = r["summary"]
        if summary is None:
            lines.append(f"{head} Its summary is not yet published.")
            continue
        lines.append(f"{head} We heard from {summary['reach']['sentence']}.")
        for st in summary["statements"]:
            done = (f"We did: {st['we_did']}" if st["we_did"] else
                    f"No change: {st['no_change_reason']}")
            lines.append(f"You said: {st['you_said']} {done}")
    return lines


def executive_report_docx(report: ExecutiveReport, version: PlanVersion) -> bytes:
    """The same report as a Word document, from the same context."""
    from docx import Document
    from docx.oxml.ns import qn

    ctx = executive_report_context(report, version)
    doc = Document()
    # Every string through plangov.text.scrub: a control character stored before the text
    # policy (or around it) is not XML, and would stop the Word file being written at all.
    clean = text.scrub

    def para(words: str) -> None:
        doc.add_paragraph(clean(words))

    def heading(words: str, level: int) -> None:
        doc.add_heading(clean(words), level=level)

    doc.core_properties.title = clean(ctx["document_title"])
    doc.core_properties.author = clean(report.plan.partnership.name)
    doc.core_properties.language = "en-GB"
    style = doc.styles["Normal"]
    lang = style.element.get_or_add_rPr().makeelement(qn("w:lang"), {qn("w:val"): "en-GB"})
    style.element.get_or_add_rPr().append(lang)
    if report.meeting_date:
        para(f"Executive {report.meeting_date:%d %B %Y}")
    if report.report_of:
        para(f"Report of the {report.report_of}")
    if report.portfolio_of:
        para(f"Portfolio of the {report.portfolio_of}")
    heading(report.plan.title, level=0)

    def paragraphs(items: list[dict[str, Any]]) -> None:
        for item in items:
            para(f"{item['number']}. {item['text']}")

    heading("Summary", level=1)
    paragraphs(ctx["summary"])
    heading("Recommendations", level=1)
    para(f"{ctx['recommendations']['number']}. It is recommended:")
    for item in ctx["recommendations"]["items"]:
        para(f"{item['letter']}. {item['recommendation']}")
        para(f"Reason: {item['reason']}")
    for section in ctx["sections"]:
        heading(section["heading"], level=1)
        paragraphs(section["paragraphs"])
        if section["id"] == "consultation":
            for line in ctx["consultation"]:
                para(line)
    heading("Implications", level=1)
    for implication in ctx["implications"]:
        heading(implication["heading"], level=2)
        paragraphs(implication["paragraphs"])
    heading("Risk Management", level=1)
    paragraphs(ctx["risk"])
    heading("Contact details", level=1)
    for label, value in (("Author", report.contact_name), ("Job title", report.contact_job_title),
                         ("Department", report.contact_department),
                         ("Telephone", report.contact_phone), ("Email", report.contact_email)):
        if value:
            para(f"{label}: {value}")
    if ctx["glossary"]:
        heading("Glossary", level=1)
        table = doc.add_table(rows=1, cols=2)
        table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Term", "Meaning"
        for entry in ctx["glossary"]:
            row = table.add_row()
            row.cells[0].text, row.cells[1].text = clean(entry["term"]), clean(entry["meaning"])
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
